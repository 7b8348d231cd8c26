#include "poolbench/problem.hpp"

#include <limits>
#include <sstream>

#include "poolbench/window.hpp"

namespace poolbench {
namespace {

// floor(a / b) for b > 0, also for negative a.
int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Scalars above this are refused, which keeps every sum and product of two of them below
// 2^63 in the shape arithmetic; element-count products are checked separately.
constexpr int64_t kMaxScalar = std::numeric_limits<int32_t>::max();

template <class... Args>
std::string Cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

bool MulOverflows(std::initializer_list<int64_t> factors) {
  int64_t r = 1;
  for (int64_t f : factors) {
    if (__builtin_mul_overflow(r, f, &r)) return true;
  }
  return false;
}

std::string ValidateAxis(const char* axis, int64_t input, int64_t k, int64_t s, int64_t p,
                         int64_t d, bool ceil_mode) {
  if (k <= 0) return Cat("kernel ", axis, " must be > 0 (got ", k, ")");
  if (s <= 0) return Cat("stride ", axis, " must be > 0 (got ", s, ")");
  if (d <= 0) return Cat("dilation ", axis, " must be > 0 (got ", d, ")");
  if (p < 0) return Cat("padding ", axis, " must be >= 0 (got ", p, ")");
  if (k > kMaxScalar || s > kMaxScalar || d > kMaxScalar || p > kMaxScalar) {
    return Cat("kernel, stride, padding and dilation ", axis, " must be at most ", kMaxScalar);
  }
  const int64_t effective = (k - 1) * d + 1;
  if (p > effective / 2) {
    return Cat("padding ", axis, " = ", p, " exceeds half the effective kernel ", axis, " (",
               effective, " / 2 = ", effective / 2, ")");
  }
  const int64_t out = OutputSize(input, k, s, p, d, ceil_mode);
  if (out < 1) {
    return Cat("output ", axis, " would be ", out, ": input ", axis, " ", input, " plus padding 2*",
               p, " is smaller than the effective kernel ", effective);
  }
  // Only windows that start in the left padding can miss the input entirely (a dilated
  // window stepping over it); every later window starts inside the input.
  for (int64_t o = 0; o < out && o * s - p < 0; ++o) {
    const TapRange r = AxisTaps(o, input, k, s, p, d);
    if (r.first >= r.last) {
      return Cat("window ", o, " along ", axis, " has no valid tap (kernel ", k, ", dilation ", d,
                 ", padding ", p, " over input ", axis, " ", input, ")");
    }
  }
  return {};
}

}  // namespace

int64_t OutputSize(int64_t input, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                   bool ceil_mode) {
  const int64_t span = input + 2 * padding - dilation * (kernel - 1) - 1;
  int64_t out = FloorDiv(span + (ceil_mode ? stride - 1 : 0), stride) + 1;
  if (ceil_mode && (out - 1) * stride >= input + padding) --out;
  return out;
}

std::array<Axis, 3> SpatialAxes(const Problem& p) {
  return {{{"depth", p.d, p.depth.kernel, p.depth.stride, p.depth.padding, p.depth.dilation},
           {"height", p.h, p.kernel.h, p.stride.h, p.padding.h, p.dilation.h},
           {"width", p.w, p.kernel.w, p.stride.w, p.padding.w, p.dilation.w}}};
}

std::string Validate(const Problem& p) {
  const int rank = SpatialRank(p);
  const std::array<Axis, 3> axes = SpatialAxes(p);
  // An axis the layout does not have must be inert; a problem built in code could say
  // otherwise, and a strategy of that rank would then silently ignore it.
  for (int a = 0; a < 3 - rank; ++a) {
    const Axis& x = axes[a];
    if (x.input != 1 || x.kernel != 1 || x.stride != 1 || x.padding != 0 || x.dilation != 1) {
      return Cat("a ", rank, "-D problem (layout ", ToString(p.layout), ") has no ", x.name,
                 " axis: its size, kernel, stride and dilation must be 1 and its padding 0 (got ",
                 x.input, ", ", x.kernel, ", ", x.stride, ", ", x.dilation, ", ", x.padding, ")");
    }
  }
  const struct {
    const char* name;
    int64_t value;
  } sizes[] = {{"N", p.n}, {"C", p.c}, {"D", p.d}, {"H", p.h}, {"W", p.w}};
  for (const auto& s : sizes) {
    if (s.value < 1) return Cat(s.name, " must be >= 1 (got ", s.value, ")");
    if (s.value > kMaxScalar) return Cat(s.name, " must be at most ", kMaxScalar);
  }
  for (int a = 3 - rank; a < 3; ++a) {
    const Axis& x = axes[a];
    if (std::string e =
            ValidateAxis(x.name, x.input, x.kernel, x.stride, x.padding, x.dilation, p.ceil_mode);
        !e.empty()) {
      return e;
    }
  }
  if (p.divisor_override && *p.divisor_override <= 0) {
    return Cat("divisor_override must be > 0 (got ", *p.divisor_override, ")");
  }
  if (p.divisor_override && p.op != Op::kAvg) return "divisor_override applies to avg only";
  if (p.indices && (p.op != Op::kMax || p.direction != Direction::kForward)) {
    return "indices are produced by max forward only";
  }
  if (p.direction == Direction::kBackward && !Info(p.dtype).backward) {
    return Cat("backward is not defined for ", ToString(p.dtype),
               " (its gradients would be integers that no training uses)");
  }
  // 8 bytes covers the widest element and the int64 indices.
  if (MulOverflows({p.n, p.c, p.d, p.h, p.w, 8}) ||
      MulOverflows({p.n, p.c, OutputD(p), OutputH(p), OutputW(p), 8})) {
    std::string shape = Cat(p.n, "x", p.c);
    for (int a = 3 - rank; a < 3; ++a) shape += Cat("x", axes[a].input);
    return "tensor of " + shape + " is too large: its size in bytes overflows 64 bits";
  }
  return {};
}

int64_t InputElements(const Problem& p) { return p.n * p.c * p.d * p.h * p.w; }
int64_t OutputElements(const Problem& p) {
  return p.n * p.c * OutputD(p) * OutputH(p) * OutputW(p);
}

int SpatialRank(Layout v) {
  switch (v) {
    case Layout::kNCW:
    case Layout::kNWC:
      return 1;
    case Layout::kNCDHW:
    case Layout::kNDHWC:
      return 3;
    default:
      return 2;
  }
}

Layout LayoutOf(int rank, bool channels_last) {
  if (rank == 1) return channels_last ? Layout::kNWC : Layout::kNCW;
  if (rank == 3) return channels_last ? Layout::kNDHWC : Layout::kNCDHW;
  return channels_last ? Layout::kNHWC : Layout::kNCHW;
}

std::optional<Layout> ParseLayout(std::string_view text) {
  for (Layout v :
       {Layout::kNCHW, Layout::kNHWC, Layout::kNCW, Layout::kNWC, Layout::kNCDHW, Layout::kNDHWC}) {
    if (text == ToString(v)) return v;
  }
  return std::nullopt;
}

bool SetWindow(Problem& p, WindowField field, std::span<const int64_t> values) {
  const int rank = SpatialRank(p);
  if (values.size() != 1 && values.size() != static_cast<size_t>(rank)) return false;
  const auto at = [&](int axis) {
    return values.size() == 1 ? values[0] : values[axis - 3 + rank];
  };
  const int i = static_cast<int>(field);
  int64_t* depth[] = {&p.depth.kernel, &p.depth.stride, &p.depth.padding, &p.depth.dilation};
  Pair* plane[] = {&p.kernel, &p.stride, &p.padding, &p.dilation};
  if (rank == 3) *depth[i] = at(0);
  if (rank >= 2) plane[i]->h = at(1);
  plane[i]->w = at(2);
  return true;
}

bool ChannelsLast(Layout v) {
  return v == Layout::kNHWC || v == Layout::kNWC || v == Layout::kNDHWC;
}

std::string_view ToString(Op v) { return v == Op::kMax ? "max" : "avg"; }
std::string_view ToString(Direction v) { return v == Direction::kForward ? "fwd" : "bwd"; }
std::string_view ToString(Layout v) {
  switch (v) {
    case Layout::kNCHW:
      return "nchw";
    case Layout::kNHWC:
      return "nhwc";
    case Layout::kNCW:
      return "ncw";
    case Layout::kNWC:
      return "nwc";
    case Layout::kNCDHW:
      return "ncdhw";
    case Layout::kNDHWC:
      return "ndhwc";
  }
  return "unknown";
}

}  // namespace poolbench
