// The description of one pooling problem, its output shape and its validation.
//
// A Problem is plain data. Every strategy receives one, the harness generates them from
// suites and descriptors, and reports carry its descriptor (see descriptor.hpp) so that any
// row can be reproduced.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "poolbench/dtype.hpp"

namespace poolbench {

enum class Op { kMax, kAvg };
enum class Direction { kForward, kBackward };
// The memory layout, which also names the problem's spatial rank: ncw/nwc are 1-D (W),
// nchw/nhwc 2-D (H, W), ncdhw/ndhwc 3-D (D, H, W). The 2-D layouts keep their enumerators'
// values, which cross the plugin boundary.
enum class Layout { kNCHW, kNHWC, kNCW, kNWC, kNCDHW, kNDHWC };

// The number of spatial dimensions of a layout (1, 2 or 3), and whether channels come last.
int SpatialRank(Layout v);
bool ChannelsLast(Layout v);

// Per-axis window parameters of a 2-D problem: height and width.
struct Pair {
  int64_t h = 0;
  int64_t w = 0;
  friend bool operator==(const Pair&, const Pair&) = default;
};

// The window parameters of the depth axis, which only a 3-D problem uses; for rank 1 and 2 they
// keep these defaults, the values under which depth changes nothing.
struct DepthWindow {
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  friend bool operator==(const DepthWindow&, const DepthWindow&) = default;
};

// Every problem is stored as a 3-D one, N x C x D x H x W, whose axes beyond its spatial rank
// are inert (size 1, kernel 1, stride 1, padding 0, dilation 1): a 2-D problem has d = 1, and
// a 1-D problem (W only) has d = h = 1. This keeps every 2-D field (h, w, kernel.h, ...) what it
// always was, so 2-D strategies read a problem as before, while rank-generic code (the window
// rules, the reference) loops over D, H and W and needs no case per rank: an inert axis has
// one output and one tap. The depth fields come last, so that 2-D code that names fields in
// order (designated initialisers) is unchanged. The layout names the rank (SpatialRank), so a
// problem cannot disagree with itself about it; Validate refuses a non-inert axis beyond it.
struct Problem {
  Op op = Op::kMax;
  Direction direction = Direction::kForward;
  DType dtype = DType::kF32;
  Layout layout = Layout::kNCHW;
  int64_t n = 1, c = 1, h = 1, w = 1;
  Pair kernel{1, 1};
  Pair stride{1, 1};  // The descriptor parser defaults this to the kernel, as PyTorch does.
  Pair padding{0, 0};
  Pair dilation{1, 1};
  bool ceil_mode = false;
  // Avg only: divide by the window clipped to the padded input (PyTorch's default) rather
  // than by the number of valid taps.
  bool count_include_pad = true;
  // Avg only: when set, every window is divided by this instead.
  std::optional<int64_t> divisor_override;
  // Max forward only: also write the argmax index of every output, PyTorch's flat offset in the
  // (n, c) volume: (id * H + ih) * W + iw, which is ih * W + iw in 2-D and iw in 1-D.
  bool indices = false;
  // The depth axis (3-D problems only; see above).
  int64_t d = 1;
  DepthWindow depth;

  friend bool operator==(const Problem&, const Problem&) = default;
};

// Output size of one axis with PyTorch's formula, including the ceil-mode rule that no window
// may start in the right padding. May return a value < 1 for invalid problems.
int64_t OutputSize(int64_t input, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                   bool ceil_mode);

inline int64_t OutputH(const Problem& p) {
  return OutputSize(p.h, p.kernel.h, p.stride.h, p.padding.h, p.dilation.h, p.ceil_mode);
}
inline int64_t OutputW(const Problem& p) {
  return OutputSize(p.w, p.kernel.w, p.stride.w, p.padding.w, p.dilation.w, p.ceil_mode);
}
inline int64_t OutputD(const Problem& p) {
  return OutputSize(p.d, p.depth.kernel, p.depth.stride, p.depth.padding, p.depth.dilation,
                    p.ceil_mode);
}

inline int SpatialRank(const Problem& p) { return SpatialRank(p.layout); }

// The layout of a rank (1 to 3) with channels first or last: (2, false) is nchw.
Layout LayoutOf(int rank, bool channels_last);

// The layout named `text` ("ncw", "nhwc", ...), or none.
std::optional<Layout> ParseLayout(std::string_view text);

// The four window parameters, as the descriptor and pool's options name them.
enum class WindowField { kKernel, kStride, kPadding, kDilation };

// Sets one window parameter for the spatial axes of p's layout from one value (for every axis)
// or one value per axis (D, H, W order, those of the rank); the axes beyond the rank keep their
// inert values. Returns false, leaving p unchanged, when `values` has any other count.
bool SetWindow(Problem& p, WindowField field, std::span<const int64_t> values);

// One spatial axis as the window rules see it.
struct Axis {
  const char* name;  // "depth", "height" or "width"
  int64_t input, kernel, stride, padding, dilation;
};

// The axes D, H and W of a problem, in that order; those beyond its rank are inert.
std::array<Axis, 3> SpatialAxes(const Problem& p);

// Returns an empty string when the problem is valid, else a sentence naming the offending
// value. Checks every rule of docs/semantics.md: inert axes beyond the layout's rank, positive
// kernel/stride/dilation/sizes, padding in [0, effective_kernel / 2], output size >= 1, no
// window without a valid tap, and no size product that overflows 64-bit byte counts.
std::string Validate(const Problem& p);

// Number of elements of the input, the output, and (for max forward with indices) the index
// tensor (N x C x D x H x W and N x C x OD x OH x OW). Only meaningful for valid problems.
int64_t InputElements(const Problem& p);
int64_t OutputElements(const Problem& p);

std::string_view ToString(Op v);
std::string_view ToString(Direction v);
std::string_view ToString(Layout v);

}  // namespace poolbench
