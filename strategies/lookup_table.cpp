// lookup_table: the seeds' precomputed index table. For one plane shape, the flat input
// offsets of every window's valid taps are listed once (CSR: window w owns entries
// [start[w], start[w+1])) together with each window's avg divisor, and cached per shape so
// that building it is never part of a timed run. A run gathers through the table and reduces;
// argmax indices come straight from the table's offsets, and max backward scatters through the
// indices its own forward saved (the seeds' bincount of winners).
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "poolbench/plane_kernel.hpp"
#include "poolbench/registry.hpp"

namespace poolbench {
namespace {

struct Table {
  std::vector<int32_t> start;    // size windows + 1
  std::vector<int32_t> offset;   // flat ih * W + iw of each valid tap, row-major per window
  std::vector<int64_t> divisor;  // avg divisor per window
};

// Everything that determines a table: the plane geometry and the avg divisor rule.
using TableKey = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                            int64_t, int64_t, bool, bool, int64_t>;

TableKey KeyOf(const Problem& p) {
  return {p.h,
          p.w,
          p.kernel.h,
          p.kernel.w,
          p.stride.h,
          p.stride.w,
          p.padding.h,
          p.padding.w,
          p.dilation.h,
          p.dilation.w,
          p.ceil_mode,
          p.count_include_pad,
          p.divisor_override.value_or(0)};
}

std::shared_ptr<const Table> BuildTable(const Problem& p) {
  auto t = std::make_shared<Table>();
  const WindowGrid grid(p);
  t->start.reserve(grid.oh() * grid.ow() + 1);
  t->divisor.reserve(grid.oh() * grid.ow());
  t->start.push_back(0);
  for (int64_t oy = 0; oy < grid.oh(); ++oy) {
    for (int64_t ox = 0; ox < grid.ow(); ++ox) {
      grid.ForEachTap(oy, ox, [&](int64_t off) { t->offset.push_back(static_cast<int32_t>(off)); });
      t->start.push_back(static_cast<int32_t>(t->offset.size()));
      t->divisor.push_back(grid.Divisor(oy, ox));
    }
  }
  return t;
}

// Tables are shared between kernels of the same shape (dtypes, N and C do not matter).
std::shared_ptr<const Table> CachedTable(const Problem& p) {
  static std::mutex mu;
  static std::map<TableKey, std::weak_ptr<const Table>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[KeyOf(p)];
  if (auto t = slot.lock()) return t;
  auto t = BuildTable(p);
  slot = t;
  return t;
}

template <class T>
class TableKernel final : public PlaneKernel<T> {
 public:
  TableKernel(const Problem& p, const ExecContext& ctx)
      : PlaneKernel<T>(p, ctx), table_(CachedTable(p)) {}

  // Max backward scatters through the indices its forward found, as the seeds' bincount does.
  SavedForward Saves() const override {
    return {.indices = this->p_.direction == Direction::kBackward && this->p_.op == Op::kMax};
  }

 private:
  void ForwardPlane(const T* src, T* dst, int64_t* idx) override {
    const int32_t* start = table_->start.data();
    const int32_t* offset = table_->offset.data();
    for (int64_t w = 0; w < this->out_plane_; ++w) {
      if (this->p_.op == Op::kMax) {
        const int32_t bi = ArgMax(src, offset + start[w], offset + start[w + 1]);
        dst[w] = src[bi];
        if (idx) idx[w] = bi;
      } else {
        Acc<T> sum = 0;
        for (int32_t t = start[w]; t < start[w + 1]; ++t) sum += src[offset[t]];
        dst[w] = DivideAs<T>(sum, table_->divisor[w]);
      }
    }
  }

  void BackwardPlane(const T*, const T* dy, const int64_t* idx, T* dx) override {
    std::fill(dx, dx + this->in_plane_, T(0));
    if (this->p_.op == Op::kMax) {
      for (int64_t w = 0; w < this->out_plane_; ++w) AddGrad(dx[idx[w]], dy[w]);
      return;
    }
    const int32_t* start = table_->start.data();
    for (int64_t w = 0; w < this->out_plane_; ++w) {
      const T share = DivideAs<T>(dy[w], table_->divisor[w]);
      for (int32_t t = start[w]; t < start[w + 1]; ++t) AddGrad(dx[table_->offset[t]], share);
    }
  }

  static int32_t ArgMax(const T* src, const int32_t* first, const int32_t* last) {
    int32_t bi = *first;
    T best = src[bi];
    for (const int32_t* t = first + 1; t < last; ++t) {
      const T v = src[*t];
      const bool take = MaxReplaces(v, best);  // selects, not a branch random data mispredicts
      bi = take ? *t : bi;
      best = take ? v : best;
    }
    return bi;
  }

  std::shared_ptr<const Table> table_;
};

class LookupTable final : public PlaneStrategy<TableKernel> {
 public:
  LookupTable()
      : PlaneStrategy("lookup_table",
                      "Precomputed table of every window's input offsets, cached per shape; gather "
                      "and reduce, indices and backward from the table") {}

 private:
  Support Limits(const Problem& p) const override {
    if (p.h * p.w > INT32_MAX) return Support::No("plane larger than 2^31 elements (32-bit table)");
    // The table holds one entry per valid tap; refuse tables that would not fit in 32 bits.
    if (static_cast<double>(OutputH(p)) * OutputW(p) * p.kernel.h * p.kernel.w > INT32_MAX) {
      return Support::No("table larger than 2^31 entries");
    }
    return Support::Yes();
  }
};

POOLBENCH_REGISTER_STRATEGY(LookupTable);

}  // namespace
}  // namespace poolbench
