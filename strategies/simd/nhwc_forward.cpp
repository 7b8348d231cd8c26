// simd, NHWC forward: each output pixel reduces its valid taps with whole vectors of channels
// (lanes over C), so any kernel, stride, padding, dilation and ceil mode vectorises the same
// way: the window geometry only decides which taps are visited, in row-major order.

// Highway compiles this file once per instruction set: foreach_target.h re-includes it by the
// path below, which must stay first.
// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "strategies/simd/nhwc_forward.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include <type_traits>

#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "poolbench/dtype.hpp"
#include "strategies/simd/plan.hpp"
#include "strategies/simd/vector_ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

// Channels [c0, c0 + U * Lanes(d)) of one output pixel whose taps are rows r x columns cc.
// The first tap initialises a max and is visited again (a no-op under the max rule), which
// keeps the loop free of a first-tap test. Avg sums in T for floats (the cross-check bounds the
// rounding of any summation order) and multiplies by `scale`, the plan's 1 / divisor; i32 sums
// in int64 and divides with poolbench's rounding, which must be exact.
// Float max with indices first compares in order only (a tap replaces the best when greater)
// and sums the taps beside as a NaN probe: the sum is NaN when any tap is (or when +inf and -inf
// meet), and only then is the window redone with the full rule (kExact: NaN replaces too). That
// is one addition per tap instead of a second compare and a mask merge.
template <Reduce R, size_t U, bool kExact = false, class D>
HWY_INLINE void Pixel(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT img, const TapRange& r,
                      const TapRange& cc, int64_t c0, hn::TFromD<D>* HWY_RESTRICT out,
                      int64_t* HWY_RESTRICT idx, hn::TFromD<D> scale) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  const int64_t C = p.c, W = p.w, dh = p.dilation.h, dw = p.dilation.w;
  const size_t N = hn::Lanes(d);
  if constexpr (R == Reduce::kAvg) {
    const SumTag<D> ds;
    hn::VFromD<decltype(ds)> sum[U];
    // The first tap is loaded into the sums rather than added to the zeros (which stay for a
    // window without taps), as max starts from it: on a 2-core AMD EPYC that made DenseNet's
    // 2x2 average (NHWC) about 17% faster over alternated processes, memory-bound as it is.
    // (Taps that are all -0.0 now average to -0.0, equal to the reference's +0.0.)
    for (size_t u = 0; u < U; ++u) sum[u] = hn::Zero(ds);
    bool first = true;
    for (int64_t ky = r.first; ky < r.last; ++ky) {
      const T* row = img + (r.start + ky * dh) * W * C + c0;
      for (int64_t kx = cc.first; kx < cc.last; ++kx) {
        const T* tap = row + (cc.start + kx * dw) * C;
        if (first) {
          for (size_t u = 0; u < U; ++u) sum[u] = Widen(d, hn::LoadU(d, tap + u * N));
          first = false;
          continue;
        }
        for (size_t u = 0; u < U; ++u)
          sum[u] = hn::Add(sum[u], Widen(d, hn::LoadU(d, tap + u * N)));
      }
    }
    if constexpr (IsFloat<T>) {
      const auto s = hn::Set(d, scale);
      for (size_t u = 0; u < U; ++u) Put(d, hn::Mul(sum[u], s), out + c0 + u * N, g.stream);
    } else {
      const int64_t div =
          AvgDivisor(p, r.start, cc.start, (r.last - r.first) * (cc.last - cc.first));
      for (size_t u = 0; u < U; ++u) StoreAverages(d, sum[u], div, out + c0 + u * N);
    }
  } else {
    const IndexTag<D> di;
    constexpr bool kProbe = R == Reduce::kMaxIndex && !kExact && IsFloat<T>;
    hn::VFromD<D> best[U], probe[U];
    hn::VFromD<decltype(di)> at[U];
    const int64_t first = (r.start + r.first * dh) * W + cc.start + cc.first * dw;
    for (size_t u = 0; u < U; ++u) {
      best[u] = hn::LoadU(d, img + first * C + c0 + u * N);
      probe[u] = hn::Zero(d);
      if constexpr (R == Reduce::kMaxIndex)
        at[u] = hn::Set(di, static_cast<hn::TFromD<decltype(di)>>(first));
    }
    for (int64_t ky = r.first; ky < r.last; ++ky) {
      const int64_t ih = r.start + ky * dh;
      for (int64_t kx = cc.first; kx < cc.last; ++kx) {
        const int64_t offset = ih * W + cc.start + kx * dw;  // the tap's index in the plane
        const T* tap = img + offset * C + c0;
        if constexpr (R == Reduce::kMax) {
          for (size_t u = 0; u < U; ++u) best[u] = MaxNaN(hn::LoadU(d, tap + u * N), best[u]);
        } else {
          const auto here = hn::Set(di, static_cast<hn::TFromD<decltype(di)>>(offset));
          for (size_t u = 0; u < U; ++u) {
            const auto v = hn::LoadU(d, tap + u * N);
            hn::Mask<D> take;
            if constexpr (kProbe) {
              take = hn::Gt(v, best[u]);
              probe[u] = hn::Add(probe[u], v);
            } else {
              take = Replaces(v, best[u]);
            }
            best[u] = hn::IfThenElse(take, v, best[u]);
            at[u] = hn::IfThenElse(hn::RebindMask(di, take), here, at[u]);
          }
        }
      }
    }
    if constexpr (kProbe) {
      auto nan = hn::IsNaN(probe[0]);
      for (size_t u = 1; u < U; ++u) nan = hn::Or(nan, hn::IsNaN(probe[u]));
      if (HWY_UNLIKELY(!hn::AllFalse(d, nan))) {
        Pixel<R, U, true>(d, g, img, r, cc, c0, out, idx, scale);
        return;
      }
    }
    for (size_t u = 0; u < U; ++u) {
      if constexpr (R == Reduce::kMaxIndex) {
        Put(d, best[u], out + c0 + u * N, g.stream);
        StoreIndices(di, at[u], idx + c0 + u * N, g.stream);
      } else {
        Put(d, best[u], out + c0 + u * N, g.stream);
      }
    }
  }
}

