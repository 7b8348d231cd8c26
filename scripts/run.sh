#!/usr/bin/env bash
# Sets up, builds and runs the main job: the cross-check of every strategy over all suites
# in every dtype, op and direction, with a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
build/poolbench check --suite seeds,edge,networks --quiet
