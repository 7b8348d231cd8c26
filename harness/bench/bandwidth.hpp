// Memory bandwidth per cache level, measured on this machine: the roofline that pooling, a
// memory-bound operation, is judged against. Used by `poolbench roofline` and by `bench`,
// which records it in the report context and reports each result as a fraction of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "report/roofline.hpp"

namespace poolbench {

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

// Measures every cache level of this machine plus DRAM with streaming kernels that read four
// times what they write (the traffic of 2x2 pooling: four streams, and two rows read in pairs
// with cached and, on x86, non-temporal stores; the fastest counts), over a working set sized to
// sit in that level. Returns the levels smallest first, with strictly increasing working sets; a
// level the OS does not report is skipped. Throws std::invalid_argument for threads outside [0,
// kMaxBandwidthThreads] or seconds_per_level not a positive number, and std::runtime_error if the
// working set cannot be allocated.
std::vector<BandwidthLevel> MeasureBandwidth(const BandwidthOptions& opt);
std::vector<BandwidthLevel> MeasureBandwidth(const BandwidthOptions& opt,
                                             const BandwidthProgress& progress);

}  // namespace poolbench
