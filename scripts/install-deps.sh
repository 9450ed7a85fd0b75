#!/usr/bin/env bash
# Installs the Debian packages trainsim needs, and only those missing. Idempotent: a second
# run installs nothing. Uses sudo when not root.
# Usage: scripts/install-deps.sh [--with-browser] [--with-fuzzers]
# --with-browser adds Chromium, which the HTML report test uses when it is present;
# --with-fuzzers adds clang and its runtime libraries (libFuzzer, sanitizers) for scripts/fuzz.sh.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsimgrid-dev libboost-graph-dev libeigen3-dev
  libfmt-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  openmpi-bin libopenmpi-dev
)
for option in "$@"; do
  case "$option" in
    --with-browser) packages+=(chromium) ;;
    --with-fuzzers) packages+=(clang libclang-rt-dev) ;;
    *) echo "install-deps: unknown option $option" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
