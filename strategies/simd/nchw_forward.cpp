// simd, NCHW forward: vectors over output columns of one output row (see NchwPath in plan.hpp).
// A column tap of Lanes(d) windows is one vector load (stride 1), the even lanes of a
// de-interleaved load (stride 2; with 2- and 3-wide windows one such load serves two taps) or a
// gather (other strides).
//  - Separable (max values, float avg): the window's valid rows are reduced into a scratch row
//    with contiguous vectors, then its columns; the scratch row's padding holds the identity
//    (-inf, or 0 for sums), so border windows are ordinary ones. A max is associative (NaN
//    propagating), and the cross-check bounds the rounding of any summation order.
//  - Direct (indices, which need the row-major tap order; i32 avg, exact in int64; 2-wide
//    stride-2 windows, whose de-interleaved load per row is already the whole work): taps in
//    row-major order, rows clipped per output row, and the columns whose windows leave the
//    input (padding, ceil mode) or whose loads would pass the row's end one by one.
//  - Global: each contiguous plane reduced lane-wise, then across lanes.
// Separable rows, and direct max rows that are all vectors, go to memory through RowWriter
// (non-temporally past the cache, when the plan says so).

// Highway compiles this file once per instruction set: foreach_target.h re-includes it by the
// path below, which must stay first.
// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "strategies/simd/nchw_forward.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include <algorithm>
#include <limits>
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

// Calls fn(plane, oy, unit) for the (plane, output row) units [begin, end), without a division
// per unit.
template <class Fn>
HWY_INLINE void ForUnits(const Plan& g, int64_t begin, int64_t end, Fn&& fn) {
  int64_t plane = begin / g.oh, oy = begin % g.oh;
  for (int64_t unit = begin; unit < end; ++unit) {
    fn(plane, oy, unit);
    if (++oy == g.oh) oy = 0, ++plane;
  }
}

// Lanes(d) columns of a row starting at p, S apart: S = 1 contiguous, 2 de-interleaved, 0 any
// stride (`gather` holds the lanes' offsets).
template <int S, class D>
HWY_INLINE hn::VFromD<D> LoadTap(D d, const hn::TFromD<D>* HWY_RESTRICT p,
                                 hn::VFromD<IndexTag<D>> gather) {
  if constexpr (S == 1) {
    return hn::LoadU(d, p);
  } else if constexpr (S == 2) {
    hn::VFromD<D> even, odd;
    hn::LoadInterleaved2(d, p, even, odd);
    return even;
  } else {
    return hn::GatherIndex(d, p, gather);
  }
}

// Calls visit(v, kx * dw) for the column taps of Lanes(d) windows whose tap 0 is at `row`, in
// order. KW: the window width when known at compile time (then, with S == 2, dilation is 1).
template <int KW, int S, class D, class Visit>
HWY_INLINE void VisitColumns(D d, const hn::TFromD<D>* HWY_RESTRICT row, int64_t kw, int64_t dw,
                             hn::VFromD<IndexTag<D>> gather, Visit&& visit) {
  if constexpr (S == 2 && KW > 0) {
    // Taps 2q and 2q + 1 are the even and odd lanes of one de-interleaved load. An odd width's
    // last tap is the odd lanes of a load one column earlier, which ends at the last element
    // the windows use instead of one past it.
    for (int q = 0; 2 * q + 1 < KW; ++q) {
      hn::VFromD<D> even, odd;
      hn::LoadInterleaved2(d, row + 2 * q, even, odd);
      visit(even, 2 * q);
      visit(odd, 2 * q + 1);
    }
    if constexpr (KW % 2 == 1) {
      hn::VFromD<D> even, odd;
      hn::LoadInterleaved2(d, row + KW - 2, even, odd);
      visit(odd, KW - 1);
    }
  } else {
    for (int64_t kx = 0; kx < kw; ++kx) visit(LoadTap<S>(d, row + kx * dw, gather), kx * dw);
  }
}

