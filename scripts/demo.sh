#!/usr/bin/env bash
# Installs what is missing, builds, and runs the sensor on a bundled capture:
# the session events appear on stdout as JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec ./build/sensor/pptp-sensor -r "${1:-pcaps/mschapv2_mppe128.pcap}"
