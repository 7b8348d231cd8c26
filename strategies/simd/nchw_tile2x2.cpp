// simd, NCHW forward of 2x2 windows that tile the input (stride 2, no padding or dilation), max
// (with or without indices) and float averages: the two rows of a window are combined first, as
// contiguous vectors (two vectors of input columns per vector of outputs), and the result is
// de-interleaved once into its even and odd columns, which are combined in turn; averages then
// take one multiplication. That is half the de-interleaving and combining of visiting the four
// taps one by one, and no per-window divisor.
// Indices follow the max rule in two steps as well: each column keeps its first largest row
// (with which row it was), and of the two columns the larger wins, a tie going to the one whose
// tap comes first in row-major order (the lower row, then the left column). A float block with
// a NaN tap, where the rule is "the last NaN", is redone window by window.
// Rows go to memory through RowWriter: past the cache, every whole line non-temporally.

// Highway compiles this file once per instruction set: foreach_target.h re-includes it by the
// path below, which must stay first.
// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "strategies/simd/nchw_tile2x2.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include <algorithm>
#include <type_traits>

#include "hwy/highway.h"
#include "poolbench/dtype.hpp"
#include "strategies/simd/plan.hpp"
#include "strategies/simd/row_writer-inl.h"
#include "strategies/simd/vector_ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

template <Reduce R, class V>
HWY_INLINE V Combine(V a, V b) {
  if constexpr (R == Reduce::kAvg) {
    return hn::Add(a, b);
  } else {
    return MaxNaN(a, b);
  }
}

// Output rows [begin, end) of (plane, oy) units, ow >= Lanes(d).
template <Reduce R, class D>
void Rows(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT src,
          hn::TFromD<D>* HWY_RESTRICT dst, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  using Writer = RowWriter<D>;
  const Problem& p = g.p;
  const int64_t W = p.w, in_plane = p.h * W, oh = g.oh;
  [[maybe_unused]] const int64_t N = static_cast<int64_t>(hn::Lanes(d));  // not on HWY_SCALAR
  // Every window has its four taps: one divisor (or the override) for all.
  const auto scale = hn::Set(
      d,
      static_cast<T>(R == Reduce::kAvg ? 1.0 / static_cast<double>(AvgDivisor(p, 0, 0, 4)) : 1.0));
  Writer writer(d, g, dst, nullptr, begin, end);
  int64_t plane = begin / oh, oy = begin % oh;
  for (int64_t unit = begin; unit < end; ++unit) {
    const T* r0 = src + plane * in_plane + 2 * oy * W;
    const T* r1 = r0 + W;
    writer.Row(unit, [&](int64_t ox, typename Writer::V& v, typename Writer::VI&) HWY_ATTR {
      const int64_t x = 2 * ox;
      if constexpr (hn::MaxLanes(D()) == 1) {
        // One-lane vectors (the scalar target): the four taps one by one.
        v = Combine<R>(Combine<R>(hn::LoadU(d, r0 + x), hn::LoadU(d, r1 + x)),
                       Combine<R>(hn::LoadU(d, r0 + x + 1), hn::LoadU(d, r1 + x + 1)));
      } else {
#if HWY_TARGET != HWY_SCALAR  // which has no ConcatEven/ConcatOdd, and takes the branch above
        const auto lo = Combine<R>(hn::LoadU(d, r0 + x), hn::LoadU(d, r1 + x));
        const auto hi = Combine<R>(hn::LoadU(d, r0 + x + N), hn::LoadU(d, r1 + x + N));
        v = Combine<R>(hn::ConcatEven(d, hi, lo), hn::ConcatOdd(d, hi, lo));
#endif
      }
      if constexpr (R == Reduce::kAvg) v = hn::Mul(v, scale);
    });
    if (++oy == oh) oy = 0, ++plane;
  }
}

// One window with the scalar max rule: (x, x + 1) of rows r0 and r1 (offset `row` in the plane).
template <class T>
HWY_INLINE void ScalarWindow(const T* HWY_RESTRICT r0, const T* HWY_RESTRICT r1, int64_t x,
                             int64_t row, int64_t W, T* HWY_RESTRICT out,
                             int64_t* HWY_RESTRICT idx) {
  T best = r0[x];
  int64_t at = row + x;
  if (MaxReplaces(r0[x + 1], best)) best = r0[x + 1], at = row + x + 1;
  if (MaxReplaces(r1[x], best)) best = r1[x], at = row + W + x;
  if (MaxReplaces(r1[x + 1], best)) best = r1[x + 1], at = row + W + x + 1;
  *out = best;
  *idx = at;
}