// ---------------------------------------------------------------------------------------------
// Direct.

// One window with poolbench's scalar rules: the columns at the borders of a row.
template <Reduce R, class T>
void ScalarWindow(const Plan& g, const T* plane, const TapRange& r, const TapRange& cc, T* out,
                  int64_t* idx) {
  const Problem& p = g.p;
  const int64_t W = p.w, dh = p.dilation.h, dw = p.dilation.w;
  if constexpr (R == Reduce::kAvg) {
    Acc<T> sum = 0;
    for (int64_t ky = r.first; ky < r.last; ++ky)
      for (int64_t kx = cc.first; kx < cc.last; ++kx)
        sum += plane[(r.start + ky * dh) * W + cc.start + kx * dw];
    *out = DivideAs<T>(sum,
                       AvgDivisor(p, r.start, cc.start, (r.last - r.first) * (cc.last - cc.first)));
  } else {
    int64_t at = (r.start + r.first * dh) * W + cc.start + cc.first * dw;
    T best = plane[at];
    for (int64_t ky = r.first; ky < r.last; ++ky) {
      for (int64_t kx = cc.first; kx < cc.last; ++kx) {
        const int64_t offset = (r.start + ky * dh) * W + cc.start + kx * dw;
        if (MaxReplaces(plane[offset], best)) best = plane[offset], at = offset;
      }
    }
    *out = best;
    if constexpr (R == Reduce::kMaxIndex) *idx = at;
  }
}

// The max (R == kMax) or max and index in the plane (kMaxIndex) of the windows of output columns
// [ox0, ox0 + Lanes(d)) of row r, all inside the input horizontally.
template <Reduce R, int KW, int S, class D>
HWY_INLINE void MaxBlock(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT plane,
                         const TapRange& r, int64_t ox0, hn::VFromD<IndexTag<D>> lane_cols,
                         hn::VFromD<D>& acc, hn::VFromD<IndexTag<D>>& at_plane) {
  const IndexTag<D> di;
  using TI = hn::TFromD<decltype(di)>;
  const Problem& p = g.p;
  const int64_t W = p.w, dh = p.dilation.h;
  const int64_t kw = KW > 0 ? KW : p.kernel.w;
  const int64_t x0 = ox0 * p.stride.w - p.padding.w;  // column of tap 0 of the first lane
  const auto* origin = plane + r.start * W + x0;      // tap (0, 0), possibly a padded row
  hn::VFromD<decltype(di)> at = hn::Zero(di);         // set by the first tap, as acc
  acc = hn::Zero(d);
  for (int64_t ky = r.first; ky < r.last; ++ky) {
    const int64_t rel_row = ky * dh * W;
    // The first tap starts the max (a flag the compiler resolves in the unrolled first row).
    bool first = ky == r.first;
    // Offsets are relative to tap (0, 0): the same for every lane, so one broadcast per tap.
    VisitColumns<KW, S>(d, origin + rel_row, kw, p.dilation.w, lane_cols,
                        [&](hn::VFromD<D> v, int64_t rel_col) HWY_ATTR {
                          const auto here = hn::Set(di, static_cast<TI>(rel_row + rel_col));
                          if (first) {
                            acc = v, at = here, first = false;
                          } else if constexpr (R == Reduce::kMax) {
                            acc = MaxNaN(v, acc);
                          } else {
                            const auto take = Replaces(v, acc);
                            acc = hn::IfThenElse(take, v, acc);
                            at = hn::IfThenElse(hn::RebindMask(di, take), here, at);
                          }
                        });
  }
  if constexpr (R == Reduce::kMaxIndex) {
    // lane_cols holds lane * stride: the lanes' tap (0, 0) columns relative to x0.
    at_plane = hn::Add(hn::Add(at, hn::Set(di, static_cast<TI>(r.start * W + x0))), lane_cols);
  }
}

