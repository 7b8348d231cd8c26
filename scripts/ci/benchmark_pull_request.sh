#!/usr/bin/env bash
# The pull request side of .github/workflows/benchmark.yml: builds the base commit's poolbench,
# measures base and pull request, and writes the comment to post (OUT/comment.md, starting with
# the summary that `compare --markdown` or `ab --markdown` puts first). A base without poolbench
# (before it existed, or one that no longer builds) gives a comment that says so and the pull
# request's report alone, instead of a failed job.
#
# Usage: scripts/ci/benchmark_pull_request.sh BASE_DIR PR_BUILD OUT
#   BASE_DIR  a checkout of the base commit (its poolbench is built in BASE_DIR/build-base)
#   PR_BUILD  the pull request's build directory (holding poolbench)
#   OUT       where reports, the comparison and comment.md go
# Environment: BENCH_ARGS (bench options for both sides), AB_ARGS (`poolbench ab` options, used
# instead when the pull request's poolbench has `ab`), BASE_SHA (named in the comment),
# RUN_URL (linked from the comment).
# Exits 1 when the comparison finds a regression or a wrong result, else 0.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 BASE_DIR PR_BUILD OUT" >&2; exit 2; }
base_dir="$1" pr_exe="$2/poolbench" out="$3"
mkdir -p "$out"
base_sha="${BASE_SHA:-base}"
read -r -a bench_args <<<"${BENCH_ARGS:-}"
read -r -a ab_args <<<"${AB_ARGS:-}"
comment="$out/comment.md"
footer() {
  [ -n "${RUN_URL:-}" ] && printf '\n<sub>[workflow run](%s) · reports in its artifacts</sub>\n' "$RUN_URL"
  return 0
}

base_note=""
if ! [ -f "$base_dir/CMakeLists.txt" ] || ! grep -q 'project(poolbench' "$base_dir/CMakeLists.txt"; then
  base_note="The base commit \`$base_sha\` has no poolbench (no CMakeLists.txt with the poolbench project), so there is nothing to compare against."
elif ! "$base_dir/scripts/setup.sh" build-base >"$out/base-build.log" 2>&1 ||
  ! [ -x "$base_dir/build-base/poolbench" ]; then
  base_note="The base commit \`$base_sha\` does not build a poolbench executable (log: \`base-build.log\` in the artifacts), so there is nothing to compare against."
fi

if [ -n "$base_note" ]; then
  "$pr_exe" bench "${bench_args[@]}" --out "$out/pr.json"
  "$pr_exe" report "$out/pr.json" --markdown "$out/report.md"
  { echo "<!-- poolbench -->"; echo "## poolbench"; echo; echo "> **No comparison.** $base_note"
    echo "> Below is this pull request's report alone."; echo; cat "$out/report.md"; footer; } >"$comment"
  echo "benchmark_pull_request: $base_note"
  exit 0
fi

status=0
base_exe="$base_dir/build-base/poolbench"
# CLI11 prints the general help for `--help` after an unknown subcommand, so look for ab's own.
# grep reads it all (no -q): stopping at the first match would end poolbench with SIGPIPE while
# it still writes, and pipefail would take that for a poolbench without ab.
if "$pr_exe" --no-default-plugins ab --help 2>/dev/null | grep BASE_EXE >/dev/null; then
  # Base and pull request interleaved, round by round, so drift of the machine hits both.
  "$pr_exe" ab "$base_exe" "$pr_exe" "${ab_args[@]}" --json "$out/compare.json" \
    --markdown "$out/compare.md" >/dev/null || status=$?
else
  "$base_exe" bench "${bench_args[@]}" --out "$out/base.json"
  "$pr_exe" bench "${bench_args[@]}" --out "$out/pr.json"
  "$pr_exe" compare "$out/base.json" "$out/pr.json" --threshold 0.10 \
    --markdown "$out/compare.md" --json "$out/compare.json" >/dev/null || status=$?
fi
if [ "$status" -gt 1 ] || ! [ -f "$out/compare.md" ]; then
  { echo "<!-- poolbench -->"; echo "## poolbench"; echo
    echo "> **The comparison failed** (exit status $status); see the workflow log."; footer; } >"$comment"
  exit "$status"
fi
{ echo "<!-- poolbench -->"; echo "## poolbench: \`$base_sha\` → this pull request"; echo
  cat "$out/compare.md"; footer; } >"$comment"
exit "$status"