// Max with indices, output rows [begin, end) as in Rows.
template <class D>
void RowsWithIndices(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT src,
                     hn::TFromD<D>* HWY_RESTRICT dst, int64_t* HWY_RESTRICT indices, int64_t begin,
                     int64_t end) {
  using T = hn::TFromD<D>;
  using Writer = RowWriter<D>;
  const IndexTag<D> di;
  using TI = hn::TFromD<decltype(di)>;
  const Problem& p = g.p;
  const int64_t W = p.w, in_plane = p.h * W, oh = g.oh;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  // A column's winner: 0 for the window's first row, W for its second; lanes' columns 2 * i.
  // (The one-lane scalar target uses none of them.)
  [[maybe_unused]] const auto second_row = hn::Set(di, static_cast<TI>(W));
  [[maybe_unused]] const auto lane_cols = LaneColumns(di, 2);
  [[maybe_unused]] const auto one = hn::Set(di, TI{1});
  HWY_ALIGN T nan_v[hn::MaxLanes(d)];  // the results of a block with a NaN tap
  HWY_ALIGN int64_t nan_i[hn::MaxLanes(d)];
  Writer writer(d, g, dst, indices, begin, end);
  int64_t plane = begin / oh, oy = begin % oh;
  for (int64_t unit = begin; unit < end; ++unit) {
    const int64_t row = 2 * oy * W;
    const T* r0 = src + plane * in_plane + row;
    const T* r1 = r0 + W;
    writer.Row(
        unit, [&](int64_t ox, typename Writer::V& values, typename Writer::VI& at_plane) HWY_ATTR {
          const int64_t x = 2 * ox;
          const auto a_lo = hn::LoadU(d, r0 + x), a_hi = hn::LoadU(d, r0 + x + N);
          const auto b_lo = hn::LoadU(d, r1 + x), b_hi = hn::LoadU(d, r1 + x + N);
          // One-lane vectors (the scalar target) have no even and odd lanes: window by window.
          bool nan = hn::MaxLanes(D()) == 1;
          if constexpr (IsFloat<T> && hn::MaxLanes(D()) > 1) {
            const auto any = hn::Or(hn::Or(hn::IsNaN(a_lo), hn::IsNaN(a_hi)),
                                    hn::Or(hn::IsNaN(b_lo), hn::IsNaN(b_hi)));
            nan = !hn::AllFalse(d, any);
          }
          if (HWY_UNLIKELY(nan)) {
            for (int64_t i = 0; i < N; ++i)
              ScalarWindow(r0, r1, x + 2 * i, row, W, nan_v + i, nan_i + i);
            values = hn::Load(d, nan_v);
            at_plane = LoadIndices(di, nan_i);
            return;
          }
#if HWY_TARGET != HWY_SCALAR  // which has no ConcatEven/ConcatOdd, and takes the branch above
          if constexpr (hn::MaxLanes(D()) > 1) {
            // Each column: the second row replaces the first only when greater.
            const auto take_lo = hn::Gt(b_lo, a_lo), take_hi = hn::Gt(b_hi, a_hi);
            const auto m_lo = hn::IfThenElse(take_lo, b_lo, a_lo);
            const auto m_hi = hn::IfThenElse(take_hi, b_hi, a_hi);
            const auto w_lo = hn::IfThenElseZero(hn::RebindMask(di, take_lo), second_row);
            const auto w_hi = hn::IfThenElseZero(hn::RebindMask(di, take_hi), second_row);
            const auto m0 = hn::ConcatEven(d, m_hi, m_lo), m1 = hn::ConcatOdd(d, m_hi, m_lo);
            const auto w0 = hn::ConcatEven(di, w_hi, w_lo), w1 = hn::ConcatOdd(di, w_hi, w_lo);
            // The right column wins when greater, or equal from a lower row.
            const auto right =
                hn::Or(hn::Gt(m1, m0), hn::And(hn::Eq(m1, m0), hn::RebindMask(d, hn::Lt(w1, w0))));
            const auto at = hn::IfThenElse(hn::RebindMask(di, right), hn::Add(w1, one), w0);
            values = hn::IfThenElse(right, m1, m0);
            at_plane = hn::Add(hn::Add(at, lane_cols), hn::Set(di, static_cast<TI>(row + x)));
          }
#endif
        });
    if (++oy == oh) oy = 0, ++plane;
  }
}

// Units [begin, end) with vectors of D.
template <Reduce R, class D>
void Units(const Plan& g, const void* src, void* dst, int64_t* indices, void*, int64_t begin,
           int64_t end) {
  using T = hn::TFromD<D>;
  const auto* s = static_cast<const T*>(src);
  auto* o = static_cast<T*>(dst);
  if constexpr (R == Reduce::kMaxIndex) {
    RowsWithIndices(D(), g, s, o, indices, begin, end);
  } else {
    Rows<R>(D(), g, s, o, begin, end);
  }
}

// The wider of a full vector and a 128-bit one that the output row fills (the plan takes this
// path only for rows of at least 128 bits of outputs).
template <Reduce R, class T>
ForwardFn ForWidth(const Plan& g) {
  using D = hn::ScalableTag<T>;
  using D128 = hn::CappedTag<T, HWY_MIN(hn::MaxLanes(D()), 16 / sizeof(T))>;
  if (g.ow >= static_cast<int64_t>(hn::Lanes(D()))) return &Units<R, D>;
  return &Units<R, D128>;
}

}  // namespace

ForwardFn NchwTile2x2(const Plan& g) {
  return DispatchDType<SimdDTypes>(g.p.dtype, [&]<class T>() HWY_ATTR -> ForwardFn {
    if constexpr (IsFloat<T>) {
      if (g.p.op == Op::kAvg) return ForWidth<Reduce::kAvg, T>(g);
    }
    if (g.p.indices) return ForWidth<Reduce::kMaxIndex, T>(g);
    return ForWidth<Reduce::kMax, T>(g);
  });
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(NchwTile2x2);
ForwardFn NchwTile2x2(const Plan& plan) { return HWY_DYNAMIC_DISPATCH(NchwTile2x2)(plan); }
}  // namespace poolbench::simd
#endif