// Output columns [ox0, ox0 + Lanes(d)) of row r, all windows inside the input horizontally.
template <Reduce R, int KW, int S, class D>
HWY_INLINE void Block(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT plane,
                      const TapRange& r, int64_t ox0, hn::TFromD<D>* HWY_RESTRICT out,
                      int64_t* HWY_RESTRICT idx, hn::VFromD<IndexTag<D>> lane_cols) {
  if constexpr (R == Reduce::kAvg) {
    const Problem& p = g.p;
    const int64_t W = p.w, dh = p.dilation.h;
    const int64_t kw = KW > 0 ? KW : p.kernel.w;
    const int64_t x0 = ox0 * p.stride.w - p.padding.w;
    const auto* origin = plane + r.start * W + x0;
    const SumTag<D> ds;
    auto sum = hn::Zero(ds);
    for (int64_t ky = r.first; ky < r.last; ++ky) {
      VisitColumns<KW, S>(d, origin + ky * dh * W, kw, p.dilation.w, lane_cols,
                          [&](hn::VFromD<D> v, int64_t)
                              HWY_ATTR { sum = hn::Add(sum, Widen(d, v)); });
    }
    // Every window of the block has kw valid columns, so the divisor depends on the row only.
    StoreAverages(d, sum, AvgDivisor(p, r.start, x0, (r.last - r.first) * kw), out);
  } else {
    hn::VFromD<D> acc;
    hn::VFromD<IndexTag<D>> at;
    MaxBlock<R, KW, S>(d, g, plane, r, ox0, lane_cols, acc, at);
    hn::StoreU(acc, d, out);
    if constexpr (R == Reduce::kMaxIndex) StoreIndices(IndexTag<D>(), at, idx);
  }
}

// Columns [vlo, vhi) in vectors (vhi - vlo is 0 or at least Lanes(d); the last vector overlaps
// the previous one rather than leaving a tail), the others one by one. Max rows that are all
// vectors go through RowWriter (streamed past the cache when the plan says so).
template <Reduce R, int KW, int S, class D>
void DirectRows(D d, const Plan& g, const hn::TFromD<D>* src, hn::TFromD<D>* dst, int64_t* indices,
                int64_t begin, int64_t end, int64_t vlo, int64_t vhi) {
  using T = hn::TFromD<D>;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d)), in_plane = g.p.h * g.p.w;
  const auto lane_cols = LaneColumns(IndexTag<D>(), g.p.stride.w);
  if constexpr (R != Reduce::kAvg) {
    if (vlo == 0 && vhi == g.ow && vhi >= N) {
      using Writer = RowWriter<D>;
      Writer writer(d, g, dst, indices, begin, end);
      ForUnits(g, begin, end, [&](int64_t plane, int64_t oy, int64_t unit) HWY_ATTR {
        const T* in = src + plane * in_plane;
        writer.Row(unit, [&](int64_t ox, typename Writer::V& v, typename Writer::VI& at) HWY_ATTR {
          MaxBlock<R, KW, S>(d, g, in, g.rows[oy], ox, lane_cols, v, at);
        });
      });
      return;
    }
  }
  ForUnits(g, begin, end, [&](int64_t plane, int64_t oy, int64_t unit) HWY_ATTR {
    const T* in = src + plane * in_plane;
    T* out = dst + unit * g.ow;
    int64_t* idx = R == Reduce::kMaxIndex ? indices + unit * g.ow : nullptr;
    const TapRange& r = g.rows[oy];
    const auto scalar = [&](int64_t lo, int64_t hi) {
      for (int64_t ox = lo; ox < hi; ++ox)
        ScalarWindow<R>(g, in, r, g.cols[ox], out + ox, idx ? idx + ox : nullptr);
    };
    scalar(0, vlo);
    if (vhi > vlo) {
      for (int64_t ox = vlo;; ox += N) {
        ox = std::min(ox, vhi - N);
        Block<R, KW, S>(d, g, in, r, ox, out + ox, idx ? idx + ox : nullptr, lane_cols);
        if (ox + N >= vhi) break;
      }
    }
    scalar(vhi, g.ow);
  });
}

