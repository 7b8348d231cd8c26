// simd, NCHW forward: vectors over output columns of one output row. Each tap of the window is
// one vector load (stride 1), the even lanes of a de-interleaved load (stride 2; with 2- and
// 3-wide windows one de-interleaved load serves two taps) or a gather (other strides). Rows of
// the window are clipped per output row, so only the columns whose windows leave the input
// horizontally (padding, ceil mode) or read past the row's end are reduced one by one. Global
// pooling reduces each contiguous plane.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "strategies/simd/nchw_forward.cpp"
#include <algorithm>
#include <type_traits>

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "poolbench/dtype.hpp"
#include "strategies/simd/plan.hpp"
#include "strategies/simd/vector_ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

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

// Output columns [ox0, ox0 + Lanes(d)) of row r, all windows inside the input horizontally.
// KW: window width when known at compile time (then, with S == 2, dilation is 1); 0: any.
template <Reduce R, int KW, int S, class D>
HWY_INLINE void Block(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT plane,
                      const TapRange& r, int64_t ox0, hn::TFromD<D>* HWY_RESTRICT out,
                      int64_t* HWY_RESTRICT idx, hn::VFromD<IndexTag<D>> lane_cols) {
  using T = hn::TFromD<D>;
  const IndexTag<D> di;
  using TI = hn::TFromD<decltype(di)>;
  const Problem& p = g.p;
  const int64_t W = p.w, dh = p.dilation.h, dw = p.dilation.w;
  const int64_t kw = KW > 0 ? KW : p.kernel.w;
  const int64_t x0 = ox0 * p.stride.w - p.padding.w;  // column of tap 0 of the first lane
  const T* origin = plane + r.start * W + x0;         // tap (0, 0), possibly a padded row

  hn::VFromD<D> acc;  // max
  hn::VFromD<decltype(di)> at;
  // The sum's vector type only exists for avg (int64 lanes as many as a full int32 vector's do
  // not).
  const std::conditional_t<R == Reduce::kAvg, SumTag<D>, D> ds;
  hn::VFromD<decltype(ds)> sum;
  if constexpr (R == Reduce::kAvg) {
    sum = hn::Zero(ds);
  } else {
    // The first valid tap starts the max; it is visited again below, a no-op under the rule.
    acc = LoadTap<S>(d, origin + r.first * dh * W, lane_cols);
    at = hn::Set(di, static_cast<TI>(r.first * dh * W));
  }
  // Offsets are relative to tap (0, 0): the same for every lane, so one broadcast per tap.
  const auto visit = [&](hn::VFromD<D> v, int64_t rel) HWY_ATTR {
    if constexpr (R == Reduce::kMax) {
      acc = MaxNaN(v, acc);
    } else if constexpr (R == Reduce::kMaxIndex) {
      const auto take = Replaces(v, acc);
      acc = hn::IfThenElse(take, v, acc);
      at = hn::IfThenElse(hn::RebindMask(di, take), hn::Set(di, static_cast<TI>(rel)), at);
    } else {
      sum = hn::Add(sum, Widen(d, v));
    }
  };
  for (int64_t ky = r.first; ky < r.last; ++ky) {
    const int64_t rel_row = ky * dh * W;
    const T* row = origin + rel_row;
    if constexpr (S == 2 && KW > 0) {
      // Taps 2q and 2q + 1 are the even and odd lanes of one de-interleaved load.
      for (int q = 0; 2 * q < KW; ++q) {
        hn::VFromD<D> even, odd;
        hn::LoadInterleaved2(d, row + 2 * q, even, odd);
        visit(even, rel_row + 2 * q);
        if (2 * q + 1 < KW) visit(odd, rel_row + 2 * q + 1);
      }
    } else {
      for (int64_t kx = 0; kx < kw; ++kx)
        visit(LoadTap<S>(d, row + kx * dw, lane_cols), rel_row + kx * dw);
    }
  }
  if constexpr (R == Reduce::kAvg) {
    // Every window of the block has kw valid columns, so the divisor depends on the row only.
    StoreAverages(d, sum, AvgDivisor(p, r.start, x0, (r.last - r.first) * kw), out);
  } else {
    hn::StoreU(acc, d, out);
    if constexpr (R == Reduce::kMaxIndex) {
      // lane_cols holds lane * stride: the lanes' tap (0, 0) columns relative to x0.
      const auto base = hn::Set(di, static_cast<TI>(r.start * W + x0));
      StoreIndices(di, hn::Add(hn::Add(at, base), lane_cols), idx);
    }
  }
}

