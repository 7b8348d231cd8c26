// Memory bandwidth per cache level, measured on this machine: the roofline that pooling, a
// memory-bound operation, is judged against. Used by `poolbench roofline` and by `bench`,
// which records it in the report context and reports each result as a fraction of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report.hpp"

namespace poolbench {

struct BandwidthLevel {
  std::string level;          // "L1", "L2", "L3", "DRAM"
  int64_t capacity_bytes;     // size of the level (0 for DRAM)
  int64_t working_set_bytes;  // bytes read + written per pass in the measurement
  int threads;                // threads that ran the measurement
  double gbps;                // (bytes read + bytes written) / second, best of the passes
};

struct BandwidthOptions {
  int threads = 1;
  // Time spent measuring each level; the whole measurement takes about levels * this.
  double seconds_per_level = 0.2;
};

// Measures every cache level of this machine plus DRAM with a streaming read + write kernel
// over a working set sized to sit in that level.
std::vector<BandwidthLevel> MeasureBandwidth(const BandwidthOptions& opt);

// The smallest level whose capacity holds `bytes` (DRAM when none does), or nullptr if
// `levels` is empty.
const BandwidthLevel* LevelFor(const std::vector<BandwidthLevel>& levels, int64_t bytes);

report::Json ToJson(const std::vector<BandwidthLevel>& levels);
// Reads the context.bandwidth array written by ToJson; throws report::ReportError.
std::vector<BandwidthLevel> BandwidthFromJson(const report::Json& j);

}  // namespace poolbench
