#!/usr/bin/env python3
"""A stand-in for the GitHub CLI in tests of scripts/ci/post_comment.sh: `gh api` against a
pull request's comments kept in a JSON file ($FAKE_GH_STATE), two comments per page, and every
call appended to the file's "calls". $FAKE_GH_FAIL makes every call fail as gh does."""
import json
import os
import sys

state_path = os.environ["FAKE_GH_STATE"]
with open(state_path) as f:
    state = json.load(f)
args = sys.argv[1:]
state["calls"].append(args)


def save():
    with open(state_path, "w") as f:
        json.dump(state, f)


if os.environ.get("FAKE_GH_FAIL"):
    save()
    print("HTTP 403: Resource not accessible by integration", file=sys.stderr)
    sys.exit(1)
if not args or args[0] != "api":
    save()
    print(f"fake gh: unsupported command {args}", file=sys.stderr)
    sys.exit(1)

method, body_file, paginate, endpoint = "GET", None, False, None
rest = args[1:]
while rest:
    a = rest.pop(0)
    if a in ("--method", "-X"):
        method = rest.pop(0)
    elif a == "--input":
        body_file = rest.pop(0)
    elif a == "--paginate":
        paginate = True
    else:
        endpoint = a
path = endpoint.split("?")[0].split("/")  # repos/OWNER/NAME/...
if path[:3] != ["repos", "o", "r"]:
    save()
    print(f"fake gh: HTTP 404: {endpoint}", file=sys.stderr)
    sys.exit(1)
path = path[3:]

if method == "GET" and path[0] == "pulls":
    print(json.dumps({"number": int(path[1]), "head": {"sha": state["head_sha"]}}))
elif method == "GET" and path[0] == "issues" and path[2] == "comments":
    comments = [c for c in state["comments"] if c["pr"] == int(path[1])]
    pages = [comments[i:i + 2] for i in range(0, len(comments), 2)] or [[]]
    for page in pages if paginate else pages[:1]:
        sys.stdout.write(json.dumps(page))
    sys.stdout.write("\n")
elif method == "POST" and path[0] == "issues" and path[2] == "comments":
    body = json.load(open(body_file))["body"]
    new = {"id": max([c["id"] for c in state["comments"]] + [100]) + 1, "pr": int(path[1]),
           "body": body, "user": {"login": state["login"]}}
    state["comments"].append(new)
    print(json.dumps(new))
elif method == "PATCH" and path[:2] == ["issues", "comments"]:
    target = [c for c in state["comments"] if c["id"] == int(path[2])]
    if not target:
        save()
        print("fake gh: HTTP 404: no such comment", file=sys.stderr)
        sys.exit(1)
    target[0]["body"] = json.load(open(body_file))["body"]
    print(json.dumps(target[0]))
else:
    save()
    print(f"fake gh: unsupported {method} {endpoint}", file=sys.stderr)
    sys.exit(1)
save()
