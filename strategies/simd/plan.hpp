// The simd strategy's plan of one problem: its geometry, computed once in Prepare and read by
// the per-target kernels, and the kernels' entry points. Each entry point runs a range of
// independent work units [begin, end), so that threads split a problem by splitting the range.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "poolbench/strategy.hpp"
#include "poolbench/window.hpp"
#include "strategies/simd/dtypes.hpp"

namespace poolbench::simd {

// How NCHW forward reduces a row of windows.
enum class NchwPath {
  // Vectors over output columns, every tap loaded from the input (indices, i32 avg, and
  // 2-wide stride-2 windows without borders, which one de-interleaved load per row serves).
  kDirect,
  // Max values and float averages: the window's rows are reduced first into a scratch row
  // (contiguous vectors), then its columns, over padding stored as the identity so that border
  // windows need no special case.
  kSeparable,
  // One window covering each plane.
  kGlobal,
};

struct Plan {
  // `threads`: how many threads will share the units (it decides the channel chunks).
  Plan(const Problem& problem, int threads);

  // The problem as the kernels see it: NHWC with one channel is NCHW (the same memory), so it
  // takes the NCHW kernels, which vectorise over output columns instead of one channel.
  Problem p;
  int64_t oh = 0, ow = 0;
  // The valid taps of every output row and column.
  std::vector<TapRange> rows, cols;
  // One window covering the whole input with no dilation: a reduction of each (n, c) plane.
  bool global = false;
  // NHWC float avg of one window over each image: each chunk of channels summed over the pixels
  // (GlobalAvgNhwc).
  bool nhwc_global_sum = false;
  // NCHW max (with or without indices) and float avg of 2x2 windows tiling the input, rows of
  // at least 128 bits of outputs (Tile2x2Nchw).
  bool nchw_tile2x2 = false;
  // The windows tile the input: stride == kernel, no padding or dilation, no partial window.
  // Their backward writes each input element once (rows and columns past the last window get
  // zeros), and output rows are independent.
  bool tiles = false;
  // Output columns [full_lo, full_hi) have windows wholly inside the input horizontally.
  int64_t full_lo = 0, full_hi = 0;

  // NCHW forward. Column taps are loaded by `stride_kind`: 1 contiguous, 2 de-interleaved,
  // 0 gathered; `kw_fixed` is 2 or 3 when a de-interleaved load serves two taps (stride 2, no
  // dilation), else 0.
  NchwPath nchw = NchwPath::kDirect;
  int stride_kind = 1, kw_fixed = 0;
  // kDirect: the output columns [vlo, vhi) whose taps and loads stay inside the row; the
  // others are reduced one by one.
  int64_t vlo = 0, vhi = 0;
  // kSeparable: a scratch row of `scratch_elements` per thread, the row reductions stored from
  // element `pad_left`; avg multiplies by row_scale[oy] * col_scale[ox] (1 / divisor, factored
  // by axis), in the data's type, as does NHWC float avg.
  int64_t pad_left = 0, scratch_elements = 0;
  std::vector<double> row_scale;
  // col_scale in each float dtype simd implements (ColScale<T>() picks the data's).
  std::tuple<std::vector<float>, std::vector<double>> col_scales;
  // The column scales in T, or nullptr for an integer dtype (whose averages divide exactly).
  template <class T>
  const T* ColScale() const {
    if constexpr (IsFloat<T>) {
      return std::get<std::vector<T>>(col_scales).data();
    } else {
      return nullptr;
    }
  }

  // Outputs too large to stay in cache, written once by whole aligned vectors, go out with
  // non-temporal stores: they are never read again, and their lines need not be fetched first.
  // Backward: the gradients of tilings and gathers. Forward: NHWC when the channels fill whole
  // cache lines, and NCHW rows that go through RowWriter.
  bool stream = false;

  // NCHW float avg backward other than tilings is separable too: per output row, the column
  // scatter of gradient * col_scale (padded with zeros from element g_offset of a scratch row
  // of g_elements, after h_elements for its result), then each valid input row adds
  // row_scale[oy] times that result.
  int64_t h_elements = 0, g_offset = 0, g_elements = 0;

  // NHWC float avg backward other than tilings gathers each input pixel's gradient from the
  // windows that cover it, so that each is written once (non-temporally when large) and rows
  // are independent: the output rows whose valid taps include input row y are
  // cover_rows[cover_row_start[y] ... cover_row_start[y + 1]), and likewise the output columns
  // of input column x. (Max backward adds each window's winners instead: its gather would
  // compare every covering window's saved index, which costs more than the adds it saves.)
  std::vector<int64_t> cover_row_start, cover_rows, cover_col_start, cover_cols;
  // The most windows covering one input pixel.
  int64_t cover_max = 0;
  // Bytes of scratch each thread needs (scratch_elements of the data, or the gather's lists).
  int64_t ScratchBytes() const;

  // The other NHWC backwards split each image into chunks of channels (the images' windows
  // overlap, their channels never do): `chunks` chunks of `chunk_channels` channels (the last one
  // shorter).
  int64_t chunks = 1, chunk_channels = 0;

  // Whether NHWC backward gathers (see cover_rows).
  bool GathersBackward() const;

  // Forward units: (n, output row) for NHWC, (plane, output row) for NCHW. Backward units:
  // the same for tiles; else for NHWC (n, input row) when gathering, (n, channel chunk) when
  // not; for NCHW, planes.
  int64_t ForwardUnits() const;
  int64_t BackwardUnits() const;

  // What the plan chose, in a short phrase, with full vectors of `lanes` lanes of the data.
  std::string Describe(int64_t lanes) const;
  // Roughly how long the plan's kernel takes on one thread, in nanoseconds, from its path's
  // time per input byte (which decides whether a second thread repays waking it).
  int64_t OneThreadNanos() const;
};

// The kernels, over the plan's work units [begin, end). Forward writes dst and, when the
// problem asks for them, the argmax indices; NCHW's separable path reads `scratch`
// (plan.scratch_elements of the data type, this thread's own, set up by PrepareScratch), as
// does NCHW's separable avg backward. Backward reads the indices its forward saved (max) and
// writes diff_src.
using ForwardFn = void (*)(const Plan& plan, const void* src, void* dst, int64_t* indices,
                           void* scratch, int64_t begin, int64_t end);
using BackwardFn = void (*)(const Plan& plan, const void* diff_dst, const int64_t* indices,
                            void* diff_src, void* scratch, int64_t begin, int64_t end);

// Each returns the kernel of the machine's best instruction set (Highway's dynamic dispatch,
// once, in Prepare) with every choice the plan makes (dtype, op, indices, window width and
// stride, vector width) already taken, so that a run only runs.
// NHWC vectors over channels, forward.
ForwardFn NhwcForward(const Plan& plan);
// NCHW forward other than 2x2 tilings.
ForwardFn NchwForward(const Plan& plan);
// NHWC global float avg (plan.nhwc_global_sum).
ForwardFn NhwcGlobalAvg(const Plan& plan);
// NCHW 2x2 tiling forward (plan.nchw_tile2x2).
ForwardFn NchwTile2x2(const Plan& plan);
BackwardFn BackwardKernel(const Plan& plan);

// Sets up one thread's scratch (Plan::ScratchBytes()) before its first run: the padding that
// the separable paths read around what each row writes (the identity of the reduction forward,
// zeros backward).
void PrepareScratch(const Plan& plan, void* scratch);

}  // namespace poolbench::simd
