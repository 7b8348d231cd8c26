// simd: pooling written with Google Highway's portable vectors, dispatched at run time to the
// best instruction set of the machine (AVX-512, AVX2, NEON, ...). NHWC vectorises over
// channels, NCHW over output columns; see the kernels' files for each path.
#include <omp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "poolbench/registry.hpp"
#include "strategies/simd/plan.hpp"

namespace poolbench::simd {

Plan::Plan(const Problem& problem, int threads) : p(problem) {
  if (p.layout == Layout::kNHWC && p.c == 1) p.layout = Layout::kNCHW;
  oh = OutputH(p);
  ow = OutputW(p);
  for (int64_t oy = 0; oy < oh; ++oy) rows.push_back(RowTaps(p, oy));
  for (int64_t ox = 0; ox < ow; ++ox) cols.push_back(ColTaps(p, ox));
  const auto full = [&](int64_t ox) { return cols[ox].first == 0 && cols[ox].last == p.kernel.w; };
  full_lo = 0;
  while (full_lo < ow && !full(full_lo)) ++full_lo;
  full_hi = full_lo;
  while (full_hi < ow && full(full_hi)) ++full_hi;
  // H distinct valid rows in [0, H) are all of them (and W columns likewise).
  global = oh == 1 && ow == 1 && rows[0].last - rows[0].first == p.h &&
           cols[0].last - cols[0].first == p.w;
  tiles = p.stride == p.kernel && p.padding == Pair{0, 0} && p.dilation == Pair{1, 1} &&
          oh * p.kernel.h <= p.h && ow * p.kernel.w <= p.w;
  // Fewer images than threads: split the channels, in multiples of a cache line of f32.
  chunks = 1;
  chunk_channels = p.c;
  if (p.layout == Layout::kNHWC && !tiles && p.n < threads && p.c >= 32) {
    chunk_channels = (p.c / threads + 15) / 16 * 16;
    chunks = (p.c + chunk_channels - 1) / chunk_channels;
  }
}

int64_t Plan::ForwardUnits() const {
  return (p.layout == Layout::kNHWC ? p.n : p.n * p.c) * (global ? 1 : oh);
}

int64_t Plan::BackwardUnits() const {
  const int64_t images = p.layout == Layout::kNHWC ? p.n : p.n * p.c;
  return tiles ? images * oh : p.layout == Layout::kNHWC ? p.n * chunks : images;
}

namespace {

// Below this much input a problem stays on one thread: waking a second one costs more (a few
// microseconds) than it saves.
constexpr int64_t kMinParallelBytes = 64 << 10;

// Runs fn(begin, end) over [0, units) split evenly between up to `threads` OpenMP threads.
template <class Fn>
void ParallelFor(int threads, int64_t units, Fn&& fn) {
  threads = static_cast<int>(std::min<int64_t>(threads, units));
  if (threads <= 1) {
    fn(int64_t{0}, units);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
    fn(units * t / n, units * (t + 1) / n);
  }
}

class SimdKernel final : public Kernel {
 public:
  SimdKernel(const Problem& p, int threads) : plan_(p, threads), threads_(threads) {
    if (p.direction == Direction::kBackward && p.op == Op::kMax) {
      forward_values_.resize(OutputElements(p) * SizeOf(p.dtype));
    }
  }

  void Run(const Buffers& b) override {
    if (plan_.p.direction == Direction::kForward) {
      Forward(b.src, b.dst, b.indices);
      return;
    }
    ParallelFor(threads_, plan_.BackwardUnits(), [&](int64_t begin, int64_t end) {
      Backward(plan_, b.diff_dst, b.indices, b.diff_src, begin, end);
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
  void Forward(const void* src, void* dst, int64_t* indices) const {
    const auto fn = plan_.p.layout == Layout::kNHWC ? &ForwardNhwc : &ForwardNchw;
    ParallelFor(threads_, plan_.ForwardUnits(),
                [&](int64_t begin, int64_t end) { fn(plan_, src, dst, indices, begin, end); });
  }

  Plan plan_;
  int threads_ = 1;
  std::vector<char> forward_values_;  // the values SaveForward computes beside the indices
};

class Simd final : public Strategy {
 public:
  std::string_view name() const override { return "simd"; }
  std::string_view description() const override {
    return "Google Highway vectors with run-time dispatch: NHWC over channels, NCHW over output "
           "columns (de-interleaved loads for stride 2)";
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
    const bool small = InputElements(p) * SizeOf(p.dtype) < kMinParallelBytes;
    return std::make_unique<SimdKernel>(p, small ? 1 : ctx.threads);
  }
  int MaxThreads() const override { return omp_get_num_procs(); }
};

}  // namespace
}  // namespace poolbench::simd

#ifdef POOLBENCH_SIMD_PLUGIN
#include "poolbench/plugin.hpp"
using poolbench::simd::Simd;
POOLBENCH_PLUGIN_STRATEGY(Simd);
POOLBENCH_PLUGIN();
#else
namespace poolbench::simd {
POOLBENCH_REGISTER_STRATEGY(Simd);
}
#endif
