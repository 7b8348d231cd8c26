// The JSON timing report: Google Benchmark's format ("context" + "benchmarks") with
// poolbench's own fields added, so Google Benchmark's compare.py and CI benchmark actions read
// it. The field names below are the one vocabulary of the file (reports/schema.json is the same
// contract as a JSON Schema); report/reader.hpp reads a file into the report model
// (report/model.hpp) and report/writer.hpp writes the model back.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace poolbench::report {

using Json = nlohmann::json;

class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Report format version, in context.poolbench_report_version. Version 2 writes the derived
// fields of the statistic (context.statistic) and the aggregates computed by poolbench; version
// 3 measures each result in several processes with the interference evidence of every
// repetition. The reader reads versions 1 to 3 into the same model.
inline constexpr int kVersion = 3;

// Context fields added by poolbench (next to Google Benchmark's date, host_name, num_cpus,
// mhz_per_cpu, caches, library_build_type, ...).
namespace ctx {
inline constexpr const char* kVersion = "poolbench_report_version";
// What each result's time is: "median" (report/statistic.hpp). Absent in version 1 reports.
inline constexpr const char* kStatistic = "statistic";
inline constexpr const char* kMachine = "machine";       // CPU model name
inline constexpr const char* kCompiler = "compiler";     // e.g. "GNU 12.2.0"
inline constexpr const char* kFlags = "compiler_flags";  // CMAKE_CXX_FLAGS + build type flags
inline constexpr const char* kBuildType = "build_type";  // CMAKE_BUILD_TYPE
inline constexpr const char* kGitRevision = "git_revision";
inline constexpr const char* kOmpThreads = "omp_max_threads";
inline constexpr const char* kMissingPeers = "missing_peers";
// The strategies of the run that are peers (other libraries' pooling, loaded from the default
// plugin directories), so that each result can be set against the best of them. Absent in
// reports written before it existed: then no strategy is a peer.
inline constexpr const char* kPeers = "peers";
// Measured bandwidth (report/roofline.hpp, `poolbench roofline --json`): an array of
// {level ("L1", "L2", "L3", "DRAM"), capacity_bytes (of the level usable by the threads, 0 for
// DRAM), bytes (the working set: bytes read + written per pass over all threads), threads,
// read_write_gbps ((bytes read + bytes written) / second, best of the passes)}.
inline constexpr const char* kBandwidth = "bandwidth";
// The strategies of the run written in Python, as [{name, file, timing}]: `timing` says what
// their time includes (the interpreter call, the copy of the result) and their threads.
inline constexpr const char* kPython = "python_strategies";
inline constexpr const char* kShard = "shard";      // "I/N" when the run was a shard
inline constexpr const char* kSkipped = "skipped";  // [{strategy, descriptor, reason}]
// Written by `poolbench report merge`: the reports joined, as
// [{file, host_name, machine, shard, git_revision, date}].
inline constexpr const char* kMergedFrom = "merged_from";
// The 1-minute, 5-minute and 15-minute load averages when the run ended (Google Benchmark's
// load_avg is taken when it starts).
inline constexpr const char* kLoadAvgEnd = "load_avg_end";
// The cpufreq governor of the CPUs ("performance", "powersave", ...; several joined by ", "
// when they differ), or "unknown" when /sys does not expose it.
inline constexpr const char* kGovernor = "cpu_governor";
// report/warnings.hpp: [{kind, message}] about the conditions of the run.
inline constexpr const char* kWarnings = "warnings";
// What the run was asked to do: {suite, problems, strategy, threads, repetitions, min_time,
// seed, bandwidth_seconds}, so that compare can say when two reports were run differently.
inline constexpr const char* kSettings = "bench_settings";
// Where each strategy of the run came from: {name: {origin: "in-tree"}} or {name: {origin:
// "plugin", path, sha256}} (the plugin file's SHA-256, hex).
inline constexpr const char* kOrigins = "strategy_origins";
// Present only in the partial report of an interrupted `bench`: {signal, entries, problems_done,
// problems, journal}. `bench --resume` finishes the run from the journal.
inline constexpr const char* kIncomplete = "incomplete";
}  // namespace ctx

// Per-benchmark fields added by poolbench (next to name, run_name, run_type, repetitions,
// repetition_index, threads, iterations, real_time, cpu_time, time_unit, aggregate_name,
// error_occurred, error_message).
namespace field {
inline constexpr const char* kStrategy = "strategy";
inline constexpr const char* kDescriptor = "descriptor";
inline constexpr const char* kOp = "op";
inline constexpr const char* kDirection = "direction";
inline constexpr const char* kDType = "dtype";
inline constexpr const char* kLayout = "layout";
inline constexpr const char* kBytes = "bytes_moved";  // per iteration
inline constexpr const char* kGBps = "gbps";          // bytes_moved / real_time
inline constexpr const char* kBandwidthFraction = "bandwidth_fraction";
inline constexpr const char* kBandwidthUnderMeasured = "bandwidth_under_measured";
inline constexpr const char* kBandwidthLevel = "bandwidth_level";  // level the data lives in
inline constexpr const char* kSpeedup = "speedup_vs_reference";    // naive_loops time / time
// "pass", "FAIL" (a wrong result), or how the strategy's worker ended: "crashed", "timed_out",
// "threw", "exited", "out_of_memory"; anything but "pass" comes with error_occurred.
inline constexpr const char* kVerdict = "verdict";
inline constexpr const char* kSignal = "signal";  // "SIGSEGV"..., with the verdict "crashed"
inline constexpr const char* kRepro = "repro";    // the command line that reproduces a fault
// Iterations only: which of the result's worker processes measured the repetition (0-based), what
// took the CPU away from it ({wall_ns, run_delay_ns, cpu_ns, involuntary_switches, steal_ns,
// other_busy_cpus, unmeasured}), and, when that disturbed it, why (it then has no derived
// fields and is left out of the statistic).
inline constexpr const char* kProcess = "process";
inline constexpr const char* kInterference = "interference";
inline constexpr const char* kDisturbance = "disturbance";
}  // namespace field

// A report as it is written to a file: pretty-printed, ending in a newline.
std::string Text(const Json& report);

// A value read from a file as a message quotes it: its JSON, cut short when long, with bytes
// that are not UTF-8 replaced (dump() would throw on them).
std::string Brief(const Json& value);
// The same, whole.
std::string Quote(const Json& value);

// Writes Text(report) to `path` atomically (io/atomic_file.hpp). Throws FileError.
void Save(const Json& report, const std::string& path);

}  // namespace poolbench::report
