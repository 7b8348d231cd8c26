#!/usr/bin/env bash
# Creates or updates poolbench's one comment on a pull request: the comment that starts with the
# hidden marker <!-- poolbench --> and was written by the workflow's account is edited in place,
# so that a pull request carries one benchmark comment however often it is pushed to. Used by
# .github/workflows/benchmark-comment.yml; needs `gh` (authenticated through GH_TOKEN) and
# python3.
#
# Usage: scripts/ci/post_comment.sh --repo OWNER/NAME --pr-file FILE --body FILE [--head-sha SHA]
#   --pr-file   a file holding the pull request's number (from the benchmark run's artifact)
#   --body      the Markdown to post; the marker is added when missing, and a body longer than a
#               comment may be is cut with a note
#   --head-sha  the commit the benchmark measured: nothing is posted unless it is still the pull
#               request's head, so an artifact cannot comment on another pull request, and an
#               outdated result does not replace a newer one
# POOLBENCH_COMMENT_AUTHOR (default github-actions[bot]) is the account whose comment is edited;
# a comment by anyone else that contains the marker is left alone.
set -euo pipefail

marker='<!-- poolbench -->'
author="${POOLBENCH_COMMENT_AUTHOR:-github-actions[bot]}"
repo="" pr_file="" body="" head_sha=""

die() {
  echo "post_comment: error: $*" >&2
  exit 2
}

while (($#)); do
  case "$1" in
    --repo) repo="${2:-}"; shift 2 ;;
    --pr-file) pr_file="${2:-}"; shift 2 ;;
    --body) body="${2:-}"; shift 2 ;;
    --head-sha) head_sha="${2:-}"; shift 2 ;;
    *) die "unknown argument '$1' (usage: --repo OWNER/NAME --pr-file FILE --body FILE [--head-sha SHA])" ;;
  esac
done
[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "--repo must be OWNER/NAME, not '$repo'"
[ -f "$pr_file" ] || die "no pull request number file '$pr_file'"
[ -f "$body" ] || die "no comment body file '$body'"
pr="$(tr -d '[:space:]' <"$pr_file")"
# The number comes from an artifact that a pull request's own workflow wrote: trust only digits.
[[ "$pr" =~ ^[0-9]{1,9}$ ]] || die "'$pr_file' does not hold a pull request number"

if [ -n "$head_sha" ]; then
  actual="$(gh api "repos/$repo/pulls/$pr" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["head"]["sha"])')"
  if [ "$actual" != "$head_sha" ]; then
    echo "post_comment: not posting: pull request #$pr is at $actual, the benchmark measured" \
      "$head_sha (a newer run posts its own result)"
    exit 0
  fi
fi

payload="$(mktemp)"
trap 'rm -f "$payload"' EXIT
python3 - "$body" "$marker" >"$payload" <<'PY'
import json, sys
path, marker = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8", errors="replace").read()
if marker not in text:
    text = marker + "\n" + text
# GitHub refuses comments over 65536 characters; keep the start (the summary comes first).
limit = 65000
if len(text) > limit:
    text = text[:limit] + "\n\n*(cut: the full comparison is in the workflow run's artifacts)*\n"
json.dump({"body": text}, sys.stdout)
PY

# gh --paginate prints one JSON array per page, back to back; read them all.
existing="$(gh api --paginate "repos/$repo/issues/$pr/comments?per_page=100" |
  python3 -c '
import json, sys
text, decoder, at = sys.stdin.read(), json.JSONDecoder(), 0
comments = []
while True:
    while at < len(text) and text[at].isspace():
        at += 1
    if at == len(text):
        break
    page, at = decoder.raw_decode(text, at)
    comments.extend(page)
marker, author = sys.argv[1], sys.argv[2]
for c in comments:
    if marker in (c.get("body") or "") and (c.get("user") or {}).get("login") == author:
        print(c["id"])
        break
' "$marker" "$author")"

if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$repo/issues/comments/$existing" --input "$payload" >/dev/null
  echo "post_comment: updated comment $existing on pull request #$pr"
else
  gh api --method POST "repos/$repo/issues/$pr/comments" --input "$payload" >/dev/null
  echo "post_comment: created the comment on pull request #$pr"
fi
