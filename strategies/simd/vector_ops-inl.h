// Per-target vector building blocks of the simd strategy: the max rule on vectors, and index
// vectors (lanes as wide as the data, so that one compare mask selects both) converted from and
// to poolbench's int64 indices. Included once per Highway target, inside its namespace.

// Highway's per-target include guard: toggled for every target that foreach_target.h compiles.
#if defined(POOLBENCH_SIMD_VECTOR_OPS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef POOLBENCH_SIMD_VECTOR_OPS_INL_H_
#undef POOLBENCH_SIMD_VECTOR_OPS_INL_H_
#else
#define POOLBENCH_SIMD_VECTOR_OPS_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "hwy/highway.h"
#include "poolbench/window.hpp"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// What a kernel computes per window.
enum class Reduce { kMax, kMaxIndex, kAvg };

#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
// x86's MAXPS returns its second operand when either is NaN; masked by "b is not NaN" (keeping
// b otherwise) it is the rule's value in two instructions: compare and masked max.
HWY_INLINE hn::Vec512<float> MaskedMaxNaN(hn::Vec512<float> a, hn::Vec512<float> b) {
  const __mmask16 ordered = _mm512_cmp_ps_mask(b.raw, b.raw, _CMP_ORD_Q);
  return hn::Vec512<float>{_mm512_mask_max_ps(b.raw, ordered, b.raw, a.raw)};
}
HWY_INLINE hn::Vec512<double> MaskedMaxNaN(hn::Vec512<double> a, hn::Vec512<double> b) {
  const __mmask8 ordered = _mm512_cmp_pd_mask(b.raw, b.raw, _CMP_ORD_Q);
  return hn::Vec512<double>{_mm512_mask_max_pd(b.raw, ordered, b.raw, a.raw)};
}
HWY_INLINE hn::Vec256<float> MaskedMaxNaN(hn::Vec256<float> a, hn::Vec256<float> b) {
  const __mmask8 ordered = _mm256_cmp_ps_mask(b.raw, b.raw, _CMP_ORD_Q);
  return hn::Vec256<float>{_mm256_mask_max_ps(b.raw, ordered, b.raw, a.raw)};
}
HWY_INLINE hn::Vec256<double> MaskedMaxNaN(hn::Vec256<double> a, hn::Vec256<double> b) {
  const __mmask8 ordered = _mm256_cmp_pd_mask(b.raw, b.raw, _CMP_ORD_Q);
  return hn::Vec256<double>{_mm256_mask_max_pd(b.raw, ordered, b.raw, a.raw)};
}
template <size_t N>
HWY_INLINE hn::Vec128<float, N> MaskedMaxNaN(hn::Vec128<float, N> a, hn::Vec128<float, N> b) {
  const __mmask8 ordered = _mm_cmp_ps_mask(b.raw, b.raw, _CMP_ORD_Q);
  return hn::Vec128<float, N>{_mm_mask_max_ps(b.raw, ordered, b.raw, a.raw)};
}
template <size_t N>
HWY_INLINE hn::Vec128<double, N> MaskedMaxNaN(hn::Vec128<double, N> a, hn::Vec128<double, N> b) {
  const __mmask8 ordered = _mm_cmp_pd_mask(b.raw, b.raw, _CMP_ORD_Q);
  return hn::Vec128<double, N>{_mm_mask_max_pd(b.raw, ordered, b.raw, a.raw)};
}
#endif

// The max of a and b, NaN when either is NaN: the value of a max window under poolbench's rule
// (any NaN tap makes the window NaN, and the max is associative otherwise). Which NaN, and the
// sign of a zero result, may come from either operand: the cross-check treats NaNs as equal and
// -0 as equal to +0.
template <class V>
HWY_INLINE V MaxNaN(V a, V b) {
  using T = hn::TFromV<V>;
  if constexpr (!IsFloat<T>) {
    return hn::Max(a, b);
  } else {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
    return MaskedMaxNaN(a, b);
#elif HWY_ARCH_X86 && HWY_TARGET != HWY_EMU128 && HWY_TARGET != HWY_SCALAR
    // MAXPS(b, a) is a when either is NaN, so only a NaN b needs keeping.
    return hn::IfThenElse(hn::IsNaN(b), b, hn::Max(b, a));
#else
    return hn::IfThenElse(hn::Or(hn::IsNaN(a), hn::Gt(a, b)), a, b);
#endif
  }
}

// The max rule per lane: a later tap v replaces best when it is greater or NaN, so that ties go
// to the first tap and a NaN to the last NaN.
template <class V>
HWY_INLINE auto Replaces(V v, V best) {
  if constexpr (IsFloat<hn::TFromV<V>>) {
    return hn::Or(hn::Gt(v, best), hn::IsNaN(v));
  } else {
    return hn::Gt(v, best);
  }
}

// Stores v at p, non-temporally when asked and v is one whole, aligned cache line: outputs
// too large to stay in cache are never read again, and need not be fetched before being
// overwritten. (Callers only ask when every line of the output is written by one such store:
// mixing streamed and cached stores to a line is slow.) On a 2-core AMD EPYC, backward gains,
// and so does forward, most with indices, whose outputs are 12 of every 28 bytes it moves.
template <class D>
HWY_INLINE void Put(D d, hn::VFromD<D> v, hn::TFromD<D>* HWY_RESTRICT p, bool stream) {
  if (hn::Lanes(d) * sizeof(hn::TFromD<D>) == 64 && stream &&
      reinterpret_cast<uintptr_t>(p) % 64 == 0) {
    hn::Stream(v, d, p);
  } else {
    hn::StoreU(v, d, p);
  }
}

