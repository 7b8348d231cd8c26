// The text of the report's facts and table cells, shared by the Markdown and by SummaryJson()
// (which the HTML page lays out), so that the two print the same words and numbers. The text is
// plain: each renderer escapes it for its own format.
#pragma once

#include <string>
#include <vector>

#include "render/render.hpp"

namespace poolbench::render {

// Three significant digits, as the times are printed.
std::string Num(double v);

// A result's cells: time (the statistic), GB/s, percent of the level's bandwidth, speed-up over
// naive_loops, best peer and the ratio to it, and the ratio to the fastest. "–" when unknown.
std::string TimeText(const Result& r);
std::string GbpsText(const Result& r);
// The fastest and slowest repetition relative to the time, "-2.1/+3.4%"; "–" with one.
std::string SpreadText(const Result& r);
std::string BandwidthText(const Result& r);
std::string SpeedupText(const Result& r);
// The statistic's 95% interval as a half-width, "±3.2%", with "(1 process)" when it is over the
// repetitions of one process only; "–" when there is none.
std::string IntervalText(const Result& r);
// "3/3, ±2.1% between, ±0.4% within": processes with a clean repetition out of those that
// measured the result, and the spread of their times and of repetitions inside one.
std::string ProcessesText(const Result& r);
// A ratio, "1.42×", and with its interval, "1.42× (1.31–1.55)".
std::string RatioText(const std::optional<report::Ratio>& r);
std::string RatioIntervalText(const std::optional<report::Ratio>& r);
// The best peer's name, with its layout when it differs from the result's ("xnnpack (nhwc)").
std::string BestPeerText(const Result& r);
std::string VsBestPeerText(const Result& r);
// "1.00×" for the fastest of its problem, "2.41×" for a result that takes 2.41 times as long.
std::string VsFastestText(const Result& r);

// "1 thread", "2 threads".
std::string Threads(int threads);

// Where a problem's data lives, e.g. "data in L2" or "data in L2 at 1 thread, L3 at 2 threads"
// (several cores' caches hold more); empty when no result names a level.
std::string WhereText(const ProblemResults& p);
// "980 KiB moved per call, data in L2.", empty when no result knows its bytes.
std::string DataText(const ProblemResults& p);

// A problem's bytes per call and where its data lives, short, for the matrix's rows: "980 KiB
// in L2", "64 MiB in DRAM (1 thread), L3 (2 threads)". Only results at `threads` count (0: all).
std::string RowDataText(const ProblemResults& p, int threads);

// The text of a matrix cell, in parts each renderer lays out in its own way.
struct CellText {
  std::string main;      // the time, or the label: WRONG, CRASHED, ERROR, skipped, –
  std::string speedup;   // "6.32×" (vs naive_loops), empty when unknown or not ranked
  std::string roofline;  // "18%" of the level's bandwidth, empty when unknown
  std::string threads;   // "2 thr" when the cell's thread count is shown, else empty
  std::string note;      // the error message or the reason for skipping, else empty
};
CellText MatrixCellText(const MatrixCell& c);

// The paragraph under the matrix that says how to read it.
std::string MatrixNote();

// The speed-up of a thread scaling entry as text: "1.84×".
std::string Ratio(double v);

// One row of the context table; `code` when the value is shown as code (flags, revisions).
struct Fact {
  std::string label;
  std::string value;
  bool code = false;
};
std::vector<Fact> ContextFacts(const report::Context& ctx);

// A report that `report merge` joined: the file and "host, shard I/N" (either may be empty).
struct MergedFromLine {
  std::string file;
  std::string detail;
};
std::vector<MergedFromLine> MergedFromList(const report::Context& ctx);

// The skipped pairs, one group per (strategy, reason) in the order they first appear.
struct SkippedGroup {
  std::string strategy;
  std::string reason;
  std::vector<std::string> descriptors;
};
std::vector<SkippedGroup> SkippedGroups(const report::Context& ctx);

// For the partial report of an interrupted bench, what stopped it, how far it got and how to
// finish it; empty for a complete report.
std::string IncompleteText(const report::Context& ctx);

// The paragraph that explains the results tables.
std::string ResultsNote(bool with_peers);

}  // namespace poolbench::render
