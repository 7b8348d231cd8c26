// simd, forward of small planes and narrow images (SmallPlan): each vector of flattened outputs
// loads the window of each of its tap rows into registers and picks every tap's lanes out of it
// (window_lookup-inl.h), in row-major order. Max starts from the lowest value and applies the
// rule to every valid tap, with each lane's first valid tap as the index to keep when nothing
// replaces it; avg sums the valid taps. Lanes without some tap (windows clipped by the borders)
// are masked off it, in the vectors that have such lanes.

// Highway compiles this file once per instruction set: foreach_target.h re-includes it by the
// path below, which must stay first.
// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "strategies/simd/small_forward.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include <limits>
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

// The table's entries in the lane type TI of the index vectors.
template <class TI>
const TI* LaneIndex(const LaneTable& t) {
  if constexpr (sizeof(TI) == 8) {
    return t.lane_index64.data();
  } else {
    return t.lane_index32.data();
  }
}
template <class TI>
const TI* PlaneIndex(const LaneTable& t) {
  if constexpr (sizeof(TI) == 8) {
    return t.plane_index64.data();
  } else {
    return t.plane_index32.data();
  }
}
template <class TI>
const TI* ElementIndex(const LaneTable& t) {
  if constexpr (sizeof(TI) == 8) {
    return t.element_index64.data();
  } else {
    return t.element_index32.data();
  }
}

// The value every valid tap replaces or equals: the start of a max.
template <class T>
constexpr T Lowest() {
  if constexpr (IsFloat<T>) return -std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::lowest();
}

// Where a table's kernel is: its program and the entries of its next tap.
template <class TI>
struct Cursor {
  const int64_t* HWY_RESTRICT program;
  const TI* HWY_RESTRICT lane_index;
  const TI* HWY_RESTRICT plane_index;
};

// Vector v of a table whose windows hold K vectors, elements [first, first + used) over `rows`
// tap rows; kMasked: some lane lacks some tap. src, dst and idx start at the table's first
// unit. Advances the cursor past the vector's rows and taps.
template <Reduce R, size_t K, bool kMasked, class D, class TI>
HWY_INLINE void Outputs(D d, const LaneTable& t, int64_t v, int64_t first, int64_t used,
                        int64_t rows, Cursor<TI>& at_tap, const hn::TFromD<D>* HWY_RESTRICT src,
                        hn::TFromD<D>* HWY_RESTRICT dst, int64_t* HWY_RESTRICT idx) {
  using T = hn::TFromD<D>;
  const hn::RebindToSigned<D> di;
  // The sums' vectors (avg only: 32-bit lanes as many as int64 ones need a D of half width).
  const std::conditional_t<R == Reduce::kAvg, SumTag<D>, D> ds;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  Cursor<TI> c = at_tap;
  hn::VFromD<D> w[K];
  auto best = hn::Set(d, Lowest<T>());
  auto sum = hn::Zero(ds);
  auto at = hn::Zero(di);
  if constexpr (R == Reduce::kMaxIndex) at = hn::LoadU(di, ElementIndex<TI>(t) + v * N);
  for (int64_t r = 0; r < rows; ++r) {
    const T* HWY_RESTRICT window = src + c.program[0];
    const int64_t taps = c.program[1];
    c.program += 2;
    for (size_t j = 0; j < K; ++j) w[j] = hn::LoadU(d, window + j * N);
    for (int64_t k = 0; k < taps; ++k) {
      const auto lanes = hn::LoadU(di, c.lane_index);
      c.lane_index += N;
      const auto x = Lookup<K>(d, w, lanes);
      // Lanes without this tap hold -1.
      const auto valid = hn::RebindMask(d, hn::Not(hn::Lt(lanes, hn::Zero(di))));
      if constexpr (R == Reduce::kAvg) {
        sum = hn::Add(sum, Widen(d, kMasked ? hn::IfThenElseZero(valid, x) : x));
      } else if constexpr (R == Reduce::kMax) {
        best = kMasked ? hn::IfThenElse(valid, MaxNaN(x, best), best) : MaxNaN(x, best);
      } else {
        const auto take = kMasked ? hn::And(Replaces(x, best), valid) : Replaces(x, best);
        best = hn::IfThenElse(take, x, best);
        at = hn::IfThenElse(hn::RebindMask(di, take), hn::LoadU(di, c.plane_index), at);
        c.plane_index += N;
      }
    }
  }
  at_tap = c;
  // Whole vectors are stored when this vector's outputs fill them, or when their lanes past
  // them are outputs of the next vectors of the table, which store theirs afterwards; the
  // last vectors store only their own.
  const bool whole = used == N || (v + 1 < t.vectors && first + N <= t.count);
  if constexpr (R == Reduce::kAvg) {
    if constexpr (IsFloat<T>) {
      const T* scale = nullptr;
      if constexpr (std::is_same_v<T, float>) scale = t.scale_f32.data();
      if constexpr (std::is_same_v<T, double>) scale = t.scale_f64.data();
      best = hn::Mul(sum, hn::LoadU(d, scale + v * N));
    } else {
      // poolbench's integer rounding, lane by lane (there is no vector division).
      HWY_ALIGN int64_t sums[hn::MaxLanes(ds)];
      hn::Store(sum, ds, sums);
      for (int64_t i = 0; i < used; ++i) {
        dst[first + i] = static_cast<T>(RoundDiv(sums[i], t.divisor[v * N + i]));
      }
      return;
    }
  }
  if (whole) {
    hn::StoreU(best, d, dst + first);
    if constexpr (R == Reduce::kMaxIndex) StoreIndices(di, at, idx + first);
  } else {
    hn::BlendedStore(best, hn::FirstN(d, static_cast<size_t>(used)), d, dst + first);
    if constexpr (R == Reduce::kMaxIndex) {
      StoreFirstIndices(di, at, static_cast<size_t>(used), idx + first);
    }
  }
}