// Output rows [begin, end) of (n, oy) units, with vectors of Lanes(d) <= C channels: groups of
// eight vectors, then at most one group of four, two and one, then one last vector overlapping
// the previous ones (it rewrites a few channels with the same values) instead of a scalar tail.
// Each group reads every tap once while its accumulators stay in registers.
template <Reduce R, class D>
void Rows(D d, const Plan& g, const hn::TFromD<D>* src, hn::TFromD<D>* dst, int64_t* indices,
          int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  const int64_t C = p.c, N = static_cast<int64_t>(hn::Lanes(d));
  for (int64_t unit = begin; unit < end; ++unit) {
    const int64_t n = unit / g.oh, oy = unit % g.oh;
    const T* img = src + n * p.h * p.w * C;
    const int64_t row_out = unit * g.ow * C;  // (n * oh + oy) * ow * C
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      T* out = dst + row_out + ox * C;
      int64_t* idx = R == Reduce::kMaxIndex ? indices + row_out + ox * C : nullptr;
      const TapRange& r = g.rows[oy];
      const TapRange& cc = g.cols[ox];
      // Float averages multiply by the plan's 1 / divisor, factored by axis.
      T scale = T(0);
      if constexpr (R == Reduce::kAvg && IsFloat<T>) {
        scale = static_cast<T>(g.row_scale[oy]) * g.ColScale<T>()[ox];
      }
      int64_t c0 = 0;
      for (; c0 + 8 * N <= C; c0 += 8 * N) Pixel<R, 8>(d, g, img, r, cc, c0, out, idx, scale);
      if (c0 + 4 * N <= C) Pixel<R, 4>(d, g, img, r, cc, c0, out, idx, scale), c0 += 4 * N;
      if (c0 + 2 * N <= C) Pixel<R, 2>(d, g, img, r, cc, c0, out, idx, scale), c0 += 2 * N;
      if (c0 + N <= C) Pixel<R, 1>(d, g, img, r, cc, c0, out, idx, scale), c0 += N;
      if (c0 < C) Pixel<R, 1>(d, g, img, r, cc, C - N, out, idx, scale);
    }
  }
}

// Units [begin, end) with vectors of D.
template <Reduce R, class D>
void Units(const Plan& g, const void* src, void* dst, int64_t* indices, void*, int64_t begin,
           int64_t end) {
  using T = hn::TFromD<D>;
  Rows<R>(D(), g, static_cast<const T*>(src), static_cast<T*>(dst), indices, begin, end);
  if (g.stream) hwy::FlushStream();
}

// The widest of a full vector, a 128-bit vector and one lane that C channels fill. D is the
// full descriptor: for i32 avg, int32 lanes as many as int64 ones (the sums are int64).
template <Reduce R, class D>
ForwardFn ForWidth(const Plan& g) {
  using T = hn::TFromD<D>;
  using D128 = hn::CappedTag<T, HWY_MIN(hn::MaxLanes(D()), 16 / sizeof(T))>;
  const auto C = static_cast<size_t>(g.p.c);
  if (C >= hn::Lanes(D())) return &Units<R, D>;
  if (C >= hn::Lanes(D128())) return &Units<R, D128>;
  return &Units<R, hn::CappedTag<T, 1>>;
}

}  // namespace

ForwardFn NhwcForward(const Plan& g) {
  return DispatchDType<SimdDTypes>(g.p.dtype, [&]<class T>() HWY_ATTR -> ForwardFn {
    if (g.p.op == Op::kAvg) {
      if constexpr (IsFloat<T>) {
        return ForWidth<Reduce::kAvg, hn::ScalableTag<T>>(g);
      } else {
        return ForWidth<Reduce::kAvg, hn::Rebind<T, hn::ScalableTag<int64_t>>>(g);
      }
    }
    if (g.p.indices) return ForWidth<Reduce::kMaxIndex, hn::ScalableTag<T>>(g);
    return ForWidth<Reduce::kMax, hn::ScalableTag<T>>(g);
  });
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(NhwcForward);
ForwardFn NhwcForward(const Plan& plan) { return HWY_DYNAMIC_DISPATCH(NhwcForward)(plan); }
}  // namespace poolbench::simd
#endif
