// simd, backward of small planes and narrow images (SmallPlan).
//  - Max: each unit's gradient is zeroed, then every output's gradient is added at the index its
//    forward saved (stored, for tilings, where no two windows share an input): one scalar
//    access per output, which a vector formulation of a few outputs does not beat (on a 2-core
//    AMD EPYC, gathering each input's windows took twice as long on the 6x6 seed, and longer on
//    an 8x8 tiling too).
//  - Avg: every vector of inputs sums the shares (gradient / divisor) of the windows covering
//    it, picked out of windows of the gradients held in registers by permutes
//    (window_lookup-inl.h) and scaled there, and is written once, without zeroing. i32 shares,
//    rounded one by one, are computed into scratch first.

// Highway compiles this file once per instruction set: foreach_target.h re-includes it by the
// path below, which must stay first.
// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "strategies/simd/small_backward.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include <algorithm>
#include <type_traits>

#include "hwy/highway.h"
#include "poolbench/dtype.hpp"
#include "poolbench/window.hpp"
#include "strategies/simd/small_plan.hpp"
#include "strategies/simd/vector_ops-inl.h"
#include "strategies/simd/window_lookup-inl.h"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

// Writes zeros to out[0, n).
template <class D>
HWY_INLINE void Zero(D d, hn::TFromD<D>* HWY_RESTRICT out, int64_t n) {
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const auto zero = hn::Zero(d);
  if (n < N) {
    hn::BlendedStore(zero, hn::FirstN(d, static_cast<size_t>(n)), d, out);
    return;
  }
  for (int64_t i = 0;; i += N) {
    i = std::min(i, n - N);  // the last vector may overlap the one before
    hn::StoreU(zero, d, out + i);
    if (i + N >= n) break;
  }
}

// Max, units [begin, end): zeroed plan.zero_batch at a time, then their gradients stored
// (kTiles) or added at their indices. The zeros go out in 256-bit vectors: on a 2-core AMD EPYC,
// the adds' loads that follow waited longer on 512-bit stores (19 against 13 ns for the 6x6
// seed's 36 zeros and 16 adds).
template <bool kTiles, class D>
void ScatterMax(const SmallPlan& s, const void* diff_dst, const int64_t* indices, void* diff_src,
                void*, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  const hn::CappedTag<T, HWY_MIN(hn::MaxLanes(D()), 32 / sizeof(T))> d256;
  const auto* dy = static_cast<const T*>(diff_dst);
  auto* dx = static_cast<T*>(diff_src);
  const int64_t in = s.unit_in, out = s.unit_out, C = s.nhwc ? s.p.c : 1;
  const auto put = [](T& x, T g) {
    if constexpr (kTiles) {
      x = g;
    } else {
      AddGrad(x, g);
    }
  };
  for (int64_t u0 = begin; u0 < end; u0 += s.zero_batch) {
    const int64_t u1 = std::min(end, u0 + s.zero_batch);
    Zero(d256, dx + u0 * in, (u1 - u0) * in);
    for (int64_t u = u0; u < u1; ++u) {
      T* HWY_RESTRICT dxu = dx + u * in;
      const T* HWY_RESTRICT dyu = dy + u * out;
      const int64_t* HWY_RESTRICT at = indices + u * out;
      if (C == 1) {
        for (int64_t o = 0; o < out; ++o) put(dxu[at[o]], dyu[o]);
      } else {
        // NHWC: output (pixel, c) won input pixel at[o], channel c.
        for (int64_t o = 0; o < out; o += C) {
          for (int64_t c = 0; c < C; ++c) put(dxu[at[o + c] * C + c], dyu[o + c]);
        }
      }
    }
  }
}