// ---------------------------------------------------------------------------------------------
// Separable (max values and float averages).

template <Reduce R, class T>
constexpr T Identity() {
  if constexpr (R == Reduce::kAvg) return T(0);
  if constexpr (IsFloat<T>) return -std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::lowest();
}

template <Reduce R, class V>
HWY_INLINE V Combine(V a, V b) {
  if constexpr (R == Reduce::kAvg) {
    return hn::Add(a, b);
  } else {
    return MaxNaN(a, b);
  }
}

// scratch[x] = the reduction of column x over the valid rows of r, for x in [0, W).
template <Reduce R, class D>
HWY_INLINE void ReduceRows(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT plane,
                           const TapRange& r, hn::TFromD<D>* HWY_RESTRICT scratch) {
  using T = hn::TFromD<D>;
  const int64_t W = g.p.w, N = static_cast<int64_t>(hn::Lanes(d));
  const int64_t step = g.p.dilation.h * W, rows = r.last - r.first;
  const T* first = plane + (r.start + r.first * g.p.dilation.h) * W;
  const auto column = [&](auto dd, int64_t x) HWY_ATTR {
    const T* p = first + x;
    auto acc = hn::LoadU(dd, p);
    for (int64_t k = 1; k < rows; ++k) acc = Combine<R>(hn::LoadU(dd, p + k * step), acc);
    hn::StoreU(acc, dd, scratch + x);
  };
  if (W < N) {
    for (int64_t x = 0; x < W; ++x) column(hn::CappedTag<T, 1>(), x);
    return;
  }
  int64_t x = 0;
  for (; x + 2 * N <= W; x += 2 * N) column(d, x), column(d, x + N);
  for (; x < W; x += N) column(d, std::min(x, W - N));  // the last vector may overlap
}

