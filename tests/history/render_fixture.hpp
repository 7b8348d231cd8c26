// Test helper for the history renderers: a history of two benchmarks over ten commits, one
// with a step at the seventh commit and one with a wrong result; and the same on two machines.
#pragma once

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "history/trends.hpp"

namespace poolbench::testing {

inline history::History SteppedHistory() {
  history::History h;
  history::Series stepped{"simd/max:fwd:f32:nchw:1x1x8x8:k2x2/threads:1",
                          "ci-1",
                          "simd",
                          "max:fwd:f32:nchw:1x1x8x8:k2x2",
                          1,
                          {}};
  history::Series odd{
      "lookup_table/<odd & name>/threads:2", "ci-1", "lookup_table", "<odd & name>", 2, {}};
  for (int i = 0; i < 10; ++i) {
    const std::string commit = "c" + std::to_string(i) + "00000000000000000000000000000000000000";
    const std::string date =
        "2026-11-" + std::string(i < 9 ? "0" : "") + std::to_string(i + 1) + "T12:00:00Z";
    h.runs.push_back({commit, date, "main", "ci-1", "Xeon", 2, "ci-1"});
    history::Point p;
    p.commit = commit;
    p.date = date;
    p.branch = "main";
    p.time_ns = (i < 6 ? 1000.0 : 1300.0) + i % 2;
    p.gbps = 2.5;
    stepped.points.push_back(p);
    if (i == 3) {
      p.time_ns.reset();
      p.gbps.reset();
      p.wrong = true;
    } else {
      p.time_ns = 5000.0 + i % 3;
    }
    odd.points.push_back(p);
  }
  h.trends = history::Analyse({odd, stepped}, h.options);
  return h;
}

// The stepped history on a second machine whose simd takes twice as long and has no step.
inline history::History TwoMachineHistory() {
  history::History h = SteppedHistory();
  std::vector<history::Series> series;
  for (const history::Trend& t : h.trends) {
    series.push_back(t.series);
    history::Series other = t.series;
    other.machine = "arm-1";
    for (history::Point& p : other.points) {
      if (p.time_ns) p.time_ns = 2000.0 + (p.commit[1] - '0') % 2;
    }
    series.push_back(other);
  }
  std::sort(series.begin(), series.end(), [](const history::Series& a, const history::Series& b) {
    return std::tie(a.name, a.machine) < std::tie(b.name, b.machine);
  });
  const std::vector<history::Run> runs = h.runs;
  for (const history::Run& r : runs) {
    history::Run other = r;
    other.machine = "arm-1";
    other.cpu = "Neoverse";
    h.runs.push_back(other);
  }
  std::stable_sort(h.runs.begin(), h.runs.end(),
                   [](const history::Run& a, const history::Run& b) { return a.date < b.date; });
  h.trends = history::Analyse(series, h.options);
  return h;
}

}  // namespace poolbench::testing
