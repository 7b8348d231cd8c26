// The pooling semantics every strategy shares, as small inline building blocks: which taps of
// a window are valid, the max replacement rule, the avg divisor and the integer rounding.
// Strategies use these so that they differ in technique, never in meaning.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "poolbench/dtype.hpp"
#include "poolbench/problem.hpp"

namespace poolbench {

// The taps k in [first, last) of one window along one axis that land inside the input:
// 0 <= start + k * dilation < input, where start = out * stride - padding.
struct TapRange {
  int64_t first = 0;
  int64_t last = 0;
  int64_t start = 0;  // input coordinate of tap 0 (may be negative)
};

inline TapRange AxisTaps(int64_t out, int64_t input, int64_t kernel, int64_t stride,
                         int64_t padding, int64_t dilation) {
  TapRange r;
  r.start = out * stride - padding;
  // Smallest k with start + k*d >= 0, largest k with start + k*d <= input - 1.
  r.first = r.start >= 0 ? 0 : (-r.start + dilation - 1) / dilation;
  const int64_t hi = input - 1 - r.start;
  r.last = hi < 0 ? 0 : std::min(kernel, hi / dilation + 1);
  if (r.last < r.first) r.last = r.first;
  return r;
}

inline TapRange RowTaps(const Problem& p, int64_t oy) {
  return AxisTaps(oy, p.h, p.kernel.h, p.stride.h, p.padding.h, p.dilation.h);
}
inline TapRange ColTaps(const Problem& p, int64_t ox) {
  return AxisTaps(ox, p.w, p.kernel.w, p.stride.w, p.padding.w, p.dilation.w);
}
// The depth axis of a 3-D problem (an inert axis has one tap at 0).
inline TapRange DepthTaps(const Problem& p, int64_t oz) {
  return AxisTaps(oz, p.d, p.depth.kernel, p.depth.stride, p.depth.padding, p.depth.dilation);
}

// The max rule: a tap replaces the current best when it is greater or NaN, compared in the
// dtype's compute type (exact: the compute type holds every value of the storage type).
// Visiting taps in row-major order with this rule gives ties to the first tap and a NaN to the
// last NaN. Written with a non-short-circuit `|` so that loops using it compile to compares and
// blends (vectorisable) rather than branches, which random data would mispredict.
template <class T>
inline bool MaxReplaces(T v, T best) {
  const Compute<T> a = ToCompute(v), b = ToCompute(best);
  if constexpr (IsFloat<T>) {
    return (a > b) | (a != a);
  } else {
    return a > b;
  }
}

// The best of `best` and a later tap `v` under the max rule.
template <class T>
inline T MaxSelect(T v, T best) {
  return MaxReplaces(v, best) ? v : best;
}

// The taps of a window along one axis that lie in the padded input [-padding, input + padding):
// what count_include_pad divides by on that axis. With dilation, count the taps, not the span.
inline int64_t PaddedTaps(int64_t start, int64_t input, int64_t kernel, int64_t padding,
                          int64_t dilation) {
  const int64_t end = std::min(start + (kernel - 1) * dilation + 1, input + padding);
  return (end - start + dilation - 1) / dilation;
}

// The avg divisor of the window whose taps start at (z0, y0, x0) with `valid` taps in range, for
// a problem of any rank (an inert axis starts at 0 and contributes one tap).
inline int64_t AvgDivisor(const Problem& p, int64_t z0, int64_t y0, int64_t x0, int64_t valid) {
  if (p.divisor_override) return *p.divisor_override;
  if (!p.count_include_pad) return valid;
  return PaddedTaps(z0, p.d, p.depth.kernel, p.depth.padding, p.depth.dilation) *
         PaddedTaps(y0, p.h, p.kernel.h, p.padding.h, p.dilation.h) *
         PaddedTaps(x0, p.w, p.kernel.w, p.padding.w, p.dilation.w);
}

// The same for a 2-D problem's window starting at (y0, x0).
inline int64_t AvgDivisor(const Problem& p, int64_t y0, int64_t x0, int64_t valid) {
  return AvgDivisor(p, 0, y0, x0, valid);
}

// Integer division rounded to the nearest integer, ties away from zero. poolbench's documented
// rounding for integer averages (and integer avg gradients): accumulate in int64, then round.
inline int64_t RoundDiv(int64_t num, int64_t den) {
  if (den < 0) num = -num, den = -den;
  const int64_t q = num / den, r = num % den;  // truncates toward zero
  if (2 * (r < 0 ? -r : r) >= den) return num < 0 ? q - 1 : q + 1;
  return q;
}

// sum / divisor as the dtype of T rounds it (its Rounding), in T's compute type: floats divide
// in the accumulator type; integers round to the nearest integer, ties away from zero, then
// wrap (i32) or saturate (the 8-bit integers) to T's range. Gradients use this unnarrowed value.
template <class T>
inline Compute<T> DivideInCompute(Acc<T> sum, int64_t divisor) {
  constexpr Rounding kRounding = DTypeOf<T>::kRounding;
  if constexpr (kRounding == Rounding::kNearestEven) {
    return static_cast<Compute<T>>(sum / static_cast<Acc<T>>(divisor));
  } else if constexpr (kRounding == Rounding::kHalfAwaySaturate) {
    const int64_t q = RoundDiv(sum, divisor);
    return static_cast<Compute<T>>(
        std::clamp<int64_t>(q, std::numeric_limits<T>::lowest(), std::numeric_limits<T>::max()));
  } else {
    return static_cast<Compute<T>>(RoundDiv(sum, divisor));
  }
}

// sum / divisor converted to T: DivideInCompute, then rounded once to the storage type.
template <class T>
inline T DivideAs(Acc<T> sum, int64_t divisor) {
  return FromCompute<T>(DivideInCompute<T>(sum, divisor));
}

// Gradient accumulation `dst += v` in a compute type. Integer gradients wrap modulo 2^bits (as
// NumPy's int32 does) so that overlapping windows never overflow into undefined behaviour and
// every summation order gives the same result.
template <class T>
inline void AddGrad(T& dst, T v) {
  if constexpr (IsFloat<T>) {
    dst += v;
  } else {
    using U = std::make_unsigned_t<T>;
    dst = static_cast<T>(static_cast<U>(static_cast<U>(dst) + static_cast<U>(v)));
  }
}

// Reduces windows [lo, hi) of one output row whose KH x KW taps all lie inside the input, with
// the kernel known at compile time: fully unrolled taps and selects instead of branches, so
// that the compiler vectorises across output columns. Tap (ky, kx) of window ox is at
//   src[origin + ox * col_step + ky * row_step + kx * tap_step],
// which is also the index written to idx[ox] (when idx is not null). A window wholly inside
// the input has KH * KW valid taps, so the avg divisor is that, or the override.
template <int KH, int KW, class T>
[[gnu::always_inline]] inline void ReduceFullWindows(const Problem& p, const T* src, int64_t origin,
                                                     int64_t col_step, int64_t row_step,
                                                     int64_t tap_step, int64_t lo, int64_t hi,
                                                     T* dst, int64_t* idx) {
  if (p.op == Op::kAvg) {
    const int64_t div = p.divisor_override.value_or(KH * KW);
    for (int64_t ox = lo; ox < hi; ++ox) {
      const T* w = src + origin + ox * col_step;
      Acc<T> sum = 0;
      for (int ky = 0; ky < KH; ++ky)
        for (int kx = 0; kx < KW; ++kx) sum += ToCompute(w[ky * row_step + kx * tap_step]);
      dst[ox] = DivideAs<T>(sum, div);
    }
  } else if (!idx) {  // values only: no index to carry through the selects
    for (int64_t ox = lo; ox < hi; ++ox) {
      const T* w = src + origin + ox * col_step;
      T best = w[0];
      for (int ky = 0; ky < KH; ++ky)
        for (int kx = ky == 0 ? 1 : 0; kx < KW; ++kx)
          best = MaxSelect(w[ky * row_step + kx * tap_step], best);
      dst[ox] = best;
    }
  } else {
    for (int64_t ox = lo; ox < hi; ++ox) {
      const int64_t o0 = origin + ox * col_step;
      T best = src[o0];
      int64_t bi = o0;
      for (int ky = 0; ky < KH; ++ky) {
        for (int kx = ky == 0 ? 1 : 0; kx < KW; ++kx) {
          const int64_t off = o0 + ky * row_step + kx * tap_step;
          const bool take = MaxReplaces(src[off], best);
          best = take ? src[off] : best;
          bi = take ? off : bi;
        }
      }
      dst[ox] = best;
      idx[ox] = bi;
    }
  }
}

// The valid tap ranges of every window of a 2-D problem, computed once, so that loops over taps
// need no bounds checks. Offsets are flat ih * W + iw within one (NCHW) plane.
class WindowGrid {
 public:
  explicit WindowGrid(const Problem& p) : p_(p) {
    const int64_t oh = OutputH(p), ow = OutputW(p);
    rows_.reserve(oh);
    cols_.reserve(ow);
    for (int64_t oy = 0; oy < oh; ++oy) rows_.push_back(RowTaps(p, oy));
    for (int64_t ox = 0; ox < ow; ++ox) cols_.push_back(ColTaps(p, ox));
  }
  int64_t oh() const { return static_cast<int64_t>(rows_.size()); }
  int64_t ow() const { return static_cast<int64_t>(cols_.size()); }
  const TapRange& Row(int64_t oy) const { return rows_[oy]; }
  const TapRange& Col(int64_t ox) const { return cols_[ox]; }