// Units [begin, end) of (plane, output row); columns [vlo, vhi) in vectors (vhi - vlo is 0 or
// at least Lanes(d); the last vector overlaps the previous one rather than leaving a tail).
template <Reduce R, int KW, int S, class D>
void Rows(D d, const Plan& g, const hn::TFromD<D>* src, hn::TFromD<D>* dst, int64_t* indices,
          int64_t begin, int64_t end, int64_t vlo, int64_t vhi) {
  using T = hn::TFromD<D>;
  const IndexTag<D> di;
  using TI = hn::TFromD<decltype(di)>;
  const Problem& p = g.p;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d)), in_plane = p.h * p.w;
  HWY_ALIGN TI cols[hn::MaxLanes(di)];
  for (int64_t i = 0; i < N; ++i) cols[i] = static_cast<TI>(i * p.stride.w);
  const auto lane_cols = hn::Load(di, cols);
  for (int64_t unit = begin; unit < end; ++unit) {
    const int64_t plane = unit / g.oh, oy = unit % g.oh;
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
  }
}

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Picks the vector columns of a (KW, S) kernel and the widest vector they fill.
template <Reduce R, int KW, int S, class D>
void Choose(D d, const Plan& g, const void* src, void* dst, int64_t* indices, int64_t begin,
            int64_t end) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  // A de-interleaved load reads one element past its last even lane; it must stay in the row.
  const int64_t extra = S != 2 ? 0 : KW > 0 ? KW % 2 : 1;
  const int64_t last_tap = (p.kernel.w - 1) * p.dilation.w;
  const int64_t last_ox = FloorDiv(p.w - 1 - extra + p.padding.w - last_tap, p.stride.w);
  const int64_t vlo = g.full_lo, vhi = std::max(vlo, std::min(g.full_hi, last_ox + 1));
  const auto* s = static_cast<const T*>(src);
  auto* o = static_cast<T*>(dst);
  const hn::CappedTag<T, HWY_MIN(hn::MaxLanes(D()), 16 / sizeof(T))> d128;
  const auto width = static_cast<size_t>(vhi - vlo);
  if (width >= hn::Lanes(d)) {
    Rows<R, KW, S>(d, g, s, o, indices, begin, end, vlo, vhi);
  } else if (width >= hn::Lanes(d128)) {
    Rows<R, KW, S>(d128, g, s, o, indices, begin, end, vlo, vhi);
  } else {
    Rows<R, KW, S>(d, g, s, o, indices, begin, end, vlo, vlo);
  }
}

template <Reduce R, class D>
void ForKernel(D d, const Plan& g, const void* src, void* dst, int64_t* indices, int64_t begin,
               int64_t end) {
  const int64_t kw = g.p.kernel.w, sw = g.p.stride.w, dw = g.p.dilation.w;
  if (sw == 2 && dw == 1 && kw == 2) {
    Choose<R, 2, 2>(d, g, src, dst, indices, begin, end);
  } else if (sw == 2 && dw == 1 && kw == 3) {
    Choose<R, 3, 2>(d, g, src, dst, indices, begin, end);
  } else if (sw == 1) {
    Choose<R, 0, 1>(d, g, src, dst, indices, begin, end);
  } else if (sw == 2) {
    Choose<R, 0, 2>(d, g, src, dst, indices, begin, end);
  } else {
    Choose<R, 0, 0>(d, g, src, dst, indices, begin, end);
  }
}

// Global pooling: each plane is one contiguous window. Lanes reduce every Lanes(d)-th element;
// then the lanes and the tail are combined by the rule, which for indices is order-free: the
// last NaN if any, else the first of the largest values.
template <Reduce R, class D>
void GlobalPlanes(D d, const Plan& g, const hn::TFromD<D>* src, hn::TFromD<D>* dst,
                  int64_t* indices, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  const IndexTag<D> di;
  using TI = hn::TFromD<decltype(di)>;
  const int64_t size = g.p.h * g.p.w, N = static_cast<int64_t>(hn::Lanes(d));
  const int64_t vec_end = size >= N ? size - size % N : 0;
  HWY_ALIGN T lanes[hn::MaxLanes(d)];
  HWY_ALIGN TI lane_at[hn::MaxLanes(di)];
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
      hn::Store(acc, d, lanes);
      hn::Store(acc_at, di, lane_at);
      for (int64_t j = 0; j < N; ++j) {
        const T v = lanes[j];
        const int64_t vat = lane_at[j] + j;
        const bool v_nan = v != v, best_nan = best != best;
        const bool take =
            v_nan ? (!best_nan || vat > at) : (!best_nan && (v > best || (v == best && vat < at)));
        if (take) best = v, at = vat;
      }
    }
    for (int64_t i = vec_end; i < size; ++i) {
      if (MaxReplaces(in[i], best)) best = in[i], at = i;
    }
    dst[plane] = best;
    if constexpr (R == Reduce::kMaxIndex) indices[plane] = at;
  }
}

template <Reduce R, class D>
void ForProblem(D d, const Plan& g, const void* src, void* dst, int64_t* indices, int64_t begin,
                int64_t end) {
  using T = hn::TFromD<D>;
  if (g.global) {
    GlobalPlanes<R>(d, g, static_cast<const T*>(src), static_cast<T*>(dst), indices, begin, end);
  } else {
    ForKernel<R>(d, g, src, dst, indices, begin, end);
  }
}

}  // namespace

void ForwardNchw(const Plan& g, const void* src, void* dst, int64_t* indices, int64_t begin,
                 int64_t end) {
  DispatchDType(g.p.dtype, [&]<class T>() {
    if (g.p.op == Op::kAvg) {
      if constexpr (std::is_floating_point_v<T>) {
        ForProblem<Reduce::kAvg>(hn::ScalableTag<T>(), g, src, dst, nullptr, begin, end);
      } else {
        // int32 lanes as many as int64 ones: the sums are int64.
        ForProblem<Reduce::kAvg>(hn::Rebind<T, hn::ScalableTag<int64_t>>(), g, src, dst, nullptr,
                                 begin, end);
      }
    } else if (indices) {
      ForProblem<Reduce::kMaxIndex>(hn::ScalableTag<T>(), g, src, dst, indices, begin, end);
    } else {
      ForProblem<Reduce::kMax>(hn::ScalableTag<T>(), g, src, dst, nullptr, begin, end);
    }
  });
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(ForwardNchw);
void ForwardNchw(const Plan& plan, const void* src, void* dst, int64_t* indices, int64_t begin,
                 int64_t end) {
  HWY_DYNAMIC_DISPATCH(ForwardNchw)(plan, src, dst, indices, begin, end);
}
}  // namespace poolbench::simd
#endif
