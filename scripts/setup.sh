#!/usr/bin/env bash
# Installs what poolbench needs on Debian 12 (beyond g++, CMake, GoogleTest and Google
# Benchmark, which the machine has; libbenchmark-tools and python3-scipy are for Google
# Benchmark's compare.py, which reads poolbench's reports), and the peers' libraries where it
# can, then configures and builds it in ./build.
# Usage: scripts/setup.sh [build-dir [target]]   (target: what to build; default: everything)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
target="${2:-all}"

packages=(cmake g++ make libgtest-dev libbenchmark-dev libbenchmark-tools nlohmann-json3-dev
          libcli11-dev libvalijson-dev libhwy-dev libsqlite3-dev python3 python3-matplotlib python3-numpy
          python3-jsonschema python3-scipy libtinyxml2-dev libssl-dev libboost-dev
          clang-format)
# The peers' libraries (strategies/peers/): optional. A machine where one cannot be installed
# still builds and runs everything else, and poolbench names the missing peer and why.
# (Debian's oneDNN CMake package needs the OpenCL headers, which libdnnl-dev only recommends.)
peer_packages=(libdnnl-dev ocl-icd-opencl-dev libxnnpack-dev libpthreadpool-dev libtorch-dev)
# The Python plugin host (strategies/python/) and its examples: optional. Without them a .py
# plugin says what is missing, and everything else builds and runs.
python_packages=(pybind11-dev python3-dev python3-numba)
# Headless chromium for the browser test of the HTML report (ctest -L browser): optional; without
# it that test is skipped with its reason.
browser_packages=(chromium)

missing_of() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
apt_install() {
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "$@" \
    >/dev/null
}
mapfile -t missing < <(missing_of "${packages[@]}")
mapfile -t missing_peers < <(missing_of "${peer_packages[@]}")
mapfile -t missing_python < <(missing_of "${python_packages[@]}")
mapfile -t missing_browser < <(missing_of "${browser_packages[@]}")
if ((${#missing[@]} + ${#missing_peers[@]} + ${#missing_python[@]} + ${#missing_browser[@]})); then
  echo "setup: installing ${missing[*]} ${missing_peers[*]} ${missing_python[*]}" \
    "${missing_browser[*]}" >&2
  $sudo_cmd apt-get update -qq
fi
if ((${#missing[@]})); then
  apt_install "${missing[@]}"
fi
if ((${#missing_peers[@]})) && ! apt_install "${missing_peers[@]}"; then
  echo "setup: warning: could not install ${missing_peers[*]}; the peers that need them are" \
    "left out (see 'poolbench list')" >&2
fi
if ((${#missing_python[@]})) && ! apt_install "${missing_python[@]}"; then
  echo "setup: warning: could not install ${missing_python[*]}; Python strategies" \
    "(examples/python/) are left out (see docs/python-strategies.md)" >&2
fi
if ((${#missing_browser[@]})) && ! apt_install "${missing_browser[@]}"; then
  echo "setup: warning: could not install ${missing_browser[*]}; the browser test of the HTML" \
    "report is skipped" >&2
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target "$target"
