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

// Images [begin, end) with vectors of D.
template <class D>
void Units(const Plan& g, const void* src, void* dst, int64_t*, void*, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  Images(D(), g, static_cast<const T*>(src), static_cast<T*>(dst), begin, end);
}

// The widest of a full vector, a 128-bit one and one lane that C channels fill.
template <class T>
ForwardFn ForWidth(const Plan& g) {
  using D = hn::ScalableTag<T>;
  using D128 = hn::CappedTag<T, HWY_MIN(hn::MaxLanes(D()), 16 / sizeof(T))>;
  const auto C = static_cast<size_t>(g.p.c);
  if (C >= hn::Lanes(D())) return &Units<D>;
  if (C >= hn::Lanes(D128())) return &Units<D128>;
  return &Units<hn::CappedTag<T, 1>>;
}

}  // namespace

ForwardFn NhwcGlobalAvg(const Plan& g) {
  return g.p.dtype == DType::kF32 ? ForWidth<float>(g) : ForWidth<double>(g);
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(NhwcGlobalAvg);
ForwardFn NhwcGlobalAvg(const Plan& plan) { return HWY_DYNAMIC_DISPATCH(NhwcGlobalAvg)(plan); }
}  // namespace poolbench::simd
#endif
