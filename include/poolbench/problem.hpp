// The description of one pooling problem, its output shape and its validation.
//
// A Problem is plain data. Every strategy receives one, the harness generates them from
// suites and descriptors, and reports carry its descriptor (see descriptor.hpp) so that any
// row can be reproduced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "poolbench/dtype.hpp"

namespace poolbench {

enum class Op { kMax, kAvg };
enum class Direction { kForward, kBackward };
enum class Layout { kNCHW, kNHWC };

// Per-axis window parameters: height and width.
struct Pair {
  int64_t h = 0;
  int64_t w = 0;
  friend bool operator==(const Pair&, const Pair&) = default;
};

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
  // Max forward only: also write the argmax index (ih * W + iw) of every output.
  bool indices = false;

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

// Returns an empty string when the problem is valid, else a sentence naming the offending
// value. Checks every rule of docs/semantics.md: positive kernel/stride/dilation/sizes, padding in
// [0, effective_kernel / 2], output size >= 1, no window without a valid tap, and no size
// product that overflows 64-bit byte counts.
std::string Validate(const Problem& p);

// Number of elements of the input, the output, and (for max forward with indices) the index
// tensor. Only meaningful for valid problems.
int64_t InputElements(const Problem& p);
int64_t OutputElements(const Problem& p);

std::string_view ToString(Op v);
std::string_view ToString(Direction v);
std::string_view ToString(Layout v);

}  // namespace poolbench
