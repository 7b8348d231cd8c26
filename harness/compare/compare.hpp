// Comparison of two timing reports (a base and a new run, e.g. a pull request and its target
// branch): per benchmark the medians, their ratio and a two-sided Mann-Whitney U test over the
// repetitions, and how the benchmark changed (render/comparison.hpp writes it as Markdown and
// JSON). CompareRounds
// does the same for base and new measured interleaved over several rounds (`poolbench ab`),
// testing the round-paired change instead, with a noise floor from its round-to-round spread.
// Either way the p-values are corrected across rows (multiple_testing.hpp). `poolbench
// compare` is the command line around it; CI gates on the changes, so everything here is pure logic
// that the tests drive in-process.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compare/mann_whitney.hpp"
#include "compare/multiple_testing.hpp"
#include "compare/paired_test.hpp"
#include "report/model.hpp"

namespace poolbench::compare {

struct Options {
  // A median changing by more than this fraction is a candidate regression (ratio new/base
  // above 1 + threshold) or improvement (ratio below 1 - threshold).
  double threshold = 0.05;
  // Significance level of the U test.
  double alpha = 0.05;
  // Compare reports even when their machine or build differ (the differences are listed).
  bool force = false;
  // The correction of the p-values across rows, so that alpha holds for the whole comparison.
  Correction correction = Correction::kBenjaminiHochberg;
  // The noise floor of a round comparison: a change within noise_k times the benchmark's
  // round-to-round spread of the log ratio (or within the threshold, whichever is larger) is
  // "within noise", never a regression or improvement.
  double noise_k = 2;
  // Markdown lists every benchmark, not only those that changed.
  bool all_rows = false;
};

// Reports whose machine or build differ, without --force. The message lists every field.
class IncompatibleReports : public report::ReportError {
 public:
  using report::ReportError::ReportError;
};

// The context fields that must agree for timings to be comparable. host_name, date and
// git_revision are not among them: they legitimately differ between a change and its base.
inline constexpr const char* kMachineFields[] = {report::ctx::kMachine, "num_cpus",
                                                 report::ctx::kCompiler, report::ctx::kFlags,
                                                 report::ctx::kBuildType};

// How a benchmark changed between the two reports (shown as its "verdict" in the outputs).
enum class Change {
  kWrong,        // new gives a wrong result (verdict FAIL / error) where base did not
  kRegression,   // slower beyond the threshold (and significant, when the test can tell)
  kImprovement,  // faster beyond the threshold (likewise)
  kSame,         // within the threshold, or beyond it without significance
  kAdded,        // only in new
  kRemoved,      // only in base
  kFixed,        // base was wrong, new is right: nothing to compare the time with
  kStillWrong,   // wrong in both
  kWithinNoise,  // beyond the threshold, but within the benchmark's round-to-round noise
  kDisturbed,    // other work disturbed a side too much to measure it: not compared
};
std::string_view ToString(Change v);
// Whether a change fails the comparison (exit status 1): regressions and wrong results.
bool IsFailure(Change v);

// One benchmark (run_name) in one report.
struct Side {
  std::vector<double> samples_ns;  // real time of each clean repetition that ran correctly
  double median_ns = 0;            // the result's statistic (report/statistic.hpp)
  bool failed = false;             // some repetition has verdict FAIL or error_occurred
  std::string error_message;
  // Ran correctly, but other work disturbed too many repetitions to give it a time: why.
  std::string disturbed;
};

struct Row {
  std::string run_name;
  std::string strategy, descriptor;  // from the entries, when present
  std::optional<int> threads;
  std::optional<Side> base, head;  // head: the NEW report
  Change change = Change::kSame;
  // Only when both sides ran correctly:
  std::optional<double> ratio;       // head median / base median
  std::optional<UTest> test;         // U is of the new sample against the base sample (reports)
  std::optional<PairedTest> paired;  // the round-paired test (CompareRounds)
  // CompareRounds: ln(new / base) of each round's medians, empty where it did not run on both.
  std::vector<std::optional<double>> round_log_ratios;
  std::optional<double> p_adjusted;  // p after the correction across rows
  double noise_floor = 0;            // the smallest change that counts, as a fraction
  bool ratio_only = false;           // too few samples for p < alpha: decided by the ratio alone
  std::string note;                  // why, in a phrase, when the change needs one
};

// The gate of one strategy in a round comparison (strategy_gate.hpp): its benchmarks' mean log
// ratio in each round, tested like one benchmark. A strategy that changed as a whole is found
// with far fewer rounds than each of its benchmarks alone, since the mean over many benchmarks
// (each timed in its own pair of processes) varies much less from round to round.
struct StrategyGate {
  std::string strategy;
  size_t benchmarks = 0;   // those that ran on both sides in every round
  PairedTest test;         // of the mean log ratio per round; test.ratio is the geometric mean
  double p_adjusted = 1;   // Holm across the strategies
  double noise_floor = 0;  // max(threshold, expm1(noise_k x test.spread))
  Change change = Change::kSame;  // kRegression, kImprovement or kSame
};

struct ContextDifference {
  std::string field;
  report::Json base, head;  // null when absent
};

struct Comparison {
  Options options;
  std::string base_label, head_label;  // the file names, for the output
  report::Context base_context, head_context;
  // Machine fields that differ (only possible with force) and those absent from both reports,
  // which therefore could not be checked.
  std::vector<ContextDifference> differences;
  std::vector<std::string> unchecked;
  // bench_settings fields (suite, seed, min_time, repetitions, ...) and strategy origins
  // (plugin file and SHA-256) that differ between the sides: a note, not an error, since a
  // change may be meant, but the reader must know that the runs were not alike.
  std::vector<ContextDifference> settings_differences;
  // Warnings about each side's measuring conditions (report/warnings.hpp); with several
  // rounds, one line per kind with the number of runs it applies to.
  std::vector<std::string> base_warnings, head_warnings;
  // Rounds of an interleaved comparison (CompareRounds), 0 for two single reports.
  size_t rounds = 0;
  std::vector<StrategyGate> gates;  // CompareRounds only, by strategy name
  std::vector<Row> rows;  // wrong and regressions first, then the rest, each in report order

