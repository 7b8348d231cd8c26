// Rendering a loaded report for people: Markdown (CI job summaries), CSV (spreadsheets) and an
// HTML page with charts. Summarise() below is the one place that groups, selects and ranks
// results: every renderer, bench's console summary and the HTML page (drawn by
// scripts/plot_report.py from SummaryJson()) show what it decided.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/model.hpp"
#include "report/statistic.hpp"

namespace poolbench::render {

// A result, as the report model holds it: every view reads the model's statistic and derived
// fields (report/model.hpp) and decides nothing about them.
using Result = report::Result;

// Why a result is not ranked, for the list under a problem's table and the matrix: "WRONG" for a
// failed cross-check, any other verdict in capitals with '_' as a space (e.g. "CRASHED", "TIMED
// OUT"), "ERROR" for an error entry without a verdict, "UNTIMED" for a result without a time.
std::string UnrankedLabel(const Result& r);

// The results of one problem (descriptor): ranked ones fastest first, the others apart.
struct ProblemResults {
  std::string descriptor;
  std::vector<Result> ranked;
  std::vector<Result> unranked;
};

// The run's results by problem (descriptor), in the order problems first appear: the timed ones
// (Result::Timed) fastest first, the others apart.
std::vector<ProblemResults> Summarise(const report::Run& run);

// The leaders of `ranked` (timed results, fastest first): the fastest, and every other result
// that cannot be told apart from it (report::Separated). One leader is a winner; several tie.
std::vector<const Result*> Leaders(const std::vector<Result>& ranked);

// What a problem's ranking says, in a sentence: "fastest: simd (1 thread)", "tie: simd (1
// thread), onednn (2 threads) cannot be told apart", or why there is no answer.
std::string VerdictText(const ProblemResults& p);

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
  // The fastest ranked cell of its row, when it can be told apart from every other
  // (report::Separated): the row's winner.
  bool winner = false;
  // The fastest ranked cell and those that cannot be told apart from it, when there are
  // several: the row is a tie between them, and has no winner.
  bool tied = false;
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
  // Per strategy: the rows it wins outright, and the rows it ties for first place.
  std::vector<int> wins, ties;
};

// The matrices of a report: with several thread counts, the best-of matrix first and then one
// per thread count; with one, just that one. `problems` is Summarise(report).
std::vector<Matrix> Matrices(const report::Run& run, const std::vector<ProblemResults>& problems);

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
report::Json SummaryJson(const report::Run& run);

// The report as Markdown: build and machine facts, the measured bandwidth, one ranking table
// per problem with wrong strategies listed under it, and the skipped pairs in <details>.
std::string Markdown(const report::Run& run);

// The report as CSV (RFC 4180): a header and one row per (strategy, descriptor, threads).
std::string Csv(const report::Run& run);

// Writes the report as a self-contained HTML page with charts to `html_path`, atomically, by
// handing SummaryJson(report) to scripts/plot_report.py (interpreter: $POOLBENCH_PYTHON, default
// /usr/bin/python3; script folder: $POOLBENCH_SCRIPT_DIR). Throws ReportError when the script
// is missing, cannot be run or fails, and FileError when the page cannot be written.
void WriteHtml(const report::Run& run, const std::string& html_path);

}  // namespace poolbench::render
