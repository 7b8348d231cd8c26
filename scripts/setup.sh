#!/usr/bin/env bash
# Installs what poolbench needs on Debian 12 (beyond g++, CMake, GoogleTest and Google
# Benchmark, which the machine has; libbenchmark-tools and python3-scipy are for Google
# Benchmark's compare.py, which reads poolbench's reports) and configures and builds it in ./build.
# Usage: scripts/setup.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"

packages=(cmake g++ make libgtest-dev libbenchmark-dev libbenchmark-tools nlohmann-json3-dev
          libcli11-dev python3 python3-matplotlib python3-numpy python3-jsonschema
          python3-scipy
          clang-format)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)"
