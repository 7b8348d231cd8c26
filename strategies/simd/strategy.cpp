// simd: pooling written with Google Highway's portable vectors, dispatched at run time to the
// best instruction set of the machine (AVX-512, AVX2, NEON, ...). NHWC vectorises over
// channels, NCHW over output columns; see the kernels' files for each path.
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "poolbench/named_strategy.hpp"
#include "poolbench/registry.hpp"
#include "strategies/simd/plan.hpp"
#include "strategies/simd/small_plan.hpp"
#include "strategies/simd/target.hpp"

namespace poolbench::simd {

namespace {

// A problem whose kernel takes less than this on one thread stays on one: waking a second
// thread and joining it costs more than it saves. On a 2-core AMD EPYC, two threads began to
// win at 3-4 us of work on one, on every path, whether that was 40 KiB of input (NCHW 3x3
// windows with indices) or 256 KiB (2x2 tilings); the plans estimate the time.
constexpr int64_t kMinParallelNanos = 3500;

// Runs fn(begin, end, thread) over [0, units) split evenly between up to `threads` OpenMP
// threads.
template <class Fn>
void ParallelFor(int threads, int64_t units, Fn&& fn) {
  threads = static_cast<int>(std::min<int64_t>(threads, units));
  if (threads <= 1) {
    fn(int64_t{0}, units, 0);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), n = omp_get_num_threads();
    fn(units * t / n, units * (t + 1) / n, t);
  }
}

class SimdKernel final : public Kernel {
 public:
  SimdKernel(const Problem& p, int threads) : threads_(threads) {
    const bool forward = p.direction == Direction::kForward;
    int64_t scratch_bytes = 0;
    if (SmallPlan::Suits(p)) {
      small_ = std::make_unique<SmallPlan>(p);
      if (forward) {
        small_forward_ = SmallForward(*small_);
        run_ = &SimdKernel::RunSmallForward;
      } else {
        small_backward_ = SmallBackward(*small_);
        run_ = &SimdKernel::RunSmallBackward;
      }
      units_ = small_->WorkUnits();
      scratch_bytes = small_->ScratchBytes();
      plan_text_ = small_->Describe();
    } else {
      plan_ = std::make_unique<simd::Plan>(p, threads);
      // The plan splits an image's channels between the threads it is given.
      if (threads > 1 && plan_->OneThreadNanos() < kMinParallelNanos) {
        plan_ = std::make_unique<simd::Plan>(p, 1);
      }
      if (forward) {
        forward_fn_ = plan_->nhwc_global_sum             ? NhwcGlobalAvg(*plan_)
                      : plan_->p.layout == Layout::kNHWC ? NhwcForward(*plan_)
                      : plan_->nchw_tile2x2              ? NchwTile2x2(*plan_)
                                                         : NchwForward(*plan_);
        run_ = &SimdKernel::RunForward;
      } else {
        backward_fn_ = BackwardKernel(*plan_);
        run_ = &SimdKernel::RunBackward;
      }
      units_ = forward ? plan_->ForwardUnits() : plan_->BackwardUnits();
      scratch_bytes = plan_->ScratchBytes();
      plan_text_ = plan_->Describe(VectorLanes(p.dtype));
    }
    // No more threads than work units, and one for a short run.
    const int64_t nanos = small_ ? small_->OneThreadNanos() : plan_->OneThreadNanos();
    threads_ =
        nanos < kMinParallelNanos ? 1 : static_cast<int>(std::clamp<int64_t>(units_, 1, threads));
    plan_text_ += std::string(", ") + TargetName() + ", " + std::to_string(threads_) +
                  (threads_ == 1 ? " thread" : " threads");
    // Max backward scatters through the argmax indices of its own forward, which SaveForward
    // computes with a forward kernel of its own.
    if (!forward && p.op == Op::kMax) {
      Problem f = p;
      f.direction = Direction::kForward;
      f.indices = true;
      forward_ = std::make_unique<SimdKernel>(f, threads);
      forward_values_.resize(OutputElements(p) * SizeOf(p.dtype));
    }
    // One scratch row per thread, each on cache lines of its own.
    scratch_stride_ = (scratch_bytes + 63) / 64 * 64;
    scratch_.resize(threads_ * scratch_stride_ + 64);
    if (plan_ && scratch_bytes > 0) {
      for (int t = 0; t < threads_; ++t) PrepareScratch(*plan_, Scratch() + t * scratch_stride_);
    }
  }

