#!/usr/bin/env bash
# The main job: set up and build, cross-check every strategy, benchmark them on the default
# problems (the seeds, the layers compared with the peers in both layouts, network layers and
# large planes), and write the JSON, Markdown, CSV and HTML reports to ${POOLBENCH_OUT:-out}/, with
# the cross-check's results as JSON and JUnit XML beside them.
# Takes a few minutes on 2 cores. Extra arguments are passed to `poolbench bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
out="${POOLBENCH_OUT:-out}"
mkdir -p "$out"

build/poolbench check --suite seeds,edge --quiet --json "$out/check.json" --junit "$out/check.xml"
build/poolbench bench --suite seeds,peers,networks,large --threads 1,2 --repetitions 3 \
  --min-time 0.05 --out "$out/report.json" "$@"
build/poolbench report "$out/report.json" --markdown "$out/report.md" --csv "$out/report.csv" \
  --html "$out/report.html"
echo "reports: $out/report.json $out/report.md $out/report.csv $out/report.html"