template <Reduce R, int KW, int S, class D>
void SeparableRows(D d, const Plan& g, const hn::TFromD<D>* src, hn::TFromD<D>* dst,
                   hn::TFromD<D>* scratch, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  const int64_t in_plane = p.h * p.w;
  const int64_t kw = p.kernel.w, dw = p.dilation.w;
  // The scratch row's padding holds the identity since PrepareScratch; rows write [0, W) only.
  T* row = scratch + g.pad_left;
  const T* col_scale = g.ColScale<T>();
  const auto lane_cols = LaneColumns(IndexTag<D>(), p.stride.w);
  using Writer = RowWriter<D>;
  Writer writer(d, g, dst, nullptr, begin, end);
  ForUnits(g, begin, end, [&](int64_t plane, int64_t oy, int64_t unit) HWY_ATTR {
    ReduceRows<R>(d, g, src + plane * in_plane, g.rows[oy], row);
    const auto row_scale = hn::Set(d, static_cast<T>(R == Reduce::kAvg ? g.row_scale[oy] : 1.0));
    writer.Row(unit, [&](int64_t ox, typename Writer::V& acc, typename Writer::VI&) HWY_ATTR {
      acc = hn::Set(d, Identity<R, T>());
      VisitColumns<KW, S>(d, row + ox * p.stride.w - p.padding.w, kw, dw, lane_cols,
                          [&](hn::VFromD<D> v, int64_t) HWY_ATTR { acc = Combine<R>(v, acc); });
      if constexpr (R == Reduce::kAvg)
        acc = hn::Mul(hn::Mul(acc, row_scale), hn::LoadU(d, col_scale + ox));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Global.

// Each plane is one contiguous window. Lanes reduce every Lanes(d)-th element; then the lanes
// and the tail are combined by the rule, which for indices is order-free: the last NaN if any,
// else the first of the largest values.
template <Reduce R, class D>
void GlobalPlanes(D d, const Plan& g, const hn::TFromD<D>* src, hn::TFromD<D>* dst,
                  int64_t* indices, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  const IndexTag<D> di;
  using TI = hn::TFromD<decltype(di)>;
  const int64_t size = g.p.h * g.p.w, N = static_cast<int64_t>(hn::Lanes(d));
  const int64_t vec_end = size >= N ? size - size % N : 0;
  for (int64_t plane = begin; plane < end; ++plane) {
    const T* in = src + plane * size;
    if constexpr (R == Reduce::kAvg) {
      Acc<T> sum = 0;
      if (vec_end > 0) {
        const SumTag<D> ds;
        auto s = hn::Zero(ds);
        for (int64_t i = 0; i < vec_end; i += N) s = hn::Add(s, Widen(d, hn::LoadU(d, in + i)));
        sum = hn::GetLane(hn::SumOfLanes(ds, s));
      }
      for (int64_t i = vec_end; i < size; ++i) sum += in[i];
      dst[plane] = DivideAs<T>(sum, AvgDivisor(g.p, g.rows[0].start, g.cols[0].start, size));
      continue;
    }
    T best = in[0];
    int64_t at = 0;
    if (vec_end > 0) {
      auto acc = hn::LoadU(d, in);
      auto acc_at = hn::Zero(di);
      for (int64_t i = 0; i < vec_end; i += N) {
        const auto v = hn::LoadU(d, in + i);
        if constexpr (R == Reduce::kMax) {
          acc = MaxNaN(v, acc);
        } else {
          const auto take = Replaces(v, acc);
          acc = hn::IfThenElse(take, v, acc);
          acc_at =
              hn::IfThenElse(hn::RebindMask(di, take), hn::Set(di, static_cast<TI>(i)), acc_at);
        }
      }
      // Across the lanes, in vectors: any NaN wins (the last one for the index), else the
      // largest value, at its first position (each lane kept its own first).
      const auto positions = hn::Add(acc_at, hn::Iota(di, 0));
      bool nan = false;
      if constexpr (IsFloat<T>) {
        const auto lanes = hn::IsNaN(acc);
        nan = !hn::AllFalse(d, lanes);
        if (HWY_UNLIKELY(nan)) {
          best = std::numeric_limits<T>::quiet_NaN();
          if constexpr (R == Reduce::kMaxIndex) {
            at = hn::GetLane(hn::MaxOfLanes(
                di, hn::IfThenElse(hn::RebindMask(di, lanes), positions, hn::Set(di, TI{-1}))));
          }
        }
      }
      if (!nan) {
        const auto largest = hn::MaxOfLanes(d, acc);
        best = hn::GetLane(largest);
        if constexpr (R == Reduce::kMaxIndex) {
          at = hn::GetLane(
              hn::MinOfLanes(di, hn::IfThenElse(hn::RebindMask(di, hn::Eq(acc, largest)), positions,
                                                hn::Set(di, hwy::LimitsMax<TI>()))));
        }
      }
    }
    for (int64_t i = vec_end; i < size; ++i) {
      if (MaxReplaces(in[i], best)) best = in[i], at = i;
    }
    dst[plane] = best;
    if constexpr (R == Reduce::kMaxIndex) indices[plane] = at;
  }
}

// ---------------------------------------------------------------------------------------------

// Units [begin, end) of each path, with vectors of D.
template <Reduce R, int KW, int S, class D>
void Separable(const Plan& g, const void* src, void* dst, int64_t*, void* scratch, int64_t begin,
               int64_t end) {
  using T = hn::TFromD<D>;
  SeparableRows<R, KW, S>(D(), g, static_cast<const T*>(src), static_cast<T*>(dst),
                          static_cast<T*>(scratch), begin, end);
}
// kVectors: the columns [vlo, vhi) in vectors of D, else every column one by one.
template <Reduce R, int KW, int S, class D, bool kVectors>
void Direct(const Plan& g, const void* src, void* dst, int64_t* indices, void*, int64_t begin,
            int64_t end) {
  using T = hn::TFromD<D>;
  DirectRows<R, KW, S>(D(), g, static_cast<const T*>(src), static_cast<T*>(dst), indices, begin,
                       end, g.vlo, kVectors ? g.vhi : g.vlo);
}
template <Reduce R, class D>
void Global(const Plan& g, const void* src, void* dst, int64_t* indices, void*, int64_t begin,
            int64_t end) {
  using T = hn::TFromD<D>;
  GlobalPlanes<R>(D(), g, static_cast<const T*>(src), static_cast<T*>(dst), indices, begin, end);
}

// pick.operator()<DD>() for the widest DD of a full vector (D) and a 128-bit one that `width`
// columns fill, or one lane for narrower rows.
template <class D, class Pick>
ForwardFn WithWidth(int64_t width, Pick&& pick) {
  using T = hn::TFromD<D>;
  using D128 = hn::CappedTag<T, HWY_MIN(hn::MaxLanes(D()), 16 / sizeof(T))>;
  if (width >= static_cast<int64_t>(hn::Lanes(D()))) return pick.template operator()<D>();
  if (width >= static_cast<int64_t>(hn::Lanes(D128()))) return pick.template operator()<D128>();
  return pick.template operator()<hn::CappedTag<T, 1>>();
}

template <Reduce R, int KW, int S, class D>
ForwardFn WithKernel(const Plan& g) {
  using T = hn::TFromD<D>;
  // Only max values and float averages have a separable plan.
  if constexpr (R == Reduce::kMax || (R == Reduce::kAvg && IsFloat<T>)) {
    if (g.nchw == NchwPath::kSeparable) {
      return WithWidth<D>(
          g.ow, [&]<class DD>() HWY_ATTR -> ForwardFn { return &Separable<R, KW, S, DD>; });
    }
  }
  const int64_t width = g.vhi - g.vlo;
  return WithWidth<D>(width, [&]<class DD>() HWY_ATTR -> ForwardFn {
    if (width >= static_cast<int64_t>(hn::Lanes(DD()))) return &Direct<R, KW, S, DD, true>;
    return &Direct<R, KW, S, DD, false>;
  });
}

template <Reduce R, class D>
ForwardFn ForProblem(const Plan& g) {
  if (g.nchw == NchwPath::kGlobal) return &Global<R, D>;
  if (g.kw_fixed == 2) return WithKernel<R, 2, 2, D>(g);
  if (g.kw_fixed == 3) return WithKernel<R, 3, 2, D>(g);
  if (g.stride_kind == 1) return WithKernel<R, 0, 1, D>(g);
  if (g.stride_kind == 2) return WithKernel<R, 0, 2, D>(g);
  return WithKernel<R, 0, 0, D>(g);
}

}  // namespace

ForwardFn NchwForward(const Plan& g) {
  return DispatchDType<SimdDTypes>(g.p.dtype, [&]<class T>() HWY_ATTR -> ForwardFn {
    if (g.p.op == Op::kAvg) {
      if constexpr (IsFloat<T>) {
        return ForProblem<Reduce::kAvg, hn::ScalableTag<T>>(g);
      } else {
        // int32 lanes as many as int64 ones: the sums are int64.
        return ForProblem<Reduce::kAvg, hn::Rebind<T, hn::ScalableTag<int64_t>>>(g);
      }
    }
    if (g.p.indices) return ForProblem<Reduce::kMaxIndex, hn::ScalableTag<T>>(g);
    return ForProblem<Reduce::kMax, hn::ScalableTag<T>>(g);
  });
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(NchwForward);
ForwardFn NchwForward(const Plan& plan) { return HWY_DYNAMIC_DISPATCH(NchwForward)(plan); }
}  // namespace poolbench::simd
#endif
