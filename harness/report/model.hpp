// The report model: what a run measured, as typed data. A report's JSON is read into it once
// (reader.hpp) and written from it (writer.hpp); every view (bench's console, Markdown, CSV,
// HTML, compare, ab, history, resume and merge) reads these structs and the one statistic
// (statistic.hpp), as each of Google Benchmark's reporters reads its typed Run.
//
// A field added to the report is a field here, a property in reports/schema.json, a line in
// writer.cpp and reader.cpp, and a line in each view that shows it.
#pragma once

#include <cstdint>
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

// One timed repetition: Google Benchmark ran the kernel `iterations` times in a row.
struct Sample {
  double real_ns = 0;  // wall time per call
  double cpu_ns = 0;   // this process's CPU time per call
  int64_t iterations = 0;
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
  std::optional<double> time_ns;             // the statistic: the median of the samples' real time
  std::optional<double> gbps;                // bytes_moved / time
  std::string bandwidth_level;               // the level the data lives in ("L2", "DRAM")
  std::optional<double> bandwidth_fraction;  // gbps / that level's measured bandwidth
  std::optional<double> speedup;             // the reference's single-thread time / time
  bool peer = false;                         // the strategy is one of the run's peers
  // The fastest timed peer at the same thread count on the same problem in either layout (each
  // side in the layout it does best), and its time / this time: above 1, faster than every peer.
  std::string best_peer, best_peer_layout;
  std::optional<double> vs_best_peer;
  // This time / the fastest timed result of its problem at the same thread count (1 for the
  // fastest, 1.5 for a result that takes half as long again).
  std::optional<double> vs_fastest;

  bool Failed() const { return verdict != Verdict::kPass; }
  // Timed, correct, and so ranked against the others.
  bool Timed() const { return !Failed() && time_ns.has_value(); }
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

// Everything a Result holds under "Derived": the statistic of every result, then its
// throughput against the run's bandwidth, its speed-up against the reference
// (`reference_strategy`'s single-thread time on the same problem), its best peer and its
// distance from the fastest. Called by the reader and by bench before it writes.
void Derive(Run& run, std::string_view reference_strategy = "naive_loops");

// The name of a strategy's result on a problem at a thread count.
std::string ResultName(std::string_view strategy, std::string_view descriptor, int threads);

}  // namespace poolbench::report
