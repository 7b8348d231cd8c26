// The execution contract between the harness and a strategy (interface v2): thread counts come
// from the ExecContext and nowhere else, every buffer is aligned, a backward kernel gets what it
// asked its own forward to save before its timed runs, and writes outside or into the input are
// caught.
#include <gtest/gtest.h>
#include <omp.h>

#include <cstdint>
#include <mutex>
#include <set>

#include "bench/bench_runner.hpp"
#include "check/cross_check.hpp"
#include "isolate/worker.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/registry.hpp"
#include "poolbench/window.hpp"
#include "run/guarded_buffer.hpp"

namespace poolbench {
namespace {

bool Aligned(const void* ptr) { return reinterpret_cast<uintptr_t>(ptr) % kBufferAlignment == 0; }

// What the recording strategies saw, across every kernel they prepared.
struct Seen {
  std::mutex mu;
  std::set<int> threads;           // ExecContext::threads given to Prepare
  std::set<int> omp_max;           // omp_get_max_threads() inside Run
  bool misaligned = false;         // any non-null buffer not kBufferAlignment-aligned
  int save_forward_calls = 0;      // SaveForward before the first Run of a kernel
  bool run_without_saved = false;  // a Run whose saved buffers were missing
};

// A correct f32 NCHW max strategy (so that its results pass the cross-check) that records what
// the harness gives it. Its backward reads only the indices its own forward saved.
class Recording final : public Strategy {
 public:
  Recording(std::string name, int max_threads, Seen& seen)
      : name_(std::move(name)), max_threads_(max_threads), seen_(seen) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "records what the harness gives it"; }
  Support Supports(const Problem& p) const override {
    if (p.layout != Layout::kNCHW || p.op != Op::kMax || p.dtype != DType::kF32) {
      return Support::No("f32 NCHW max only");
    }
    return Support::Yes();
  }
  int MaxThreads() const override { return max_threads_; }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext& ctx) const override {
    {
      std::lock_guard lock(seen_.mu);
      seen_.threads.insert(ctx.threads);
    }
    return std::make_unique<K>(p, seen_);
  }

 private:
  class K final : public Kernel {
   public:
    K(const Problem& p, Seen& seen) : p_(p), grid_(p), seen_(seen) {}
    SavedForward Saves() const override {
      if (p_.direction == Direction::kForward) return {};
      return {.indices = true, .workspace_bytes = 100};
    }
    void SaveForward(const Buffers& b) override {
      std::lock_guard lock(seen_.mu);
      ++seen_.save_forward_calls;
      seen_.misaligned |= !Aligned(b.workspace) || !Aligned(b.indices);
      Forward(b, b.indices, nullptr);
      saved_ = true;
    }
    void Run(const Buffers& b) override {
      {
        std::lock_guard lock(seen_.mu);
        seen_.omp_max.insert(omp_get_max_threads());
        for (const void* ptr : {b.src, static_cast<const void*>(b.dst), b.diff_dst,
                                static_cast<const void*>(b.diff_src)}) {
          if (ptr && !Aligned(ptr)) seen_.misaligned = true;
        }
        if (p_.direction == Direction::kBackward && (!saved_ || !b.indices || !b.workspace)) {
          seen_.run_without_saved = true;
          return;
        }
      }
      if (p_.direction == Direction::kForward) {
        Forward(b, b.indices, static_cast<float*>(b.dst));
        return;
      }
      // The gradient from the saved winners only: no second look at src.
      const int64_t planes = p_.n * p_.c, in = p_.h * p_.w, out = grid_.oh() * grid_.ow();
      const float* dy = static_cast<const float*>(b.diff_dst);
      float* dx = static_cast<float*>(b.diff_src);
      std::fill(dx, dx + planes * in, 0.0f);
      for (int64_t i = 0; i < planes; ++i)
        for (int64_t o = 0; o < out; ++o) dx[i * in + b.indices[i * out + o]] += dy[i * out + o];
    }

   private:
    void Forward(const Buffers& b, int64_t* idx, float* dst) const {
      const int64_t in = p_.h * p_.w, out = grid_.oh() * grid_.ow();
      for (int64_t i = 0; i < p_.n * p_.c; ++i) {
        const float* src = static_cast<const float*>(b.src) + i * in;
        for (int64_t oy = 0; oy < grid_.oh(); ++oy) {
          for (int64_t ox = 0; ox < grid_.ow(); ++ox) {
            const int64_t bi = grid_.ArgMax(src, oy, ox), o = i * out + oy * grid_.ow() + ox;
            if (dst) dst[o] = src[bi];
            if (idx) idx[o] = bi;
          }
        }
      }
    }
    Problem p_;
    WindowGrid grid_;
    Seen& seen_;
    bool saved_ = false;
  };

  std::string name_;
  int max_threads_;
  Seen& seen_;
};

BenchConfig QuickConfig(std::vector<int> threads) {
  BenchConfig cfg;
  cfg.threads = std::move(threads);
  cfg.min_time = 0.001;
  cfg.bandwidth_seconds = 0;
  return cfg;
}

TEST(ExecContext, ThreadCountsComeFromTheContextAndOpenMPIsLeftAlone) {
  Seen seen;
  Recording threaded("recording_threaded", 4, seen);
  const Problem p = ParseDescriptor("max:fwd:f32:nchw:1x2x8x8:k2");
  omp_set_num_threads(3);
  const report::Run r = RunBench({&threaded}, {p}, QuickConfig({1, 2}));
  EXPECT_EQ(seen.threads, (std::set<int>{1, 2}));
  // Whatever OpenMP's setting was, the harness neither changed it nor relied on it.
  EXPECT_EQ(seen.omp_max, (std::set<int>{3}));
  EXPECT_EQ(omp_get_max_threads(), 3);
  std::set<int> reported;
  for (const report::Result& e : r.results) reported.insert(e.threads);
  EXPECT_EQ(reported, (std::set<int>{1, 2}));
}

