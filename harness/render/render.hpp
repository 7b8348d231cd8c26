// Rendering a loaded report for people: Markdown (CI job summaries), CSV (spreadsheets) and an
// HTML page with charts, drawn by scripts/plot_report.py, which applies the same selection and
// ranking rules as Summarise() below; a test holds the two to the same order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/report.hpp"

namespace poolbench::render {

// One result: a strategy on a problem at one thread count, summarised over its repetitions.
struct Result {
  std::string strategy;
  std::string descriptor;
  std::string op, direction, dtype, layout;
  int threads = 1;
  // Only a result that passed the cross-check and had no error is timed and ranked. A wrong
  // strategy's time is meaningless (it may be fast because it skips work), so it is never
  // shown next to the others.
  bool ranked = false;
  std::string verdict;        // "pass", "FAIL", or empty when the entry has none
  std::string error_message;  // set when the run reported an error
  int repetitions = 1;
  double time_ns = 0;        // mean real time over the repetitions
  std::optional<double> cv;  // coefficient of variation (a fraction), repetitions > 1
  std::optional<int64_t> bytes_moved;
  std::optional<double> gbps;
  std::optional<double> bandwidth_fraction;
  std::string bandwidth_level;
  std::optional<double> speedup;  // naive_loops time / this time, same threads
};

// Why a result is not ranked, for the list under a problem's table: "WRONG" for a failed
// cross-check, "ERROR" for a run that reported another error, "UNVERIFIED" otherwise.
std::string UnrankedLabel(const Result& r);

// The results of one problem (descriptor): ranked ones fastest first, the others apart.
struct ProblemResults {
  std::string descriptor;
  std::vector<Result> ranked;
  std::vector<Result> unranked;
};

// Groups the report's entries by (descriptor, strategy, threads), in the order problems first
// appear. A group's time is its "mean" aggregate when it has one (repetitions > 1), else the
// mean of its iteration entries. A group with any error entry, or whose verdict is not
// "pass", is unranked. The report is one that report::Read or report::Validate accepted with
// Expect::kPoolbench, as for every renderer below.
std::vector<ProblemResults> Summarise(const report::Json& report);

// The report as Markdown: build and machine facts, the measured bandwidth, one ranking table
// per problem with wrong strategies listed under it, and the skipped pairs in <details>.
std::string Markdown(const report::Json& report);

// The report as CSV (RFC 4180): a header and one row per (strategy, descriptor, threads).
std::string Csv(const report::Json& report);

// Writes the report file `report_path` as a self-contained HTML page with charts to `html_path`,
// atomically, by running scripts/plot_report.py (interpreter: $POOLBENCH_PYTHON, default
// /usr/bin/python3; script folder: $POOLBENCH_SCRIPT_DIR). Throws ReportError when the script
// is missing, cannot be run or fails, and FileError when the page cannot be written.
void WriteHtml(const std::string& report_path, const std::string& html_path);

}  // namespace poolbench::render