// Avg, vector v of a table whose windows hold K vectors of gradients, inputs [first, first +
// used) over `rows` rows of covering windows: the sum of each lane's shares, the gradients
// times `scale` (a factor per output, as the gradients; null: the gradients are the shares);
// kMasked: some lane lacks some of them. Advances `program` and `lane_index` past the vector's
// rows and entries.
template <size_t K, bool kMasked, class D, class TI>
HWY_INLINE void Inputs(D d, const LaneTable& t, int64_t v, int64_t first, int64_t used,
                       int64_t rows, const int64_t*& program, const TI*& lane_index,
                       const hn::TFromD<D>* HWY_RESTRICT dy,
                       const hn::TFromD<D>* HWY_RESTRICT scale, hn::TFromD<D>* HWY_RESTRICT dx) {
  const hn::RebindToSigned<D> di;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  hn::VFromD<D> w[K];
  auto sum = hn::Zero(d);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t base = program[0], taps = program[1];
    program += 2;
    for (size_t j = 0; j < K; ++j) {
      w[j] = hn::LoadU(d, dy + base + j * N);
      if (scale) w[j] = hn::Mul(w[j], hn::LoadU(d, scale + base + j * N));
    }
    for (int64_t k = 0; k < taps; ++k) {
      const auto lanes = hn::LoadU(di, lane_index);
      lane_index += N;
      const auto x = Lookup<K>(d, w, lanes);
      // Lanes without this window hold -1. Integer lanes wrap modulo 2^32, as AddGrad does.
      if constexpr (kMasked) {
        sum = hn::Add(
            sum, hn::IfThenElseZero(hn::RebindMask(d, hn::Not(hn::Lt(lanes, hn::Zero(di)))), x));
      } else {
        sum = hn::Add(sum, x);
      }
    }
  }
  // Whole vectors are stored when this vector's inputs fill them, or when their lanes past
  // them are inputs of the next vectors of the table, which store theirs afterwards; the last
  // vectors store only their own.
  if (used == N || (v + 1 < t.vectors && first + N <= t.count)) {
    hn::StoreU(sum, d, dx + first);
  } else {
    hn::BlendedStore(sum, hn::FirstN(d, static_cast<size_t>(used)), d, dx + first);
  }
}

// Avg, the inputs of one table: dy and dx start at its first unit.
template <size_t K, class D>
void Table(D d, const LaneTable& t, int64_t outputs, const hn::TFromD<D>* HWY_RESTRICT dy,
           hn::TFromD<D>* HWY_RESTRICT dx, hn::TFromD<D>* HWY_RESTRICT shares) {
  using T = hn::TFromD<D>;
  using TI = hn::TFromD<hn::RebindToSigned<D>>;
  const T* scale = nullptr;
  if constexpr (std::is_same_v<T, float>) scale = t.scale_f32.data();
  if constexpr (std::is_same_v<T, double>) scale = t.scale_f64.data();
  if constexpr (!IsFloat<T>) {
    for (int64_t o = 0; o < outputs; ++o) shares[o] = DivideAs<T>(dy[o], t.divisor[o]);
    dy = shares;
  }
  const TI* lane_index = nullptr;
  if constexpr (sizeof(TI) == 8) {
    lane_index = t.lane_index64.data();
  } else {
    lane_index = t.lane_index32.data();
  }
  const int64_t* program = t.program.data();
  for (int64_t v = 0; v < t.vectors; ++v) {
    const int64_t first = program[0], used = program[1], rows = program[3];
    const bool masked = program[2] != 0;
    program += 4;
    if (masked) {
      Inputs<K, true>(d, t, v, first, used, rows, program, lane_index, dy, scale, dx);
    } else {
      Inputs<K, false>(d, t, v, first, used, rows, program, lane_index, dy, scale, dx);
    }
  }
}

// Avg, groups [begin, end): the plan's full groups, then the tail, with windows of K vectors.
template <size_t K, class D>
void Avg(const SmallPlan& s, const void* diff_dst, const int64_t*, void* diff_src, void* scratch,
         int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  for (int64_t g = begin; g < end; ++g) {
    const LaneTable& t = g < s.groups ? s.table : s.tail;
    const int64_t unit = g * s.group;
    Table<K>(D(), t, t.units * s.unit_out, static_cast<const T*>(diff_dst) + unit * s.unit_out,
             static_cast<T*>(diff_src) + unit * s.unit_in, static_cast<T*>(scratch));
  }
}

}  // namespace

SmallBackwardFn SmallBackward(const SmallPlan& s) {
  const int64_t window = (s.groups > 0 ? s.table : s.tail).window;
  return DispatchDType<SimdDTypes>(s.p.dtype, [&]<class T>() HWY_ATTR -> SmallBackwardFn {
    using D = hn::ScalableTag<T>;
    if (s.p.op == Op::kMax) return s.tiles ? &ScatterMax<true, D> : &ScatterMax<false, D>;
    switch (window) {
      case 1:
        return &Avg<1, D>;
      case 2:
        return &Avg<2, D>;
      case 3:
        return &Avg<3, D>;
      default:
        return &Avg<4, D>;
    }
  });
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(SmallBackward);
SmallBackwardFn SmallBackward(const SmallPlan& plan) {
  return HWY_DYNAMIC_DISPATCH(SmallBackward)(plan);
}
}  // namespace poolbench::simd
#endif