// The vectors that avg sums in: the data's own for floats (the cross-check bounds the rounding
// of any summation order), int64 lanes as many as the data's for i32 (exact).
template <class D>
using SumTag = std::conditional_t<IsFloat<hn::TFromD<D>>, D, hn::Rebind<int64_t, D>>;

template <class D>
HWY_INLINE hn::VFromD<SumTag<D>> Widen(D d, hn::VFromD<D> v) {
  if constexpr (IsFloat<hn::TFromD<D>>) {
    (void)d;
    return v;
  } else {
    return hn::PromoteTo(SumTag<D>(), v);
  }
}

// Writes the averages of Lanes(d) sums: a multiplication by 1 / divisor for floats, poolbench's
// integer rounding (nearest, ties away from zero) lane by lane for i32, which has no vector
// division.
template <class D>
HWY_INLINE void StoreAverages(D d, hn::VFromD<SumTag<D>> sum, int64_t divisor,
                              hn::TFromD<D>* HWY_RESTRICT out) {
  using T = hn::TFromD<D>;
  if constexpr (IsFloat<T>) {
    hn::StoreU(hn::Mul(sum, hn::Set(d, static_cast<T>(1.0 / static_cast<double>(divisor)))), d,
               out);
  } else {
    const SumTag<D> d64;
    HWY_ALIGN int64_t sums[hn::MaxLanes(d64)];
    hn::Store(sum, d64, sums);
    for (size_t i = 0; i < hn::Lanes(d); ++i) out[i] = static_cast<T>(RoundDiv(sums[i], divisor));
  }
}

// Index vectors have lanes as wide as the data (int32 for f32 and i32, int64 for f64), so that a
// compare mask of the data selects indices too. int32 lanes hold any index of a plane of fewer
// than 2^31 elements (Supports() refuses larger planes with indices).
template <class D>
using IndexTag = hn::RebindToSigned<D>;

// Lane i of the result: i * stride, the lanes' column offsets.
template <class DI>
HWY_INLINE hn::VFromD<DI> LaneColumns(DI di, int64_t stride) {
  using TI = hn::TFromD<DI>;
  HWY_ALIGN TI cols[hn::MaxLanes(di)];
  for (size_t i = 0; i < hn::Lanes(di); ++i)
    cols[i] = static_cast<TI>(static_cast<int64_t>(i) * stride);
  return hn::Load(di, cols);
}

// Writes the lanes of an index vector to poolbench's int64 indices, non-temporally when asked
// (as Put).
template <class DI>
HWY_INLINE void StoreIndices(DI di, hn::VFromD<DI> v, int64_t* HWY_RESTRICT out,
                             bool stream = false) {
  if constexpr (sizeof(hn::TFromD<DI>) == 8) {
    Put(di, v, out, stream);
  } else if constexpr (hn::MaxLanes(DI()) == 1) {
    out[0] = hn::GetLane(v);
  } else {
#if HWY_TARGET != HWY_SCALAR  // whose vectors have one lane, handled above
    const hn::Half<DI> dh;
    const hn::Rebind<int64_t, decltype(dh)> d64;
    Put(d64, hn::PromoteTo(d64, hn::LowerHalf(dh, v)), out, stream);
    Put(d64, hn::PromoteTo(d64, hn::UpperHalf(dh, v)), out + hn::Lanes(d64), stream);
#endif
  }
}

// Writes lanes [0, count) of an index vector to poolbench's int64 indices, for count below
// Lanes(di), and leaves the memory after them alone.
template <class DI>
HWY_INLINE void StoreFirstIndices(DI di, hn::VFromD<DI> v, size_t count,
                                  int64_t* HWY_RESTRICT out) {
  if constexpr (sizeof(hn::TFromD<DI>) == 8) {
    hn::BlendedStore(v, hn::FirstN(di, count), di, out);
  } else if constexpr (hn::MaxLanes(DI()) == 1) {
    if (count > 0) out[0] = hn::GetLane(v);
  } else {
#if HWY_TARGET != HWY_SCALAR  // whose vectors have one lane, handled above
    const hn::Half<DI> dh;
    const hn::Rebind<int64_t, decltype(dh)> d64;
    const size_t half = hn::Lanes(d64);
    hn::BlendedStore(hn::PromoteTo(d64, hn::LowerHalf(dh, v)),
                     hn::FirstN(d64, count < half ? count : half), d64, out);
    if (count > half) {
      hn::BlendedStore(hn::PromoteTo(d64, hn::UpperHalf(dh, v)), hn::FirstN(d64, count - half), d64,
                       out + half);
    }
#endif
  }
}

// Reads Lanes(di) int64 indices into an index vector (truncating to int32 lanes where the data
// is 32-bit: the indices are below 2^31).
template <class DI>
HWY_INLINE hn::VFromD<DI> LoadIndices(DI di, const int64_t* HWY_RESTRICT in) {
  using TI = hn::TFromD<DI>;
  if constexpr (sizeof(TI) == 8) {
    return hn::LoadU(di, in);
  } else if constexpr (hn::MaxLanes(DI()) == 1) {
    return hn::Set(di, static_cast<TI>(in[0]));
  } else {
#if HWY_TARGET != HWY_SCALAR  // whose vectors have one lane, handled above
    // The low halves of little-endian int64 lanes are the even int32 lanes.
    const hn::Repartition<int64_t, DI> d64;
    const auto lo = hn::BitCast(di, hn::LoadU(d64, in));
    const auto hi = hn::BitCast(di, hn::LoadU(d64, in + hn::Lanes(d64)));
    return hn::ConcatEven(di, hi, lo);
#endif
  }
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // POOLBENCH_SIMD_VECTOR_OPS_INL_H_
