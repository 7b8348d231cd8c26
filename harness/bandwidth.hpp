// Memory bandwidth per cache level, measured on this machine: the roofline that pooling, a
// memory-bound operation, is judged against. Used by `poolbench roofline` and by `bench`,
// which records it in the report context and reports each result as a fraction of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "report.hpp"

namespace poolbench {

struct BandwidthLevel {
  std::string level;  // "L1", "L2", "L3", "DRAM"
  // Bytes of the level that the measuring threads can use (0 for DRAM): a private level counts
  // once per thread (L2 with 2 threads on a machine with 2 MiB per core: 4 MiB), a shared level
  // once per instance the threads use.
  int64_t capacity_bytes;
  int64_t working_set_bytes;  // bytes read + written per pass, over all threads (half capacity)
  int threads;                // threads that ran the measurement
  double gbps;                // (bytes read + bytes written) / second, best of the passes
};

// A sanity limit on BandwidthOptions::threads: far beyond any machine's cores, below what would
// exhaust the OS's threads.
inline constexpr int kMaxBandwidthThreads = 1024;

struct BandwidthOptions {
  // Threads measuring together, each on its own slice; 0 = omp_get_max_threads().
  int threads = 1;
  // Time spent measuring each level; the whole measurement takes about levels * this, plus the
  // time to fill the DRAM working set (a few hundred MiB).
  double seconds_per_level = 0.2;
};

// Called before each level is measured, with its index, the number of levels and the level
// (gbps not yet set): for progress displays.
using BandwidthProgress =
    std::function<void(size_t index, size_t count, const BandwidthLevel& level)>;

// Measures every cache level of this machine plus DRAM with a streaming kernel that reads four
// times what it writes (the traffic of 2x2 pooling), over a working set sized to sit in that
// level. Returns the levels smallest first, with
// strictly increasing working sets; a level the OS does not report is skipped. Throws
// std::invalid_argument for threads outside [0, kMaxBandwidthThreads] or seconds_per_level not a
// positive number, and std::runtime_error if the working set cannot be allocated.
std::vector<BandwidthLevel> MeasureBandwidth(const BandwidthOptions& opt);
std::vector<BandwidthLevel> MeasureBandwidth(const BandwidthOptions& opt,
                                             const BandwidthProgress& progress);

// The smallest level whose capacity holds `bytes` (DRAM when none does; the largest cache if
// `levels` has no DRAM entry), or nullptr if `levels` is empty.
const BandwidthLevel* LevelFor(const std::vector<BandwidthLevel>& levels, int64_t bytes);

// The context.bandwidth array: one object per level with the fields level, capacity_bytes,
// bytes (the working set), threads and read_write_gbps.
report::Json ToJson(const std::vector<BandwidthLevel>& levels);
// Reads the context.bandwidth array written by ToJson; throws report::ReportError naming the
// entry and field that is missing or malformed.
std::vector<BandwidthLevel> BandwidthFromJson(const report::Json& j);

}  // namespace poolbench
