// simd, NHWC global float average: a streaming reduction of each image, a chunk of channels at a
// time. A chunk of up to sixteen vectors of channels (1 KiB of f32) is summed over all the
// image's pixels in registers, then scaled by 1 / divisor and stored: every input element is
// loaded once and nothing else is. Each pixel's chunk is a run of whole cache lines, C elements
// after the previous pixel's, and the next chunk continues where each run ended, which the
// hardware prefetchers follow. (Single vectors of channels, 64 bytes a pixel, lose them; on a
// 2-core AMD EPYC, sixteen vectors measured about 8% faster than summing groups of eight whole
// pixels into a row of running sums.)

// Highway compiles this file once per instruction set: foreach_target.h re-includes it by the
// path below, which must stay first.
// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "strategies/simd/nhwc_global.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include <type_traits>

#include "hwy/highway.h"
#include "poolbench/dtype.hpp"
#include "strategies/simd/plan.hpp"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

// out[c] = scale * the sum of channel c over the image's pixels, for the K vectors of channels
// from c0.
template <int64_t K, class D>
HWY_INLINE void Chunk(D d, const hn::TFromD<D>* HWY_RESTRICT img, int64_t pixels, int64_t C,
                      int64_t c0, hn::VFromD<D> scale, hn::TFromD<D>* HWY_RESTRICT out) {
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  hn::VFromD<D> sum[K];
  for (int64_t u = 0; u < K; ++u) sum[u] = hn::LoadU(d, img + c0 + u * N);
  for (int64_t px = 1; px < pixels; ++px) {
    const auto* at = img + px * C + c0;
    for (int64_t u = 0; u < K; ++u) sum[u] = hn::Add(sum[u], hn::LoadU(d, at + u * N));
  }
  for (int64_t u = 0; u < K; ++u) hn::StoreU(hn::Mul(sum[u], scale), d, out + c0 + u * N);
}

// Images [begin, end), C >= Lanes(d): chunks of sixteen vectors, then at most one of eight,
// four, two and one, then one last vector overlapping the previous ones (it stores the same
// averages again) instead of a scalar tail.
template <class D>
void Images(D d, const Plan& g, const hn::TFromD<D>* src, hn::TFromD<D>* dst, int64_t begin,
            int64_t end) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  const int64_t C = p.c, pixels = p.h * p.w, N = static_cast<int64_t>(hn::Lanes(d));
  const auto scale = hn::Set(
      d, static_cast<T>(
             1.0 / static_cast<double>(AvgDivisor(p, g.rows[0].start, g.cols[0].start, pixels))));
  for (int64_t n = begin; n < end; ++n) {
    const T* img = src + n * pixels * C;
    T* out = dst + n * C;
    int64_t c = 0;
    for (; c + 16 * N <= C; c += 16 * N) Chunk<16>(d, img, pixels, C, c, scale, out);
    if (c + 8 * N <= C) Chunk<8>(d, img, pixels, C, c, scale, out), c += 8 * N;
    if (c + 4 * N <= C) Chunk<4>(d, img, pixels, C, c, scale, out), c += 4 * N;
    if (c + 2 * N <= C) Chunk<2>(d, img, pixels, C, c, scale, out), c += 2 * N;
    if (c + N <= C) Chunk<1>(d, img, pixels, C, c, scale, out), c += N;
    if (c < C) Chunk<1>(d, img, pixels, C, C - N, scale, out);
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
  // Only float averages take this path (Plan::nhwc_global_sum).
  DispatchDType<DTypeList<DType::kF32, DType::kF64>>(g.p.dtype, run);
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
