// Test helper for the history renderers: a history of two benchmarks over ten commits, one
// with a step at the seventh commit and one with a wrong result.
#pragma once

#include <string>

#include "history/trends.hpp"

namespace poolbench::testing {

inline history::History SteppedHistory() {
  history::History h;
  history::Series stepped{"simd/max:fwd:f32:nchw:1x1x8x8:k2x2/threads:1",
                          "simd",
                          "max:fwd:f32:nchw:1x1x8x8:k2x2",
                          1,
                          {}};
  history::Series odd{"lookup_table/<odd & name>/threads:2", "lookup_table", "<odd & name>", 2, {}};
  for (int i = 0; i < 10; ++i) {
    const std::string commit = "c" + std::to_string(i) + "00000000000000000000000000000000000000";
    const std::string date =
        "2026-11-" + std::string(i < 9 ? "0" : "") + std::to_string(i + 1) + "T12:00:00Z";
    h.runs.push_back({commit, date, "main", "ci-1", "Xeon", 2});
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

}  // namespace poolbench::testing