  void Run(const Buffers& b) override {
    // A small problem on one thread: its kernel, without the call through run_ and ParallelFor
    // around it, which problems of a few nanoseconds notice.
    if (small_forward_ && threads_ == 1) {
      small_forward_(*small_, b.src, b.dst, b.indices, 0, units_);
      return;
    }
    if (small_backward_ && threads_ == 1) {
      small_backward_(*small_, b.diff_dst, b.indices, b.diff_src, Scratch(), 0, units_);
      return;
    }
    (this->*run_)(b);
  }

  SavedForward Saves() const override { return {.indices = forward_ != nullptr}; }
  void SaveForward(const Buffers& b) override {
    if (!forward_) return;
    Buffers f;
    f.src = b.src;
    f.dst = forward_values_.data();
    f.indices = b.indices;
    forward_->Run(f);
  }

  std::string Plan() const override { return plan_text_; }

 private:
  void RunSmallForward(const Buffers& b) {
    ParallelFor(threads_, units_, [&](int64_t begin, int64_t end, int) {
      small_forward_(*small_, b.src, b.dst, b.indices, begin, end);
    });
  }

  void RunSmallBackward(const Buffers& b) {
    char* scratch = Scratch();
    ParallelFor(threads_, units_, [&](int64_t begin, int64_t end, int thread) {
      small_backward_(*small_, b.diff_dst, b.indices, b.diff_src,
                      scratch + thread * scratch_stride_, begin, end);
    });
  }

  void RunForward(const Buffers& b) {
    char* scratch = Scratch();
    ParallelFor(threads_, units_, [&](int64_t begin, int64_t end, int thread) {
      forward_fn_(*plan_, b.src, b.dst, b.indices, scratch + thread * scratch_stride_, begin, end);
    });
  }

  void RunBackward(const Buffers& b) {
    char* scratch = Scratch();
    ParallelFor(threads_, units_, [&](int64_t begin, int64_t end, int thread) {
      backward_fn_(*plan_, b.diff_dst, b.indices, b.diff_src, scratch + thread * scratch_stride_,
                   begin, end);
    });
  }

  // The first thread's scratch row, cache-line aligned.
  char* Scratch() {
    return scratch_.data() + (64 - reinterpret_cast<uintptr_t>(scratch_.data()) % 64);
  }

  int threads_ = 1;
  int64_t units_ = 0;  // the work units Run splits between the threads
  // Exactly one of the two plans: the small path's, or the row-wise paths'.
  std::unique_ptr<SmallPlan> small_;
  SmallForwardFn small_forward_ = nullptr;
  SmallBackwardFn small_backward_ = nullptr;
  std::unique_ptr<simd::Plan> plan_;
  ForwardFn forward_fn_ = nullptr;
  BackwardFn backward_fn_ = nullptr;
  void (SimdKernel::*run_)(const Buffers&) = nullptr;
  std::string plan_text_;
  std::unique_ptr<SimdKernel> forward_;  // max backward: the forward that saves the indices
  std::vector<char> forward_values_;     // the values it computes beside the indices
  std::vector<char> scratch_;
  int64_t scratch_stride_ = 0;
};

class Simd final : public NamedStrategy {
 public:
  Simd()
      : NamedStrategy(
            "simd",
            "Google Highway vectors with run-time dispatch: NHWC over channels, NCHW over output "
            "columns (de-interleaved loads for stride 2); rows narrower than a vector as whole "
            "planes, each tap picked from registers by permutes") {}
  Implemented Implements() const override {
    return {.dtypes = SimdDTypes::set, .ranks = RankSet::Only(2)};
  }
  Support Supports(const Problem& p) const override {
    // Index vectors have lanes as wide as the data: int32 for f32 and i32.
    const bool indices = p.indices || (p.direction == Direction::kBackward && p.op == Op::kMax);
    if (indices && SizeOf(p.dtype) < 8 && p.h * p.w > INT32_MAX) {
      return Support::No("indices of planes of 2^31 elements or more with 32-bit data");
    }
    return Support::Yes();
  }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext& ctx) const override {
    return std::make_unique<SimdKernel>(p, ctx.threads);
  }
  int MaxThreads() const override { return omp_get_num_procs(); }
};

POOLBENCH_REGISTER_STRATEGY(Simd);

}  // namespace
}  // namespace poolbench::simd
