// The simd strategy's writer of output rows that lie one after another in memory (NCHW rows
// of units [begin, end)), values and optionally int64 indices. Included once per Highway
// target, inside its namespace.
//
// Not streamed, a row is stored by whole vectors, the last one overlapping the one before (it
// stores the same results again) instead of leaving a tail.
// Streamed (the plan's choice, for outputs beyond the cache), every whole cache line of the
// range goes out non-temporally, also a line that a row shares with the next, assembled from
// the two rows' results. Only the range's ragged first and last lines, which the neighbouring
// ranges share, are stored cached, lane by lane, so that no line mixes the two kinds of store.

// Highway's per-target include guard: toggled for every target that foreach_target.h compiles.
#if defined(POOLBENCH_SIMD_ROW_WRITER_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef POOLBENCH_SIMD_ROW_WRITER_INL_H_
#undef POOLBENCH_SIMD_ROW_WRITER_INL_H_
#else
#define POOLBENCH_SIMD_ROW_WRITER_INL_H_
#endif

#include <algorithm>
#include <cstdint>

#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "strategies/simd/plan.hpp"
#include "strategies/simd/vector_ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D>
class RowWriter {
 public:
  using T = hn::TFromD<D>;
  using DI = IndexTag<D>;
  using V = hn::VFromD<D>;
  using VI = hn::VFromD<DI>;

  // `indices` is null when there are none. Rows of at least Lanes(d) outputs.
  RowWriter(D d, const Plan& g, T* dst, int64_t* indices, int64_t begin, int64_t end)
      : d_(d),
        n_(static_cast<int64_t>(hn::Lanes(d))),
        dst_(dst),
        indices_(indices),
        ow_(g.ow),
        begin_(begin),
        end_(end),
        // A vector of values filling a line then fills a whole line or two of int64 indices.
        stream_(g.stream && n_ * static_cast<int64_t>(sizeof(T)) == 64 &&
                reinterpret_cast<uintptr_t>(dst) % 64 == 0 &&
                reinterpret_cast<uintptr_t>(indices) % 64 == 0) {}
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;
  ~RowWriter() {
    if (stream_) hwy::FlushStream();
  }

  // Row `unit`: windows(ox, values, indices) gives the results of outputs [ox, ox + Lanes(d)).
  template <class Windows>
  HWY_INLINE void Row(int64_t unit, const Windows& windows) {
    T* out = dst_ + unit * ow_;
    int64_t* idx = indices_ ? indices_ + unit * ow_ : nullptr;
    V v;
    VI at;
    if (!stream_) {
      for (int64_t ox = 0;; ox += n_) {
        ox = std::min(ox, ow_ - n_);
        windows(ox, v, at);
        Store(v, at, out + ox, idx ? idx + ox : nullptr, false);
        if (ox + n_ >= ow_) break;
      }
      return;
    }
    // The row's first output on a line boundary; the outputs before it end a line.
    const int64_t head = (n_ - unit * ow_ % n_) % n_;
    if (head > 0 && unit == begin_) {
      Part(windows, 0, 0, head, out, idx);
    } else if (head > 0) {
      Part(windows, 0, 0, head, line_v_ + pending_, line_i_ + pending_);
      Store(hn::Load(d_, line_v_), LoadIndices(DI(), line_i_), out - pending_,
            idx ? idx - pending_ : nullptr, true);
    }
    int64_t ox = head;
    for (; ox + n_ <= ow_; ox += n_) {
      windows(ox, v, at);
      Store(v, at, out + ox, idx ? idx + ox : nullptr, true);
    }
    // The rest begins a line that the next row ends or, at the range's end, is stored as is.
    pending_ = ow_ - ox;
    if (pending_ > 0) {
      const bool last = unit + 1 == end_;
      Part(windows, ow_ - n_, ox - (ow_ - n_), n_, last ? out + ox : line_v_,
           last ? (idx ? idx + ox : nullptr) : line_i_);
    }
  }

 private:
  static constexpr size_t kMaxLanes = hn::MaxLanes(D());

  HWY_INLINE void Store(V v, VI at, T* out, int64_t* idx, bool stream) {
    Put(d_, v, out, stream);
    if (idx) StoreIndices(DI(), at, idx, stream);
  }

  // Lanes [lo, hi) of the results at ox, to out[0, hi - lo) (and idx, unless null).
  template <class Windows>
  HWY_INLINE void Part(const Windows& windows, int64_t ox, int64_t lo, int64_t hi, T* out,
                       int64_t* idx) {
    V v;
    VI at;
    windows(ox, v, at);
    hn::Store(v, d_, part_v_);
    std::copy(part_v_ + lo, part_v_ + hi, out);
    if (idx) {
      StoreIndices(DI(), at, part_i_);
      std::copy(part_i_ + lo, part_i_ + hi, idx);
    }
  }

  D d_;
  const int64_t n_;  // lanes of a vector
  T* dst_;
  int64_t* indices_;
  int64_t ow_, begin_, end_;
  bool stream_;
  int64_t pending_ = 0;  // lanes of line_v_ / line_i_ filled by the previous row
  HWY_ALIGN T line_v_[kMaxLanes], part_v_[kMaxLanes];
  HWY_ALIGN int64_t line_i_[kMaxLanes], part_i_[kMaxLanes];
};

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // POOLBENCH_SIMD_ROW_WRITER_INL_H_
