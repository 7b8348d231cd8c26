// The report model: what a run measured, as typed data. A report's JSON is read into it once
// (reader.hpp) and written from it (writer.hpp); every view (bench's console, Markdown, CSV,
// HTML, compare, ab, history, resume and merge) reads these structs and the one statistic
// (statistic.hpp), as each of Google Benchmark's reporters reads its typed Run.
//
// A field added to the report is a field here, a property in reports/schema.json, a line in
// writer.cpp and reader.cpp, and a line in each view that shows it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/report.hpp"
#include "report/roofline.hpp"
#include "report/warnings.hpp"

namespace poolbench::report {

// How a strategy ended on a problem. Anything but kPass makes the result failed: it is never
// timed, ranked or used for a ratio.
enum class Verdict {
  kPass,
  kWrong,        // a wrong result ("FAIL" in the JSON)
  kCrashed,      // killed by a signal (Result::signal)
  kTimedOut,     // killed at the time limit
  kThrew,        // an exception left the strategy
  kExited,       // the strategy called exit()
  kOutOfMemory,  // the memory limit or an allocation failure
  kError,        // an error entry of a plain Google Benchmark report, without a verdict
};
// The JSON spelling: "pass", "FAIL", "crashed", "timed_out", "threw", "exited",
// "out_of_memory", and "error" for kError.
std::string_view ToString(Verdict v);
std::optional<Verdict> ParseVerdict(std::string_view s);

// What took the CPU away from one timed repetition (bench/interference.hpp measures it). Each
// optional is unset when this machine could not measure it; `unmeasured` says what.
struct Interference {
  double wall_ns = 0;                     // the repetition, all of its calls
  std::optional<double> run_delay_ns;     // the process's threads runnable but not running
  double cpu_ns = 0;                      // CPU time of the process's threads
  int64_t involuntary_switches = 0;       // the process's threads preempted
  std::optional<double> steal_ns;         // stolen by the hypervisor, over the machine
  std::optional<double> other_busy_cpus;  // CPUs' worth of work by other processes
  std::string unmeasured;
};

// One timed repetition: Google Benchmark ran the kernel `iterations` times in a row.
struct Sample {
  double real_ns = 0;  // wall time per call
  double cpu_ns = 0;   // this process's CPU time per call
  int64_t iterations = 0;
  // Which of the result's worker processes measured it (0 in reports written before results
  // were measured in several).
  int process = 0;
  std::optional<Interference> interference{};
  // Why the repetition counts as disturbed (its threads waited for a CPU...), or empty. A
  // disturbed repetition is kept in the report as evidence but never enters the statistic.
  std::string disturbance{};
  bool Disturbed() const { return !disturbance.empty(); }
};

// A 95% interval.
// Above this fraction of its level's bandwidth a result shows that the bandwidth was measured
// low (at another moment, under other load), not that the code beat the memory: a roofline is a
// limit, so such a fraction is never shown (the 5% allows for the bandwidth's own spread).
inline constexpr double kPlausibleRooflineFraction = 1.05;

struct Interval {
  double lo = 0, hi = 0;
};

// The statistic of a result and its uncertainty (statistic.hpp says how they are computed).
struct Estimate {
  std::optional<double> time_ns;  // the statistic
  std::optional<Interval> interval;
  // The standard error of log(time) and its degrees of freedom, for the intervals of ratios; 0
  // degrees of freedom when there is none.
  double log_se = 0;
  int df = 0;
  int processes = 0;            // processes with a clean repetition
  int processes_run = 0;        // processes that measured the result
  int clean = 0;                // clean repetitions over all processes
  bool kept_disturbed = false;  // disturbed repetitions counted as clean (bench --keep-disturbed)
  // The typical relative spread of repetitions inside one process, and of the processes' times
  // (a standard deviation of logarithms, as a fraction: 0.03 = 3%).
  std::optional<double> spread_within, spread_between;
};

// A ratio of two results' times, and its 95% interval.
struct Ratio {
  double value = 0;
  std::optional<Interval> interval;
};

// A strategy on a problem at one thread count: the unit every view shows.
struct Result {
  // Identity. `name` is Google Benchmark's run_name, "strategy/descriptor/threads:T" for
  // poolbench's results; a plain Google Benchmark report has only the name.
  std::string name;
  std::string strategy;
  std::string descriptor;
  std::string op, direction, dtype, layout;  // the descriptor's fields, as written
  int threads = 1;
  std::optional<int64_t> bytes_moved;  // read + written per call