  size_t Count(Change v) const;
  bool Failed() const;  // any regression or wrong result
  // The gate of `strategy`, or null (a comparison of two reports has none).
  const StrategyGate* Gate(const std::string& strategy) const;
};

// Compares two runs (read by report::Read). Results are matched by name; each side's time is the
// result's statistic (report/statistic.hpp) and its samples are the repetitions.
// Throws IncompatibleReports when machine fields differ without options.force,
// report::ReportError when a report has nothing to compare, the two have no benchmark in common
// (by run_name), or a time is not positive,
// std::invalid_argument for options out of range.
Comparison Compare(const report::Run& base, const report::Run& head, const Options& options,
                   const std::string& base_label = "BASE", const std::string& head_label = "NEW");

// Compares base and new measured interleaved: base_rounds[r] and head_rounds[r] are the
// runs of round r (at least 2 rounds each, the same number). Per benchmark, each round's
// median of each side forms a pair; the change is the geometric mean of the paired ratios,
// tested with Student's t over the rounds' log ratios (PairedLogRatioTest), corrected across
// rows, and held against the noise floor max(threshold, noise_k x the log ratios' spread).
// Contexts are checked like Compare's (the first round of each side); warnings cover every
// round. Throws like Compare, and std::invalid_argument for fewer than 2 rounds or unequal
// counts.
Comparison CompareRounds(const std::vector<report::Run>& base_rounds,
                         const std::vector<report::Run>& head_rounds, const Options& options,
                         const std::string& base_label = "BASE",
                         const std::string& head_label = "NEW");

// Per strategy: the benchmarks compared by time and the geometric mean of their ratios.
struct StrategySummary {
  std::string strategy;
  size_t timed = 0, regressions = 0, improvements = 0, wrong = 0;
  double geomean_ratio = 1;  // over the rows with a ratio; 1 when there are none
};
std::vector<StrategySummary> PerStrategy(const Comparison& c);

}  // namespace poolbench::compare
