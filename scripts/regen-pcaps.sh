#!/usr/bin/env bash
# Rebuild the sample-capture corpus: every tests/peer/scenarios/NAME.scn is
# run through pptp-peer's synthesis mode into pcaps/NAME.pcap.  The output is
# deterministic (fixed seeds, virtual clock), so a rebuild with unchanged
# scenarios and peer gives the committed files byte for byte.
#
#   scripts/regen-pcaps.sh            rebuild pcaps/*.pcap (builds pptp-peer in build/ if needed)
#   scripts/regen-pcaps.sh --check    rebuild into a temporary folder and compare, change nothing
#   BUILD_DIR=build-x scripts/regen-pcaps.sh    use another build tree
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
check=0
[ "${1:-}" = "--check" ] && check=1

peer="$BUILD_DIR/pptp-peer"
if [ ! -x "$peer" ]; then
  cmake -S . -B "$BUILD_DIR" >/dev/null
  cmake --build "$BUILD_DIR" --target pptp-peer -j"$(nproc)" >/dev/null
fi

out=pcaps
if [ $check = 1 ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

status=0
for scn in tests/peer/scenarios/*.scn; do
  name=$(basename "$scn" .scn)
  if ! "$peer" synth "$scn" -w "$out/$name.pcap" >/dev/null; then
    echo "FAILED: $scn" >&2
    status=1
    continue
  fi
  if [ $check = 1 ]; then
    if cmp -s "$out/$name.pcap" "pcaps/$name.pcap"; then
      echo "same     $name.pcap"
    else
      echo "DIFFERS  $name.pcap" >&2
      status=1
    fi
  else
    echo "wrote    pcaps/$name.pcap"
  fi
done
exit $status
