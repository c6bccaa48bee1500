#!/usr/bin/env bash
# Installs the Debian 12 packages pptp-sensor needs to build, run and test,
# only when something is missing.  Safe to run repeatedly; needs root (or sudo).
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config clang libclang-rt-14-dev llvm
  libpcap-dev libndpi-dev librdkafka-dev libcriterion-dev libssl-dev
  tshark tcpdump pptpd pptp-linux rsyslog rsyslog-openssl kcat openssl python3-scapy iproute2
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer it up front.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
