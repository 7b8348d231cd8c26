// The simd strategy's lookups into a window of a few vectors held in registers (the small-problem
// path, small_plan.hpp): lane i of the result is element idx[i] of the window's elements, K
// vectors of the data one after the other. A permute per vector or two, where a gather would
// load every lane from memory (on a 2-core AMD EPYC, a 16-lane gather cost about as much as 16
// scalar loads, and twelve times a two-vector permute). Included once per Highway target, inside
// its namespace.

// Highway's per-target include guard: toggled for every target that foreach_target.h compiles.
#if defined(POOLBENCH_SIMD_WINDOW_LOOKUP_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef POOLBENCH_SIMD_WINDOW_LOOKUP_INL_H_
#undef POOLBENCH_SIMD_WINDOW_LOOKUP_INL_H_
#else
#define POOLBENCH_SIMD_WINDOW_LOOKUP_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The most vectors a window holds.
inline constexpr size_t kWindowVectors = 4;

#if HWY_TARGET <= HWY_AVX3
// Lanes of the two vectors (a, b) at the low bits of i: one VPERMT2* instruction.
HWY_INLINE hn::Vec512<float> Permute2(hn::Vec512<float> a, hn::Vec512<int32_t> i,
                                      hn::Vec512<float> b) {
  return hn::Vec512<float>{_mm512_permutex2var_ps(a.raw, i.raw, b.raw)};
}
HWY_INLINE hn::Vec512<int32_t> Permute2(hn::Vec512<int32_t> a, hn::Vec512<int32_t> i,
                                        hn::Vec512<int32_t> b) {
  return hn::Vec512<int32_t>{_mm512_permutex2var_epi32(a.raw, i.raw, b.raw)};
}
HWY_INLINE hn::Vec512<double> Permute2(hn::Vec512<double> a, hn::Vec512<int64_t> i,
                                       hn::Vec512<double> b) {
  return hn::Vec512<double>{_mm512_permutex2var_pd(a.raw, i.raw, b.raw)};
}
HWY_INLINE hn::Vec512<int64_t> Permute2(hn::Vec512<int64_t> a, hn::Vec512<int64_t> i,
                                        hn::Vec512<int64_t> b) {
  return hn::Vec512<int64_t>{_mm512_permutex2var_epi64(a.raw, i.raw, b.raw)};
}
HWY_INLINE hn::Vec256<int32_t> Permute2(hn::Vec256<int32_t> a, hn::Vec256<int32_t> i,
                                        hn::Vec256<int32_t> b) {
  return hn::Vec256<int32_t>{_mm256_permutex2var_epi32(a.raw, i.raw, b.raw)};
}
#endif

// Whether Permute2 serves D's vectors.
template <class D>
constexpr bool HasPermute2() {
#if HWY_TARGET <= HWY_AVX3
  using T = hn::TFromD<D>;
  constexpr size_t bytes = hn::MaxLanes(D()) * sizeof(T);
  return bytes == 64 || (bytes == 32 && sizeof(T) == 4 && !hwy::IsFloat<T>());
#else
  return false;
#endif
}

// Element idx[i] of the window w[0, K) for each lane i, for idx in [0, K * Lanes(d)); other
// indices (the small path marks invalid taps with -1) give an arbitrary element of the window.
template <size_t K, class D>
HWY_INLINE hn::VFromD<D> Lookup(D d, const hn::VFromD<D>* HWY_RESTRICT w,
                                hn::VFromD<hn::RebindToSigned<D>> idx) {
  static_assert(K >= 1 && K <= kWindowVectors, "a window holds one to four vectors");
  const hn::RebindToSigned<D> di;
  using TI = hn::TFromD<decltype(di)>;
  const TI N = static_cast<TI>(hn::Lanes(d));
  if constexpr (HasPermute2<D>() && K == 1) {
    return Permute2(w[0], idx, w[0]);
  } else if constexpr (HasPermute2<D>() && K == 2) {
    return Permute2(w[0], idx, w[1]);
  } else if constexpr (HasPermute2<D>()) {
    // Bit log2(2N) of the index picks the second pair.
    const auto lo = Permute2(w[0], idx, w[1]);
    const auto hi = Permute2(w[2], idx, w[K - 1]);
    return hn::IfThenElse(hn::RebindMask(d, hn::TestBit(idx, hn::Set(di, 2 * N))), hi, lo);
  } else {
    // Each vector's lanes by a one-table lookup, and the one the index names kept.
    const auto lane = hn::IndicesFromVec(d, hn::And(idx, hn::Set(di, N - 1)));
    auto r = hn::TableLookupLanes(w[0], lane);
    if constexpr (K > 1) {
      const auto which = hn::ShiftRightSame(idx, static_cast<int>(hwy::FloorLog2(N)));
      for (size_t j = 1; j < K; ++j) {
        r = hn::IfThenElse(hn::RebindMask(d, hn::Eq(which, hn::Set(di, static_cast<TI>(j)))),
                           hn::TableLookupLanes(w[j], lane), r);
      }
    }
    return r;
  }
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // POOLBENCH_SIMD_WINDOW_LOOKUP_INL_H_
