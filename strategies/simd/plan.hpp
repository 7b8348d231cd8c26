// The simd strategy's plan of one problem: its geometry, computed once in Prepare and read by
// the per-target kernels, and the kernels' entry points. Each entry point runs a range of
// independent work units [begin, end), so that threads split a problem by splitting the range.
#pragma once

#include <cstdint>
#include <vector>

#include "poolbench/strategy.hpp"
#include "poolbench/window.hpp"

namespace poolbench::simd {

struct Plan {
  // `threads`: how many threads will share the units (it decides the channel chunks).
  Plan(const Problem& problem, int threads);

  // The problem as the kernels see it: NHWC with one channel is NCHW (the same memory), so it
  // takes the NCHW kernels, which vectorise over output columns instead of one channel.
  Problem p;
  int64_t oh = 0, ow = 0;
  // The valid taps of every output row and column.
  std::vector<TapRange> rows, cols;
  // Output columns [full_lo, full_hi) have windows wholly inside the input horizontally (every
  // column tap valid); the NCHW kernels vectorise there and treat the others one by one.
  int64_t full_lo = 0, full_hi = 0;
  // One window covering the whole input with no dilation: a reduction of each (n, c) plane.
  bool global = false;
  // The windows tile the input: stride == kernel, no padding or dilation, no partial window.
  // Their backward writes each input element once (rows and columns past the last window get
  // zeros), and output rows are independent.
  bool tiles = false;
  // NHWC backward splits each image into chunks of channels (the images' windows overlap, their
  // channels never do): `chunks` chunks of `chunk_channels` channels (the last one shorter).
  int64_t chunks = 1, chunk_channels = 0;

  // Forward units: (n, output row) for NHWC, (plane, output row) for NCHW. Backward units:
  // the same for tiles, else (n, channel chunk) for NHWC and planes for NCHW.
  int64_t ForwardUnits() const;
  int64_t BackwardUnits() const;
};

// The kernels (dynamic dispatch to the best Highway target of the machine). Forward writes dst
// and, when `indices` is not null, the argmax indices; backward reads indices for max (saved by
// the forward) and writes diff_src.
void ForwardNhwc(const Plan& plan, const void* src, void* dst, int64_t* indices, int64_t begin,
                 int64_t end);
void ForwardNchw(const Plan& plan, const void* src, void* dst, int64_t* indices, int64_t begin,
                 int64_t end);
void Backward(const Plan& plan, const void* diff_dst, const int64_t* indices, void* diff_src,
              int64_t begin, int64_t end);

}  // namespace poolbench::simd