TEST(ExecContext, AStrategyRunsOnlyAtTheThreadCountsItCanUse) {
  Seen seen;
  Recording single("recording_single", 1, seen);
  RunBench({&single}, {ParseDescriptor("max:fwd:f32:nchw:1x1x8x8:k2")}, QuickConfig({1, 2}));
  EXPECT_EQ(seen.threads, (std::set<int>{1}));
}

TEST(ExecContext, CrossCheckRunsAtTheRequestedThreadCountUpToTheStrategysMaximum) {
  Seen seen;
  Recording threaded("recording_threaded", 2, seen);
  const Problem p = ParseDescriptor("max:fwd:f32:nchw:1x1x8x8:k2");
  EXPECT_EQ(CrossCheck(threaded, p, 1, 8).verdict, Verdict::kPass);
  EXPECT_EQ(seen.threads, (std::set<int>{2}));
}

TEST(ExecContext, EveryBufferIsAlignedAndBackwardGetsItsSavedForwardFirst) {
  Seen seen;
  Recording s("recording_backward", 1, seen);
  const Problem p = ParseDescriptor("max:bwd:f32:nchw:1x2x7x7:k3:s1:p1");
  const CheckResult check = CrossCheck(s, p, 5);
  EXPECT_EQ(check.verdict, Verdict::kPass) << check.detail;
  const int checks = seen.save_forward_calls;
  EXPECT_GT(checks, 0);
  RunBench({&s}, {p}, QuickConfig({1}));
  EXPECT_GT(seen.save_forward_calls, checks) << "the benchmark did not save the forward";
  EXPECT_FALSE(seen.run_without_saved);
  EXPECT_FALSE(seen.misaligned);
}

// A kernel that writes where it must not, or throws, as chosen.
enum class Stray { kBeforeOutput, kPastOutput, kIntoInput, kThrows };
class Straying final : public Strategy {
 public:
  explicit Straying(Stray where) : where_(where) {}
  std::string_view name() const override { return "straying"; }
  std::string_view description() const override { return "writes outside its output"; }
  Support Supports(const Problem&) const override { return Support::Yes(); }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext&) const override {
    const Strategy& ref = *Registry::Global().Find(kReferenceName);
    return MakeKernel(
        [p, where = where_, k = std::shared_ptr<Kernel>(ref.Prepare(p, {}))](const Buffers& b) {
          k->Run(b);
          float* dst = static_cast<float*>(b.dst);
          switch (where) {
            case Stray::kBeforeOutput:
              dst[-3] = 1;
              break;
            case Stray::kPastOutput:
              dst[OutputElements(p) + 1] = 1;
              break;
            case Stray::kIntoInput:
              const_cast<float*>(static_cast<const float*>(b.src))[0] += 1;
              break;
            case Stray::kThrows:
              throw std::runtime_error("the library said no");
          }
        });
  }

 private:
  Stray where_;
};

TEST(ExecContext, WritesOutsideTheOutputAreCaughtAndNamed) {
  const Problem p = ParseDescriptor("max:fwd:f32:nchw:1x1x6x6:k2");
  const std::pair<Stray, std::string> cases[] = {
      {Stray::kBeforeOutput, "values: wrote before the start of the buffer (12 bytes before it)"},
      {Stray::kPastOutput, "values: wrote past the end of the buffer"},
  };
  for (const auto& [where, message] : cases) {
    const CheckResult r = CrossCheck(Straying(where), p, 3);
    EXPECT_EQ(r.verdict, Verdict::kFail) << message;
    EXPECT_NE(r.detail.find(message), std::string::npos) << r.detail;
  }
}

TEST(ExecContext, AWriteIntoTheInputFaultsAndIsNamedByTheWorker) {
  const Problem p = ParseDescriptor("max:fwd:f32:nchw:1x1x6x6:k2");
  isolate::Outcome outcome;
  isolate::RunTasks(
      1,
      [&](size_t) {
        CrossCheck(Straying(Stray::kIntoInput), p, 3);
        return std::string("not reached");
      },
      isolate::Options{},
      [&](size_t, isolate::Outcome o) {
        outcome = std::move(o);
        return true;
      });
  EXPECT_EQ(outcome.fault, isolate::Fault::kCrashed);
  EXPECT_NE(outcome.message.find("wrote into the input at offset 0"), std::string::npos)
      << outcome.message;
}

TEST(ExecContext, WhatAStrategyThrowsLeavesTheCheck) {
  const Problem p = ParseDescriptor("max:fwd:f32:nchw:1x1x6x6:k2");
  EXPECT_THROW(CrossCheck(Straying(Stray::kThrows), p, 3), std::runtime_error);
}

TEST(GuardedBuffer, IsAlignedFilledWithTheSentinelAndReportsBothGuards) {
  GuardedBuffer b(13);
  ASSERT_TRUE(Aligned(b.data()));
  for (unsigned char c : b.as<unsigned char>()) EXPECT_EQ(c, GuardedBuffer::kSentinel);
  EXPECT_EQ(b.GuardDamage(), "");
  static_cast<unsigned char*>(b.data())[13] = 0;  // in the alignment padding after the data
  EXPECT_NE(b.GuardDamage().find("past the end of the buffer (1 bytes after it)"),
            std::string::npos);
  GuardedBuffer empty(0);
  EXPECT_EQ(empty.data(), nullptr);
  EXPECT_EQ(empty.GuardDamage(), "");
}

}  // namespace
}  // namespace poolbench
