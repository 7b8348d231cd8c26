#!/usr/bin/env bash
# The main job: set up and build, cross-check every strategy, benchmark them on the default
# problems (the seeds, the layers compared with the peers in both layouts, network layers and
# large planes) and the Python examples on the seed problems, and write the JSON, Markdown, CSV
# and HTML reports to ${POOLBENCH_OUT:-out}/, with the cross-check's results as JSON and JUnit
# XML beside them.
# Takes a few minutes on 2 cores. Extra arguments are passed to `poolbench bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what the main job runs (the executable, the peers' plugins, the Python host), not the tests.
scripts/setup.sh build poolbench_tools
out="${POOLBENCH_OUT:-out}"
mkdir -p "$out"

build/poolbench check --suite seeds,edge --quiet --json "$out/check.json" --junit "$out/check.xml"
# Each result in bench's default 3 worker processes of 2 repetitions, interleaved with the other
# strategies of its problem (docs/measurement.md).
build/poolbench bench --suite seeds,seed_planes,peers,networks,large --threads 1,2 \
  --out "$out/report.json" "$@"
# The NumPy and Numba idioms (examples/python/) beside the C++ strategies and the peers, on the
# seed problems only (a Python call costs microseconds, which the large suites would multiply):
# a second bench of the Python strategies, merged into the main report. bench cross-checks
# each before timing it (tests/python/ holds them to seeds,edge). Without the Python host the
# report has no Python rows and this says why.
python=(--plugin examples/python/numpy_idioms.py --plugin examples/python/lookup_table.py
        --plugin examples/python/numba_loops.py)
if python_error=$(build/poolbench "${python[@]}" list 2>&1 >/dev/null); then
  build/poolbench "${python[@]}" bench --suite seeds,seed_planes --strategy '^(numpy|numba)_' \
    --threads 1 --bandwidth-seconds 0 --out "$out/python.json"
  build/poolbench report merge "$out/report.json" "$out/python.json" --out "$out/merged.json"
  mv "$out/merged.json" "$out/report.json"
else
  echo "run: the Python strategies are left out: $python_error" >&2
fi
build/poolbench report "$out/report.json" --markdown "$out/report.md" --csv "$out/report.csv" \
  --html "$out/report.html"
echo "reports: $out/report.json $out/report.md $out/report.csv $out/report.html"
