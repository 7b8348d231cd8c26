// simd: pooling written with Google Highway's portable vectors, dispatched at run time to the
// best instruction set of the machine (AVX-512, AVX2, NEON, ...). NHWC vectorises over
// channels, NCHW over output columns; see the kernels' files for each path.
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "poolbench/named_strategy.hpp"
#include "poolbench/registry.hpp"
#include "strategies/simd/plan.hpp"

namespace poolbench::simd {

namespace {

// Below this much input a problem stays on one thread: waking a second one costs more (a few
// microseconds) than it saves.
constexpr int64_t kMinParallelBytes = 64 << 10;

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
  SimdKernel(const Problem& p, int threads) : plan_(p, threads), threads_(threads) {
    if (p.direction == Direction::kBackward && p.op == Op::kMax) {
      forward_values_.resize(OutputElements(p) * SizeOf(p.dtype));
    }
    // One scratch row per thread, each on cache lines of its own.
    scratch_stride_ = (plan_.ScratchBytes() + 63) / 64 * 64;
    scratch_.resize(threads * scratch_stride_ + 64);
  }

  void Run(const Buffers& b) override {
    if (plan_.p.direction == Direction::kForward) {
      Forward(b.src, b.dst, b.indices);
      return;
    }
    char* scratch = Scratch();
    ParallelFor(threads_, plan_.BackwardUnits(), [&](int64_t begin, int64_t end, int thread) {
      Backward(plan_, b.diff_dst, b.indices, b.diff_src, scratch + thread * scratch_stride_, begin,
               end);
    });
  }

  // Max backward scatters through the argmax indices of its own forward.
  SavedForward Saves() const override {
    return {.indices = plan_.p.direction == Direction::kBackward && plan_.p.op == Op::kMax};
  }
  void SaveForward(const Buffers& b) override {
    if (Saves().indices) Forward(b.src, forward_values_.data(), b.indices);
  }

 private:
  void Forward(const void* src, void* dst, int64_t* indices) {
    if (plan_.nhwc_global_sum) {
      ParallelFor(threads_, plan_.ForwardUnits(), [&](int64_t begin, int64_t end, int) {
        GlobalAvgNhwc(plan_, src, dst, begin, end);
      });
      return;
    }
    if (plan_.p.layout == Layout::kNHWC) {
      ParallelFor(threads_, plan_.ForwardUnits(), [&](int64_t begin, int64_t end, int) {
        ForwardNhwc(plan_, src, dst, indices, begin, end);
      });
      return;
    }
    if (plan_.nchw_tile2x2) {
      ParallelFor(threads_, plan_.ForwardUnits(), [&](int64_t begin, int64_t end, int) {
        Tile2x2Nchw(plan_, src, dst, indices, begin, end);
      });
      return;
    }
    char* scratch = Scratch();
    ParallelFor(threads_, plan_.ForwardUnits(), [&](int64_t begin, int64_t end, int thread) {
      ForwardNchw(plan_, src, dst, indices, scratch + thread * scratch_stride_, begin, end);
    });
  }

  // The first thread's scratch row, cache-line aligned.
  char* Scratch() {
    return scratch_.data() + (64 - reinterpret_cast<uintptr_t>(scratch_.data()) % 64);
  }

  Plan plan_;
  int threads_ = 1;
  std::vector<char> forward_values_;  // the values SaveForward computes beside the indices
  std::vector<char> scratch_;
  int64_t scratch_stride_ = 0;
};

class Simd final : public NamedStrategy {
 public:
  Simd()
      : NamedStrategy(
            "simd",
            "Google Highway vectors with run-time dispatch: NHWC over channels, NCHW over output "
            "columns (de-interleaved loads for stride 2)") {}
  Implemented Implements() const override { return {.dtypes = SimdDTypes::set}; }
  Support Supports(const Problem& p) const override {
    // Index vectors have lanes as wide as the data: int32 for f32 and i32.
    const bool indices = p.indices || (p.direction == Direction::kBackward && p.op == Op::kMax);
    if (indices && SizeOf(p.dtype) < 8 && p.h * p.w > INT32_MAX) {
      return Support::No("indices of planes of 2^31 elements or more with 32-bit data");
    }
    return Support::Yes();
  }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext& ctx) const override {
    const bool small = InputElements(p) * SizeOf(p.dtype) < kMinParallelBytes;
    return std::make_unique<SimdKernel>(p, small ? 1 : ctx.threads);
  }
  int MaxThreads() const override { return omp_get_num_procs(); }
};

POOLBENCH_REGISTER_STRATEGY(Simd);

}  // namespace
}  // namespace poolbench::simd
