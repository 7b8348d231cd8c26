#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-14 (-fsanitize=fuzzer,address,undefined) in
# their own tree and runs each for a fixed time from its corpus in fuzz/corpus/<target>/. A crash,
# a sanitizer report, a leak or a timeout fails the script; the input that caused it is left in
# the build tree (crash-*, leak-*, timeout-*) and printed, to be added to the corpus once fixed.
# Usage: scripts/ci-fuzz.sh [seconds-per-target] [build-dir]   (defaults 30, build-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
build="${2:-build-fuzz}"
targets=(descriptor suite npy report journal history)

# clang and its libFuzzer runtime are only needed here, so they are installed here, not by
# setup.sh. A machine that cannot install them skips fuzzing with a warning.
fuzzer_lib() { ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null; }
if ! command -v clang++-14 >/dev/null || [ -z "$(fuzzer_lib)" ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "fuzz: installing clang-14 libclang-rt-14-dev libomp-14-dev" >&2
  if ! DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
      clang-14 libclang-rt-14-dev libomp-14-dev >/dev/null; then
    echo "fuzz: WARNING: clang-14 with libFuzzer is not available; fuzzing SKIPPED" >&2
    exit 0
  fi
fi

start=$SECONDS
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CXX=clang++-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOOLBENCH_FUZZ=ON \
  -DPOOLBENCH_SANITIZE=address,undefined -DPOOLBENCH_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"
echo "fuzz: built in $((SECONDS - start)) s" >&2

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
failed=()
for t in "${targets[@]}"; do
  work="$build/fuzz-$t"
  rm -rf "$work" && mkdir -p "$work/corpus"
  # New inputs go to a scratch corpus; the seeds in the repository are only read.
  if ! "$build/fuzz/fuzz_$t" "$work/corpus" "fuzz/corpus/$t" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$work/" \
      -print_final_stats=1 >"$work/log" 2>&1; then
    echo "fuzz: $t FAILED; the input and its log:" >&2
    ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null >&2 || true
    tail -40 "$work/log" >&2
    failed+=("$t")
    continue
  fi
  echo "fuzz: $t clean ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" |
    grep -o '[0-9]*$') runs in $seconds s)" >&2
done
echo "fuzz: took $((SECONDS - start)) s" >&2
if ((${#failed[@]})); then
  echo "fuzz: findings in ${failed[*]}" >&2
  exit 1
fi
