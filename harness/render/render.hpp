// Rendering a loaded report for people: Markdown (CI job summaries), CSV (spreadsheets) and an
// HTML page with charts. Summarise() below is the one place that groups, selects and ranks
// results: every renderer, bench's console summary and the HTML page (drawn by
// scripts/plot_report.py from SummaryJson()) show what it decided.
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
  // The fastest and slowest repetition, when repetitions > 1 and the report holds them.
  std::optional<double> min_ns, max_ns;
  std::optional<int64_t> bytes_moved;
  std::optional<double> gbps;
  std::optional<double> bandwidth_fraction;
  std::string bandwidth_level;
  std::optional<double> speedup;  // naive_loops time / this time, same threads
  bool peer = false;              // the strategy is one of the report's peers (Peers())
  // The fastest ranked peer at the same thread count on the same problem in either layout
  // (each side is compared in the layout it does best), and its time divided by this time:
  // above 1, this result is faster than every peer. Unset when no peer was ranked there.
  std::string best_peer;
  std::string best_peer_layout;
  std::optional<double> vs_best_peer;
};

// Why a result is not ranked, for the list under a problem's table and the matrix: "WRONG" for a
// failed cross-check, any other verdict but "pass" in capitals with '_' as a space (e.g.
// "CRASHED", "TIMED OUT"), "ERROR" for a run that reported another error, "UNVERIFIED"
// otherwise.
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
// Ranked results also get their best peer (Result::best_peer).
std::vector<ProblemResults> Summarise(const report::Json& report);

// The strategies the report's context names as peers; empty for reports that name none.
std::vector<std::string> Peers(const report::Json& report);

// One cell of the matrix of problems × strategies.
struct MatrixCell {
  enum class State {
    kRanked,    // `result` passed and was timed
    kUnranked,  // `result` is wrong, crashed, timed out or failed otherwise (UnrankedLabel)
    kSkipped,   // the strategy does not support the problem: `reason`
    kNotRun,    // the report has nothing of this strategy on this problem
  };
  State state = State::kNotRun;
  Result result;       // kRanked and kUnranked
  std::string reason;  // kSkipped
  // The fastest ranked cell of its row (ties: every one of them).
  bool winner = false;
  // In a matrix over several thread counts: the result is from more than one of them (the
  // fastest for a ranked cell; an unranked cell shows the first thread count that failed).
  bool threads_shown = false;
};

// The answer at a glance: one row per problem (in Summarise()'s order), one column per strategy
// (the reference first, then the others by name, then the peers by name: the same order in
// every report).
// Nothing is left out: wrong, crashed and skipped strategies keep their cells.
struct Matrix {
  // "1 thread", "2 threads", or "best of 1, 2 threads".
  std::string title;
  // The thread count of every cell; 0 for the best-of matrix, whose cells each hold the
  // strategy's fastest thread count. A strategy that failed at any thread count shows the
  // failure there: a result that is wrong at one thread count is never a winner.
  int threads = 0;
  std::vector<std::string> strategies;
  std::vector<std::string> descriptors;
  // Per row: the bytes a call moves and the level the data lives in at the matrix's thread
  // count(s), e.g. "980 KiB in L2"; empty when unknown.
  std::vector<std::string> data;
  std::vector<std::vector<MatrixCell>> cells;  // [problem][strategy]
  // Per strategy: the rows it wins (ties count for each winner).
  std::vector<int> wins;
};

// The matrices of a report: with several thread counts, the best-of matrix first and then one
// per thread count; with one, just that one. `problems` is Summarise(report).
std::vector<Matrix> Matrices(const report::Json& report,
                             const std::vector<ProblemResults>& problems);

// How a strategy scales from its lowest thread count to a higher one: the speed-up (time at
// `base_threads` / time at `threads`) on each problem where both were ranked, and their
// geometric mean.
struct Scaling {
  std::string strategy;
  int base_threads = 1;
  int threads = 2;
  std::vector<std::pair<std::string, double>> speedups;  // (descriptor, speed-up)
  double geomean = 0, min = 0, max = 0;
};

// Every strategy run at several thread counts, one entry per higher thread count, strategies in
// the matrix's column order. Single-threaded strategies run only at one and have none.
std::vector<Scaling> ThreadScaling(const std::vector<ProblemResults>& problems);

// Everything the HTML page shows, decided and formatted here so that scripts/plot_report.py
// only lays it out and draws charts: the context facts, the measured bandwidth, the problems
// with their ranked (with display cells) and unranked results, and the skipped pairs.
report::Json SummaryJson(const report::Json& report);

// The report as Markdown: build and machine facts, the measured bandwidth, one ranking table
// per problem with wrong strategies listed under it, and the skipped pairs in <details>.
std::string Markdown(const report::Json& report);

// The report as CSV (RFC 4180): a header and one row per (strategy, descriptor, threads).
std::string Csv(const report::Json& report);

// Writes the report as a self-contained HTML page with charts to `html_path`, atomically, by
// handing SummaryJson(report) to scripts/plot_report.py (interpreter: $POOLBENCH_PYTHON, default
// /usr/bin/python3; script folder: $POOLBENCH_SCRIPT_DIR). Throws ReportError when the script
// is missing, cannot be run or fails, and FileError when the page cannot be written.
void WriteHtml(const report::Json& report, const std::string& html_path);

}  // namespace poolbench::render
