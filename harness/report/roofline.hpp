// The roofline as a report records it: the measured bandwidth of each cache level and of DRAM
// (bench/bandwidth.hpp measures it), the level a problem's bytes fit in, and the
// context.bandwidth JSON that carries it in every report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/report.hpp"

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

// A sanity limit on the threads of a measurement: far beyond any machine's cores, below what would
// exhaust the OS's threads.
inline constexpr int kMaxBandwidthThreads = 1024;

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
