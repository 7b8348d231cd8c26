#!/usr/bin/env bash
# The fan-in side of .github/workflows/benchmark.yml on pushes to main: adds the bench reports of
# one commit, one per machine of the matrix, to the history kept on the branch poolbench-history
# (history.sqlite and the page index.html, which GitHub Pages can serve from that branch) and
# pushes it. Only this job writes the history, and it adds every machine's report in one
# `history add`, one transaction: the matrix's jobs never race on the SQLite file, and a bad
# report adds nothing (the branch is left as it was). A branch rather than an artifact:
# artifacts expire (90 days at most) and belong to one run, while the branch keeps every
# commit's results for as long as the repository lives, and the page is served straight from it.
#
# Usage: scripts/ci/publish_history.sh POOLBENCH REPORTS_DIR COMMIT [BRANCH]
#   REPORTS_DIR holds one directory per machine (as actions/download-artifact lays out the
#   matrix's artifacts), each with report.json and a file `machine` naming the machine the
#   report is stored under. BRANCH defaults to poolbench-history. Run inside the repository's
#   checkout, with a remote `origin` the job may push to. A push that loses a race with another
#   run is retried on the updated branch.
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 POOLBENCH REPORTS_DIR COMMIT [BRANCH]" >&2; exit 2; }
poolbench="$(realpath "$1")" reports_dir="$(realpath "$2")" commit="$3"
branch="${4:-poolbench-history}"

# The reports and their machines, in a stable order.
args=()
machines=()
names=()
shopt -s nullglob
for dir in "$reports_dir"/*/; do
  dir="${dir%/}"
  if [ ! -f "$dir/report.json" ] || [ ! -f "$dir/machine" ]; then
    echo "publish_history: error: $dir has no report.json or no file machine" >&2
    exit 1
  fi
  machine="$(tr -d '\n' <"$dir/machine")"
  args+=("$dir/report.json")
  machines+=(--machine "$machine")
  names+=("$machine")
done
if [ ${#args[@]} -eq 0 ]; then
  echo "publish_history: error: no machine's report in $reports_dir" >&2
  exit 1
fi

date="$(git show -s --format=%cI "$commit")"
work="$(mktemp -d)"
trap 'git worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

for attempt in 1 2 3 4 5; do
  git worktree remove --force "$work/tree" >/dev/null 2>&1 || true
  if git fetch -q origin "$branch" 2>/dev/null; then
    git worktree add -q --detach "$work/tree" FETCH_HEAD
  else
    # The first run: an orphan branch with nothing in it.
    git worktree add -q --detach "$work/tree"
    # A local name of its own (HEAD is what is pushed), free on every attempt.
    git -C "$work/tree" checkout -q --orphan "publish-history-$$-$attempt"
    git -C "$work/tree" rm -rfq . >/dev/null 2>&1 || true
  fi
  (
    cd "$work/tree"
    # --replace: a re-run of the workflow measures the commit again.
    "$poolbench" history add "${args[@]}" "${machines[@]}" --db history.sqlite \
      --commit "$commit" --date "$date" --branch main --replace
    "$poolbench" history html --db history.sqlite --out index.html \
      --title "poolbench history"
    "$poolbench" history show --db history.sqlite >history.txt
    git add history.sqlite index.html history.txt
    git -c user.name="poolbench" -c user.email="poolbench@users.noreply.github.com" \
      commit -q -m "history: add $commit (${names[*]})"
  )
  if git -C "$work/tree" push -q origin "HEAD:refs/heads/$branch"; then
    echo "publish_history: added $commit (${names[*]}) to $branch"
    exit 0
  fi
  echo "publish_history: push rejected (attempt $attempt); retrying on the updated branch" >&2
  sleep $((attempt * 5))
done
echo "publish_history: error: could not push to $branch" >&2
exit 1
