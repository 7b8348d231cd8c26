#!/usr/bin/env bash
# Measures compare's gate on this machine: A/A comparisons (one build against itself) must
# report no regression, and a real, calibrated +25% slowdown of one strategy (the test plugin
# tests/plugins/slowed_plugin.cpp wrapping strided_view) must be flagged on its problems and
# nothing else. Each measurement is done twice: with `poolbench ab` (interleaved rounds,
# round-paired test, Benjamini-Hochberg, noise floor) and with the plain design (two separate
# bench runs, `compare --threshold 0.10 --correction none`), with the same number of timed
# repetitions per side. Writes everything to OUT and a summary to OUT/summary.txt.
#
# usage: scripts/gate_measure.sh [BUILD_DIR] [OUT_DIR]
#   environment: AA (A/A comparisons, 10), PLAIN_AA (plain A/A pairs, same as AA), ROUNDS (4),
#   REPS (repetitions per ab round, 2; the plain runs get ROUNDS x REPS), SUITE
#   (seeds,networks), PROBLEMS (descriptors added to the suite, space-separated), THREADS (1,2),
#   MIN_TIME (0.05), THRESHOLD (0.10), SLOWDOWN (0.25), SLOW_PLAIN (1: also the plain design
#   on the slowdown), SLOW (0: skip the slowdown, e.g. for a second A/A series in parallel)
set -euo pipefail
build="$(realpath "${1:-build}")"
out="$(realpath -m "${2:-out/gate}")"
aa="${AA:-10}" plain_aa="${PLAIN_AA:-${AA:-10}}" rounds="${ROUNDS:-4}" reps="${REPS:-2}"
suite="${SUITE:-seeds,networks}" threads="${THREADS:-1,2}" min_time="${MIN_TIME:-0.05}"
threshold="${THRESHOLD:-0.10}" slowdown="${SLOWDOWN:-0.25}"
exe="$build/poolbench"
plugin="$build/tests/plugins/tools/slowed_plugin.so"
for f in "$exe" "$plugin"; do
  [[ -e "$f" ]] || { echo "gate_measure: $f is missing (build poolbench and test_slowed_plugin)" >&2; exit 2; }
done
mkdir -p "$out"
# The sides: the same build with the slowed plugin, slowed by 0 or by $slowdown.
printf '#!/bin/sh\nexec "%s" --plugin "%s" "$@"\n' "$exe" "$plugin" > "$out/same.sh"
printf '#!/bin/sh\nPOOLBENCH_SLOWDOWN=%s exec "%s" --plugin "%s" "$@"\n' "$slowdown" "$exe" \
  "$plugin" > "$out/slowed.sh"
chmod +x "$out/same.sh" "$out/slowed.sh"
bench_opts=(--suite "$suite" --threads "$threads" --min-time "$min_time")
for p in ${PROBLEMS:-}; do bench_opts+=(--problem "$p"); done
summary="$out/summary.txt"
log() { echo "$*" | tee -a "$summary"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
counts() {
  python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["summary"]))' "$1" \
    2> /dev/null || echo "(no comparison written)"
}

# One interleaved comparison: ab NAME NEW_SIDE
ab() {
  local status=0
  "$exe" ab "$out/same.sh" "$2" "${bench_opts[@]}" --rounds "$rounds" --repetitions "$reps" \
    --threshold "$threshold" --json "$out/$1.json" --markdown "$out/$1.md" > /dev/null \
    2> "$out/$1.err" || status=$?
  log "$1: exit $status, $(counts "$out/$1.json"), load $(load), $(date -u +%T)"
}

# One plain comparison: two separate bench runs, then compare. plain NAME NEW_SIDE
plain() {
  local status=0
  "$out/same.sh" bench "${bench_opts[@]}" --repetitions $((rounds * reps)) \
    -o "$out/$1-base.json" > /dev/null 2>&1
  "$2" bench "${bench_opts[@]}" --repetitions $((rounds * reps)) -o "$out/$1-new.json" \
    > /dev/null 2>&1
  "$exe" compare "$out/$1-base.json" "$out/$1-new.json" --threshold "$threshold" \
    --correction none --all-rows --json "$out/$1.json" > "$out/$1.md" 2>&1 || status=$?
  log "$1: exit $status, $(counts "$out/$1.json"), load $(load), $(date -u +%T)"
}

log "gate_measure $(date -u +%FT%TZ): suite $suite, threads $threads, min-time $min_time," \
  "ab $rounds rounds x $reps repetitions, plain $((rounds * reps)) repetitions, threshold" \
  "$threshold, extra problems '${PROBLEMS:-}', $(nproc) CPUs, load $(load)"
if [[ "${SLOW:-1}" == 1 ]]; then
  ab slow-ab "$out/slowed.sh"
  if [[ "${SLOW_PLAIN:-1}" == 1 ]]; then plain slow-plain "$out/slowed.sh"; fi
fi
for i in $(seq 1 "$aa"); do
  ab "aa-ab-$i" "$out/same.sh"
  if (( i <= plain_aa )); then plain "aa-plain-$i" "$out/same.sh"; fi
done
log "done $(date -u +%FT%TZ)"