  Verdict verdict = Verdict::kPass;
  std::string error_message;  // why it failed
  std::string signal;         // kCrashed: "SIGSEGV"...
  std::string repro;          // a command line that reproduces a fault

  std::vector<Sample> samples;  // every repetition, in the order they ran
  // The median a report gave as an aggregate when it kept no repetitions (Google Benchmark's
  // --benchmark_report_aggregates_only); the statistic falls back to it.
  std::optional<double> aggregate_ns;

  // Derived by Derive() from the samples and the rest of the run; never read from a file.
  Estimate estimate;              // the statistic and its uncertainty (statistic.hpp)
  std::optional<double> time_ns;  // estimate.time_ns
  // Why a correct result is not ranked: too few clean processes (statistic.hpp), or empty.
  std::string disturbed;
  std::optional<double> gbps;                // bytes_moved / time
  std::string bandwidth_level;               // the level the data lives in ("L2", "DRAM")
  std::optional<double> bandwidth_fraction;  // gbps / that level's measured bandwidth
  // The result moved its bytes faster than the level's measured bandwidth allows (a fraction
  // above kPlausibleRooflineFraction): the limit was under-measured, and no fraction is given.
  bool roofline_under_measured = false;
  std::optional<Ratio> speedup;  // the reference's single-thread time / this time
  bool peer = false;             // the strategy is one of the run's peers
  // The fastest timed peer at the same thread count on the same problem in either layout (each
  // side in the layout it does best), and its time / this time: above 1, faster than every peer.
  std::string best_peer, best_peer_layout;
  std::optional<Ratio> vs_best_peer;
  // This time / the fastest timed result of its problem (1 for the fastest, 1.5 for a result
  // that takes half as long again).
  std::optional<Ratio> vs_fastest;

  bool Failed() const { return verdict != Verdict::kPass; }
  // Correct, timed, and measured cleanly enough: ranked against the others.
  bool Timed() const { return !Failed() && disturbed.empty() && time_ns.has_value(); }
};

// A strategy that does not take a problem, and why.
struct Skip {
  std::string strategy, descriptor, reason;
  friend bool operator==(const Skip&, const Skip&) = default;
};

struct MissingPeer {
  std::string name, reason;
};

// The partial report of an interrupted bench: what stopped it and how far it got.
struct Incomplete {
  std::string signal;
  int64_t entries = 0, problems_done = 0, problems = 0;
  std::string journal;
};

// A report that `report merge` joined into this one.
struct MergedFrom {
  std::string file;
  std::optional<std::string> host_name, machine, shard, git_revision, date;
};

// What a run was, on what, and under which conditions.
struct Context {
  // The context as written, including Google Benchmark's facts (date, host_name, num_cpus,
  // mhz_per_cpu, caches, load_avg, library_build_type, ...) and poolbench's build facts, shown
  // by the views as they are. The fields below are typed copies of what logic decides on;
  // the writer writes them over `facts`.
  Json facts = Json::object();

  int version = kVersion;
  std::string machine, compiler, flags, build_type, git_revision, date, host_name;
  int num_cpus = 0;
  std::vector<std::string> peers;
  std::vector<MissingPeer> missing_peers;
  std::vector<BandwidthLevel> bandwidth;
  std::vector<Skip> skipped;
  std::vector<Warning> warnings;
  std::optional<std::string> shard;  // "I/N"
  std::vector<MergedFrom> merged_from;
  std::optional<Incomplete> incomplete;
  Json settings = Json::object();  // bench_settings: what the run was asked to do
  Json origins = Json::object();   // strategy_origins: where each strategy came from
};

struct Run {
  Context context;
  std::vector<Result> results;  // in the order they ran: problem by problem

  // The result named `name`, or null.
  const Result* Find(std::string_view name) const;
};

// The strategies that were selected but ran on no problem (every one skipped them, so they have
// no result), each with its skip reasons and how often each was given.
std::map<std::string, std::map<std::string, int>> RanOnNothing(const Run& run);

// Everything a Result holds under "Derived": the statistic of every result, then its
// throughput against the run's bandwidth, its speed-up against the reference
// (`reference_strategy`'s single-thread time on the same problem), its best peer and its
// distance from the fastest. Called by the reader and by bench before it writes.
void Derive(Run& run, std::string_view reference_strategy = "naive_loops");

// The name of a strategy's result on a problem at a thread count.
std::string ResultName(std::string_view strategy, std::string_view descriptor, int threads);

}  // namespace poolbench::report