  // Calls visit(offset) for the valid taps of window (oy, ox) in row-major order.
  template <class Visit>
  void ForEachTap(int64_t oy, int64_t ox, Visit&& visit) const {
    const TapRange& r = rows_[oy];
    const TapRange& c = cols_[ox];
    for (int64_t ky = r.first; ky < r.last; ++ky) {
      const int64_t row = (r.start + ky * p_.dilation.h) * p_.w + c.start;
      for (int64_t kx = c.first; kx < c.last; ++kx) visit(row + kx * p_.dilation.w);
    }
  }
  // The offset of the max of window (oy, ox) by the MaxReplaces rule.
  template <class T>
  int64_t ArgMax(const T* plane, int64_t oy, int64_t ox) const {
    int64_t bi = -1;
    T best{};
    ForEachTap(oy, ox, [&](int64_t off) {
      const T v = plane[off];
      const bool take = (bi < 0) | MaxReplaces(v, best);
      bi = take ? off : bi;
      best = take ? v : best;
    });
    return bi;
  }
  int64_t Divisor(int64_t oy, int64_t ox) const {
    const TapRange& r = rows_[oy];
    const TapRange& c = cols_[ox];
    return AvgDivisor(p_, r.start, c.start, (r.last - r.first) * (c.last - c.first));
  }

 private:
  Problem p_;
  std::vector<TapRange> rows_, cols_;
};

}  // namespace poolbench
