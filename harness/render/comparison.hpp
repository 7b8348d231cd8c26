// A comparison (compare/compare.hpp) for people and for machines: the Markdown a pull request
// shows and the JSON CI reads. The statistics are compare's; this only writes them out.
#pragma once

#include <string>

#include "compare/compare.hpp"

namespace poolbench::render {

// The comparison for a pull request, summary first: the counts and the result, the geometric
// mean change per strategy, the method and the correction used, warnings and differences of
// the runs, then the table of the benchmarks that changed (every one with options.all_rows).
std::string ComparisonMarkdown(const compare::Comparison& c);

// The comparison for machines: options, context differences, rows and summary counts.
report::Json ComparisonJson(const compare::Comparison& c);

// "2 regressions, 0 wrong results, 1 improvement, 5 same, 0 added, 0 removed" (plus fixed and
// still wrong when there are any).
std::string SummaryLine(const compare::Comparison& c);

}  // namespace poolbench::render
