// simd, NHWC global float average: a streaming reduction. Each image is read once, in memory
// order, a group of pixels at a time: for every vector of channels the group's pixels are summed
// in registers (two independent chains) and added to the image's output row, which holds the
// running sums (a few KiB, in L1) and is scaled by 1 / divisor at the end. Reading the image
// sequentially keeps the hardware prefetchers streaming; visiting one vector of channels across
// all the pixels instead reads each pixel's line at a stride of C elements, where they lose
// track.

// Highway compiles this file once per instruction set: foreach_target.h re-includes it by the
// path below, which must stay first.
// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "strategies/simd/nhwc_global.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include <algorithm>
#include <type_traits>

#include "hwy/highway.h"
#include "poolbench/dtype.hpp"
#include "strategies/simd/plan.hpp"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

// How many pixels one pass over the channels adds: their loads are independent streams, and the
// running sums are loaded and stored once per group.
constexpr int64_t kGroup = 8;

// sums[c] (+)= the sum of channel c over the G pixels from px, for c in [0, C): whole vectors,
// then single lanes (an overlapping last vector would add some channels twice).
template <int64_t G, bool kFirst, class D>
HWY_INLINE void AddGroup(D d, const hn::TFromD<D>* HWY_RESTRICT px, int64_t C,
                         hn::TFromD<D>* HWY_RESTRICT sums) {
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const auto group = [&](int64_t c) HWY_ATTR {
    auto a = hn::LoadU(d, px + c);
    auto b = G > 1 ? hn::LoadU(d, px + C + c) : hn::Zero(d);
    for (int64_t i = 2; i + 1 < G; i += 2) {
      a = hn::Add(a, hn::LoadU(d, px + i * C + c));
      b = hn::Add(b, hn::LoadU(d, px + (i + 1) * C + c));
    }
    if constexpr (G > 2 && G % 2 == 1) a = hn::Add(a, hn::LoadU(d, px + (G - 1) * C + c));
    return hn::Add(a, b);
  };
  int64_t c = 0;
  for (; c + N <= C; c += N) {
    const auto s = group(c);
    hn::StoreU(kFirst ? s : hn::Add(hn::LoadU(d, sums + c), s), d, sums + c);
  }
  // The channels [c, C) that no whole vector covers (C is not a multiple of Lanes(d)), one lane
  // at a time.
  const hn::CappedTag<hn::TFromD<D>, 1> d1;
  for (; c < C; ++c) {
    auto t = hn::LoadU(d1, px + c);
    for (int64_t i = 1; i < G; ++i) t = hn::Add(t, hn::LoadU(d1, px + i * C + c));
    hn::StoreU(kFirst ? t : hn::Add(hn::LoadU(d1, sums + c), t), d1, sums + c);
  }
}

template <class D>
void Images(D d, const Plan& g, const hn::TFromD<D>* src, hn::TFromD<D>* dst, int64_t begin,
            int64_t end) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  const int64_t C = p.c, pixels = p.h * p.w;
  const T scale = static_cast<T>(
      1.0 / static_cast<double>(AvgDivisor(p, g.rows[0].start, g.cols[0].start, pixels)));
  for (int64_t n = begin; n < end; ++n) {
    const T* img = src + n * pixels * C;
    T* sums = dst + n * C;
    int64_t px = 0;
    bool first = true;
    for (; px + kGroup <= pixels; px += kGroup) {
      if (first) {
        AddGroup<kGroup, true>(d, img + px * C, C, sums);
      } else {
        AddGroup<kGroup, false>(d, img + px * C, C, sums);
      }
      first = false;
    }
    // The last pixels, fewer than a group, in groups of four, two and one.
    const auto rest = [&]<int64_t G>() HWY_ATTR {
      if (px + G > pixels) return;
      if (first) {
        AddGroup<G, true>(d, img + px * C, C, sums);
      } else {
        AddGroup<G, false>(d, img + px * C, C, sums);
      }
      first = false;
      px += G;
    };
    rest.template operator()<4>();
    rest.template operator()<2>();
    rest.template operator()<1>();
    const auto s = hn::Set(d, scale);
    const int64_t N = static_cast<int64_t>(hn::Lanes(d));
    int64_t c = 0;
    for (; c + N <= C; c += N) hn::StoreU(hn::Mul(hn::LoadU(d, sums + c), s), d, sums + c);
    for (; c < C; ++c) sums[c] *= scale;
  }
}

}  // namespace

void GlobalAvgNhwc(const Plan& g, const void* src, void* dst, int64_t begin, int64_t end) {
  // The widest of a full vector, a 128-bit one and one lane that C channels fill.
  const auto run = [&]<class T>() HWY_ATTR {
    const hn::ScalableTag<T> d;
    const hn::CappedTag<T, HWY_MIN(hn::MaxLanes(d), 16 / sizeof(T))> d128;
    const hn::CappedTag<T, 1> d1;
    const auto* s = static_cast<const T*>(src);
    auto* o = static_cast<T*>(dst);
    const auto C = static_cast<size_t>(g.p.c);
    if (C >= hn::Lanes(d)) {
      Images(d, g, s, o, begin, end);
    } else if (C >= hn::Lanes(d128)) {
      Images(d128, g, s, o, begin, end);
    } else {
      Images(d1, g, s, o, begin, end);
    }
  };
  if (g.p.dtype == DType::kF32) {
    run.template operator()<float>();
  } else {
    run.template operator()<double>();
  }
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(GlobalAvgNhwc);
void GlobalAvgNhwc(const Plan& plan, const void* src, void* dst, int64_t begin, int64_t end) {
  HWY_DYNAMIC_DISPATCH(GlobalAvgNhwc)(plan, src, dst, begin, end);
}
}  // namespace poolbench::simd
#endif
