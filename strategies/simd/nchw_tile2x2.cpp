// simd, NCHW forward of 2x2 windows that tile the input (stride 2, no padding or dilation), max
// values and float averages: the two rows of a window are combined first, as contiguous vectors
// (two vectors of input columns per vector of outputs), and the result is de-interleaved once
// into its even and odd columns, which are combined in turn; averages then take one
// multiplication. That is half the de-interleaving and combining of visiting the four taps one
// by one, and no per-window divisor.

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

// Output rows [begin, end) of (plane, oy) units, ow >= Lanes(d); the last vector of a row
// overlaps the previous one (it stores the same values again) instead of leaving a tail.
template <Reduce R, class D>
void Rows(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT src,
          hn::TFromD<D>* HWY_RESTRICT dst, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  const int64_t W = p.w, in_plane = p.h * W, ow = g.ow, oh = g.oh;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  // Every window has its four taps: one divisor (or the override) for all.
  const auto scale = hn::Set(
      d,
      static_cast<T>(R == Reduce::kAvg ? 1.0 / static_cast<double>(AvgDivisor(p, 0, 0, 4)) : 1.0));
  int64_t plane = begin / oh, oy = begin % oh;
  for (int64_t unit = begin; unit < end; ++unit) {
    const T* r0 = src + plane * in_plane + 2 * oy * W;
    const T* r1 = r0 + W;
    T* out = dst + unit * ow;
    for (int64_t ox = 0;; ox += N) {
      ox = std::min(ox, ow - N);
      const int64_t x = 2 * ox;
      hn::VFromD<D> v;
      if constexpr (hn::MaxLanes(D()) == 1) {
        // One-lane vectors (the scalar target): the four taps one by one.
        v = Combine<R>(Combine<R>(hn::LoadU(d, r0 + x), hn::LoadU(d, r1 + x)),
                       Combine<R>(hn::LoadU(d, r0 + x + 1), hn::LoadU(d, r1 + x + 1)));
      } else {
        const auto lo = Combine<R>(hn::LoadU(d, r0 + x), hn::LoadU(d, r1 + x));
        const auto hi = Combine<R>(hn::LoadU(d, r0 + x + N), hn::LoadU(d, r1 + x + N));
        v = Combine<R>(hn::ConcatEven(d, hi, lo), hn::ConcatOdd(d, hi, lo));
      }
      if constexpr (R == Reduce::kAvg) v = hn::Mul(v, scale);
      hn::StoreU(v, d, out + ox);
      if (ox + N >= ow) break;
    }
    if (++oy == oh) oy = 0, ++plane;
  }
}

// The wider of a full vector and a 128-bit one that the output row fills (the plan takes this
// path only for rows of at least 128 bits of outputs).
template <Reduce R, class T>
void ForType(const Plan& g, const void* src, void* dst, int64_t begin, int64_t end) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, HWY_MIN(hn::MaxLanes(d), 16 / sizeof(T))> d128;
  const auto* s = static_cast<const T*>(src);
  auto* o = static_cast<T*>(dst);
  if (g.ow >= static_cast<int64_t>(hn::Lanes(d))) {
    Rows<R>(d, g, s, o, begin, end);
  } else {
    Rows<R>(d128, g, s, o, begin, end);
  }
}

}  // namespace

void Tile2x2Nchw(const Plan& g, const void* src, void* dst, int64_t begin, int64_t end) {
  DispatchDType(g.p.dtype, [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      if (g.p.op == Op::kAvg) {
        ForType<Reduce::kAvg, T>(g, src, dst, begin, end);
        return;
      }
    }
    ForType<Reduce::kMax, T>(g, src, dst, begin, end);
  });
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(Tile2x2Nchw);
void Tile2x2Nchw(const Plan& plan, const void* src, void* dst, int64_t begin, int64_t end) {
  HWY_DYNAMIC_DISPATCH(Tile2x2Nchw)(plan, src, dst, begin, end);
}
}  // namespace poolbench::simd
#endif
