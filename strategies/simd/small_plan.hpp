// The simd strategy's path for problems whose rows (NCHW) or pixels (NHWC) are narrower than a
// vector: the seeds' small planes, where the row-wise paths would fill a fraction of each
// vector and pay their set-up per row. Prepare lists, once, where every tap of every output
// lies, and packs the flattened outputs of a group of planes (NCHW) or images (NHWC) into
// vectors whose taps, row by row of the window, fall within a few vectors of the input: a run
// loads those into registers and picks each tap's lanes out of them with permutes
// (window_lookup-inl.h), whatever the geometry (padding, ceil mode, dilation, odd and
// non-square windows), with no per-call planning at all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "poolbench/strategy.hpp"
#include "strategies/simd/dtypes.hpp"

namespace poolbench::simd {

// Vectors of `lanes` lanes over `count` flattened elements of a group of units: the outputs
// (forward), or the inputs (avg backward, whose taps are the outputs covering each input, as
// their gradients and factors). The kernels read `program` in order: per vector {first, used,
// masked, rows}, for its elements [first, first + used) and its tap rows, then per tap row
// {base, taps}: the row loads `window` vectors of the source from element `base` and holds
// `taps` taps. The taps' entries follow one another: tap t's lane i is lane_index[t * lanes +
// i], the element's position in the window, or -1 where that element has no such tap
// (`masked` says whether any lane of the vector has one); for max with indices, plane_index[t *
// lanes + i] is its index in the plane, and element_index[v * lanes + i] that of the lane's
// first valid tap (what it keeps when no tap replaces it). Lanes past `used` repeat valid
// entries; their results are never stored. (One array read in order keeps a small problem's
// chain of dependent loads short.)
struct LaneTable {
  int64_t units = 0;
  int64_t count = 0;
  int64_t window = 1;
  int64_t vectors = 0;
  int64_t most_taps = 0;  // of any vector
  std::vector<int64_t> program;
  // The entries, in the lane type of the kernels' index vectors: int32 beside 4-byte data,
  // int64 beside f64 (only one of each pair is filled).
  std::vector<int32_t> lane_index32, plane_index32, element_index32;
  std::vector<int64_t> lane_index64, plane_index64, element_index64;
  // Avg forward: each lane's divisor, as a factor (floats) or the integer poolbench rounds by
  // (i32), at v * lanes + i. Avg backward: the same for every output of the group, by output,
  // the factors followed by zeros as far as a window reads.
  std::vector<float> scale_f32;
  std::vector<double> scale_f64;
  std::vector<int64_t> divisor;
};

struct SmallPlan {
  // Whether the path suits the problem on the machine's best instruction set: rows (NCHW) or
  // pixels (NHWC) narrower than its vectors, windows that fit in registers, and tables of a
  // size that stays in cache.
  static bool Suits(const Problem& problem);
  explicit SmallPlan(const Problem& problem);

  // The problem as the kernels see it: NHWC with one channel is NCHW (the same memory).
  Problem p;
  // Lanes of the kernels' vectors: those of a full vector of the data, but for i32 avg forward,
  // which sums in int64 and so has as many lanes as int64 vectors.
  int64_t lanes = 0;
  int64_t oh = 0, ow = 0;
  bool nhwc = false;
  // A unit is a plane (NCHW) or an image (NHWC): its input and output elements.
  int64_t unit_in = 0, unit_out = 0, units = 0;
  // Max backward scatters each gradient to its saved index and needs no table: it zeroes
  // `zero_batch` units at a time (32 KiB of them, at least one), so that they are still in cache
  // when their gradients arrive, which are stored rather than added when no two windows share
  // an input (`tiles`). The others run `groups` groups of `group` units through `table`, then
  // the rest of the units through `tail`, both with windows of the same size.
  int64_t zero_batch = 1;
  bool tiles = false;
  int64_t group = 0, groups = 0;
  LaneTable table, tail;

  // Work units of Run: groups (and the tail), or units for max backward.
  int64_t WorkUnits() const;
  // Roughly how long the kernel takes on one thread, in nanoseconds (see Plan::OneThreadNanos).
  int64_t OneThreadNanos() const;
  // Bytes of scratch each thread needs: i32 avg backward's shares, one per output of a group,
  // and room for a window read past the last one.
  int64_t ScratchBytes() const;
  // What the plan chose, in a short phrase.
  std::string Describe() const;
};

// The kernels, over work units [begin, end) (see WorkUnits). Forward writes dst and, when
// `indices` is not null, the argmax indices. Backward reads the indices its own forward saved
// (max) and writes diff_src; i32 avg uses `scratch` (ScratchBytes(), this thread's own).
using SmallForwardFn = void (*)(const SmallPlan& plan, const void* src, void* dst, int64_t* indices,
                                int64_t begin, int64_t end);
using SmallBackwardFn = void (*)(const SmallPlan& plan, const void* diff_dst,
                                 const int64_t* indices, void* diff_src, void* scratch,
                                 int64_t begin, int64_t end);
// The kernel of the machine's best instruction set (Highway's dynamic dispatch, once, in
// Prepare) for the plan's dtype, op, indices and window, with vectors of plan.lanes lanes.
SmallForwardFn SmallForward(const SmallPlan& plan);
SmallBackwardFn SmallBackward(const SmallPlan& plan);

}  // namespace poolbench::simd