// Groups [begin, end): the plan's full groups, then the tail, with windows of K vectors.
template <Reduce R, size_t K, class D>
void Groups(const SmallPlan& s, const void* src, void* dst, int64_t* indices, int64_t begin,
            int64_t end) {
  using T = hn::TFromD<D>;
  using TI = hn::TFromD<hn::RebindToSigned<D>>;
  const D d;
  for (int64_t g = begin; g < end; ++g) {
    const LaneTable& t = g < s.groups ? s.table : s.tail;
    const int64_t unit = g * s.group;
    const T* in = static_cast<const T*>(src) + unit * s.unit_in;
    T* out = static_cast<T*>(dst) + unit * s.unit_out;
    int64_t* idx = R == Reduce::kMaxIndex ? indices + unit * s.unit_out : nullptr;
    Cursor<TI> c{t.program.data(), LaneIndex<TI>(t), PlaneIndex<TI>(t)};
    for (int64_t v = 0; v < t.vectors; ++v) {
      const int64_t first = c.program[0], used = c.program[1], rows = c.program[3];
      const bool masked = c.program[2] != 0;
      c.program += 4;
      if (masked) {
        Outputs<R, K, true>(d, t, v, first, used, rows, c, in, out, idx);
      } else {
        Outputs<R, K, false>(d, t, v, first, used, rows, c, in, out, idx);
      }
    }
  }
}

// A problem of one vector: Groups without its loops, which a problem this small notices.
template <Reduce R, size_t K, bool kMasked, class D>
void Single(const SmallPlan& s, const void* src, void* dst, int64_t* indices, int64_t, int64_t) {
  using T = hn::TFromD<D>;
  using TI = hn::TFromD<hn::RebindToSigned<D>>;
  const LaneTable& t = s.groups > 0 ? s.table : s.tail;
  Cursor<TI> c{t.program.data() + 4, LaneIndex<TI>(t), PlaneIndex<TI>(t)};
  Outputs<R, K, kMasked>(D(), t, 0, 0, t.program[1], t.program[3], c, static_cast<const T*>(src),
                         static_cast<T*>(dst), indices);
}

template <Reduce R, size_t K, class D>
SmallForwardFn ForProblem(const SmallPlan& s) {
  const LaneTable& t = s.groups > 0 ? s.table : s.tail;
  if (s.WorkUnits() > 1 || t.vectors > 1) return &Groups<R, K, D>;
  return t.program[2] ? &Single<R, K, true, D> : &Single<R, K, false, D>;
}

template <Reduce R, class D>
SmallForwardFn ForWindow(const SmallPlan& s) {
  switch ((s.groups > 0 ? s.table : s.tail).window) {
    case 1:
      return ForProblem<R, 1, D>(s);
    case 2:
      return ForProblem<R, 2, D>(s);
    case 3:
      return ForProblem<R, 3, D>(s);
    default:
      return ForProblem<R, 4, D>(s);
  }
}

}  // namespace

SmallForwardFn SmallForward(const SmallPlan& s) {
  return DispatchDType<SimdDTypes>(s.p.dtype, [&]<class T>() HWY_ATTR -> SmallForwardFn {
    using D = hn::ScalableTag<T>;
    if (s.p.op == Op::kAvg) {
      if constexpr (IsFloat<T>) {
        return ForWindow<Reduce::kAvg, D>(s);
      } else {
        // int32 lanes as many as int64 ones: the sums are int64.
        return ForWindow<Reduce::kAvg, hn::Rebind<T, hn::ScalableTag<int64_t>>>(s);
      }
    }
    if (s.p.indices) return ForWindow<Reduce::kMaxIndex, D>(s);
    return ForWindow<Reduce::kMax, D>(s);
  });
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(SmallForward);
SmallForwardFn SmallForward(const SmallPlan& plan) {
  return HWY_DYNAMIC_DISPATCH(SmallForward)(plan);
}
}  // namespace poolbench::simd
#endif
