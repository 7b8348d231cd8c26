// openmp_parallel: the work split over (plane, output row) pairs with OpenMP, on the thread
// count of the execution context. Each task reduces one output row over the SDK's WindowGrid
// (valid tap ranges computed once per problem, so the inner loops carry no bounds checks), with
// the 2x2 and 3x3 windows away from the borders unrolled. Backward is split over planes only,
// since the windows of neighbouring output rows may overlap and scatter into the same inputs.
// Problems too small to repay a fork/join run on the calling thread.
#include <omp.h>

#include "poolbench/plane_kernel.hpp"
#include "poolbench/registry.hpp"

namespace poolbench {
namespace {

// Below this many input and output elements a parallel region costs more than it saves
// (a fork/join is a few microseconds; pooling moves a few elements per nanosecond).
constexpr int64_t kMinParallelElements = 32 * 1024;

template <class T>
class ParallelKernel final : public PlaneKernel<T> {
  using Base = PlaneKernel<T>;
  using Base::grid_, Base::p_;

 public:
  ParallelKernel(const Problem& p, const ExecContext& ctx) : Base(p, ctx) {
    const int64_t work = InputElements(p) + OutputElements(p);
    threads_ = work < kMinParallelElements ? 1 : ctx.threads;
    // The output columns whose windows lie wholly inside the input: a contiguous range,
    // since window starts grow with the column.
    const int64_t ow = grid_.ow();
    while (full_lo_ < ow && !FullCol(full_lo_)) ++full_lo_;
    full_hi_ = full_lo_;
    while (full_hi_ < ow && FullCol(full_hi_)) ++full_hi_;
  }

  // Tasks are (plane, output row) pairs forward and planes backward. One thread runs them in a
  // plain loop: even a parallel region that the `if` clause serialises costs a few hundred
  // nanoseconds, more than a small problem takes.
  void Run(const Buffers& b) override {
    const bool forward = p_.direction == Direction::kForward;
    const int64_t tasks = p_.n * p_.c * (forward ? grid_.oh() : 1);
    if (threads_ == 1) {
      for (int64_t t = 0; t < tasks; ++t) Task(b, t);
      return;
    }
#pragma omp parallel for schedule(static) num_threads(threads_)
    for (int64_t t = 0; t < tasks; ++t) Task(b, t);
  }

 private:
  void Task(const Buffers& b, int64_t t) {
    if (p_.direction == Direction::kBackward) {
      this->RunPlane(b, t);
      return;
    }
    const int64_t plane = t / grid_.oh(), oy = t % grid_.oh(), o = t * grid_.ow();
    ForwardRow(static_cast<const T*>(b.src) + plane * this->in_plane_, oy,
               static_cast<T*>(b.dst) + o, b.indices ? b.indices + o : nullptr);
  }

  void ForwardPlane(const T* src, T* dst, int64_t* idx) override {
    for (int64_t oy = 0; oy < grid_.oh(); ++oy) {
      const int64_t o = oy * grid_.ow();
      ForwardRow(src, oy, dst + o, idx ? idx + o : nullptr);
    }
  }

  bool FullCol(int64_t ox) const {
    return grid_.Col(ox).first == 0 && grid_.Col(ox).last == p_.kernel.w;
  }

  void ForwardRow(const T* src, int64_t oy, T* dst, int64_t* idx) const {
    const TapRange& row = grid_.Row(oy);
    const bool full_row = row.first == 0 && row.last == p_.kernel.h;
    const bool unrolled = p_.kernel == Pair{2, 2} || p_.kernel == Pair{3, 3};
    if (!full_row || !unrolled || full_lo_ >= full_hi_) {
      GenericWindows(src, oy, 0, grid_.ow(), dst, idx);
      return;
    }
    const int64_t origin = row.start * p_.w - p_.padding.w;
    const int64_t col = p_.stride.w, rows = p_.dilation.h * p_.w, tap = p_.dilation.w;
    // Undilated windows at stride 1 or 2 get the steps as constants, so that the compiler
    // vectorises across output columns (with shuffles for stride 2) instead of gathering.
    const auto full = [&]<int K>() {
      const int64_t lo = full_lo_, hi = full_hi_;
      if (tap == 1 && col == 1) {
        ReduceFullWindows<K, K>(p_, src, origin, 1, rows, 1, lo, hi, dst, idx);
      } else if (tap == 1 && col == 2) {
        ReduceFullWindows<K, K>(p_, src, origin, 2, rows, 1, lo, hi, dst, idx);
      } else {
        ReduceFullWindows<K, K>(p_, src, origin, col, rows, tap, lo, hi, dst, idx);
      }
    };
    if (p_.kernel.h == 2) {
      full.template operator()<2>();
    } else {
      full.template operator()<3>();
    }
    GenericWindows(src, oy, 0, full_lo_, dst, idx);
    GenericWindows(src, oy, full_hi_, grid_.ow(), dst, idx);
  }

  void GenericWindows(const T* src, int64_t oy, int64_t lo, int64_t hi, T* dst,
                      int64_t* idx) const {
    for (int64_t ox = lo; ox < hi; ++ox) {
      if (p_.op == Op::kMax) {
        const int64_t bi = grid_.ArgMax(src, oy, ox);
        dst[ox] = src[bi];
        if (idx) idx[ox] = bi;
      } else {
        Acc<T> sum = 0;
        grid_.ForEachTap(oy, ox, [&](int64_t off) { sum += src[off]; });
        dst[ox] = DivideAs<T>(sum, grid_.Divisor(oy, ox));
      }
    }
  }

  int threads_ = 1;
  int64_t full_lo_ = 0, full_hi_ = 0;  // output columns [lo, hi) have every tap inside
};

class OpenMPParallel final : public PlaneStrategy<ParallelKernel> {
 public:
  OpenMPParallel()
      : PlaneStrategy("openmp_parallel",
                      "OpenMP over (plane, output row) pairs, precomputed tap ranges, no bounds "
                      "checks inside; backward over planes") {}
  int MaxThreads() const override { return omp_get_num_procs(); }
};

POOLBENCH_REGISTER_STRATEGY(OpenMPParallel);

}  // namespace
}  // namespace poolbench
