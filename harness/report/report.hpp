// The JSON timing report: Google Benchmark's format ("context" + "benchmarks") with
// poolbench's own fields added, so Google Benchmark's compare.py and CI benchmark actions read
// it. The field names below are the one vocabulary (reports/schema.json is the same contract
// as a JSON Schema); report/reader.hpp reads and validates reports, Save() writes them.
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

// Report format version, in context.poolbench_report_version.
inline constexpr int kVersion = 1;

// Context fields added by poolbench (next to Google Benchmark's date, host_name, num_cpus,
// mhz_per_cpu, caches, library_build_type, ...).
namespace ctx {
inline constexpr const char* kVersion = "poolbench_report_version";
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
inline constexpr const char* kShard = "shard";      // "I/N" when the run was a shard
inline constexpr const char* kSkipped = "skipped";  // [{strategy, descriptor, reason}]
// Written by `poolbench report merge`: the reports joined, as
// [{file, host_name, machine, shard, git_revision, date}].
inline constexpr const char* kMergedFrom = "merged_from";
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
inline constexpr const char* kBandwidthLevel = "bandwidth_level";  // level the data lives in
inline constexpr const char* kSpeedup = "speedup_vs_reference";    // naive_loops time / time
inline constexpr const char* kVerdict = "verdict";  // "pass" or "FAIL" (then error_occurred)
}  // namespace field

// A report as it is written to a file: pretty-printed, ending in a newline.
std::string Text(const Json& report);

// Writes Text(report) to `path` atomically (io/atomic_file.hpp). Throws FileError.
void Save(const Json& report, const std::string& path);

// Real time of an entry in nanoseconds (converting from its time_unit).
double RealTimeNs(const Json& entry);

}  // namespace poolbench::report
