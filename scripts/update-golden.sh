#!/usr/bin/env bash
# Rewrite pcaps/NAME.jsonl (the expected events) from the current sensor for every
# capture that has one, or for the captures named.  Review `git diff pcaps/` after:
# a golden file is a claim about what the sensor must say.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build -j"$(nproc)" --target pptp-sensor >/dev/null
if [ $# -eq 0 ]; then
  set -- pcaps/*.pcap pcaps/*.pcapng
fi
for p in "$@"; do
  [ -f "$p" ] || continue
  out="${p%.*}.jsonl"
  rm -f "$out" # the file sink appends
  ./build/sensor/pptp-sensor -r "$p" -w "$out"
  echo "wrote $out ($(wc -l < "$out") events)"
done
