// The cross-check has teeth: deliberately broken strategies, each with one classic pooling
// bug, are caught on the seeds and edge suites (and random problems), with the descriptor,
// the seed and a repro line in the report.
#include <gtest/gtest.h>

#include "check/cross_check.hpp"
#include "check/random_problems.hpp"
#include "check/suite.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench/window.hpp"

namespace poolbench {
namespace {

enum class Bug {
  kPaddingOffByOne,    // windows start one element late when padded
  kTieGoesToLast,      // >= instead of >: ties go to the last tap
  kNaNDropped,         // plain > : a NaN never wins
  kZeroPadding,        // the seeds' zero padding takes part in the max
  kUnwrittenOutput,    // skips the last output element
  kAvgDividesByValid,  // ignores count_include_pad
};

// A plain NCHW forward implementation with one bug switched on.
class Broken final : public Strategy {
 public:
  explicit Broken(Bug bug) : bug_(bug) {}
  std::string_view name() const override { return "broken"; }
  std::string_view description() const override { return "a strategy with a known bug"; }
  Support Supports(const Problem& p) const override {
    if (p.layout != Layout::kNCHW || p.direction != Direction::kForward) {
      return Support::No("NCHW forward only");
    }
    return Support::Yes();
  }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext&) const override {
    return MakeKernel([p, bug = bug_](const Buffers& b) {
      DispatchDType<DefaultDTypes>(p.dtype, [&]<class T>() { Run<T>(p, bug, b); });
    });
  }

 private:
  template <class T>
  static void Run(const Problem& p, Bug bug, const Buffers& b) {
    const int64_t oh = OutputH(p), ow = OutputW(p);
    const int64_t shift = bug == Bug::kPaddingOffByOne && (p.padding.h || p.padding.w) ? 1 : 0;
    for (int64_t plane = 0; plane < p.n * p.c; ++plane) {
      const T* src = static_cast<const T*>(b.src) + plane * p.h * p.w;
      for (int64_t oy = 0; oy < oh; ++oy) {
        for (int64_t ox = 0; ox < ow; ++ox) {
          const int64_t o = plane * oh * ow + oy * ow + ox;
          if (bug == Bug::kUnwrittenOutput && o == p.n * p.c * oh * ow - 1) continue;
          bool found = false;
          T best{};
          int64_t bi = 0, count = 0;
          Acc<T> sum = 0;
          const int64_t y0 = oy * p.stride.h - p.padding.h + shift;
          const int64_t x0 = ox * p.stride.w - p.padding.w + shift;
          for (int64_t ky = 0; ky < p.kernel.h; ++ky) {
            for (int64_t kx = 0; kx < p.kernel.w; ++kx) {
              const int64_t y = y0 + ky * p.dilation.h, x = x0 + kx * p.dilation.w;
              const bool inside = y >= 0 && y < p.h && x >= 0 && x < p.w;
              if (!inside && bug != Bug::kZeroPadding) continue;
              const T v = inside ? src[y * p.w + x] : T(0);
              const int64_t at = inside ? y * p.w + x : 0;
              bool replaces = !found || MaxReplaces(v, best);
              if (bug == Bug::kTieGoesToLast) replaces = replaces || v == best;
              if (bug == Bug::kNaNDropped) replaces = !found || v > best;
              if (replaces) found = true, best = v, bi = at;
              sum += v;
              ++count;
            }
          }
          if (p.op == Op::kMax) {
            static_cast<T*>(b.dst)[o] = best;
            if (b.indices) b.indices[o] = bi;
          } else {
            const int64_t div = bug == Bug::kAvgDividesByValid && !p.divisor_override
                                    ? count
                                    : AvgDivisor(p, y0, x0, count);
            static_cast<T*>(b.dst)[o] = DivideAs<T>(sum, div);
          }
        }
      }
    }
  }
  Bug bug_;
};

// Runs the broken strategy over the suites and random problems; returns the first failure.
std::string FirstFailure(Bug bug) {
  const Broken s(bug);
  std::vector<Problem> problems;
  for (const SuiteEntry& e : LoadSuite("seeds,edge")) {
    for (const Problem& p : CheckVariants(e.problem)) problems.push_back(p);
  }
  for (uint64_t seed = 0; seed < 200; ++seed) problems.push_back(RandomProblem(seed));
  for (const Problem& p : problems) {
    const CheckResult r = CrossCheck(s, p, 7);
    if (r.verdict == Verdict::kFail) return r.detail;
  }
  return {};
}

class BrokenStrategy : public ::testing::TestWithParam<Bug> {};

TEST_P(BrokenStrategy, IsCaughtWithARepro) {
  const std::string failure = FirstFailure(GetParam());
  ASSERT_FALSE(failure.empty()) << "the cross-check missed the bug";
  EXPECT_NE(failure.find("seed 7"), std::string::npos) << failure;
  EXPECT_NE(failure.find("repro: poolbench check --problem "), std::string::npos) << failure;
}

INSTANTIATE_TEST_SUITE_P(Bugs, BrokenStrategy,
                         ::testing::Values(Bug::kPaddingOffByOne, Bug::kTieGoesToLast,
                                           Bug::kNaNDropped, Bug::kZeroPadding,
                                           Bug::kUnwrittenOutput, Bug::kAvgDividesByValid));

TEST(BrokenStrategy, ACorrectCopyOfTheSameCodeIsNotFlagged) {
  // Guards the test above: the harness is not failing everything. Using an out-of-range Bug
  // value switches every bug off.
  const Broken s(static_cast<Bug>(-1));
  for (const SuiteEntry& e : LoadSuite("seeds,edge")) {
    for (const Problem& p : CheckVariants(e.problem)) {
      const CheckResult r = CrossCheck(s, p, 7);
      EXPECT_NE(r.verdict, Verdict::kFail) << r.detail;
    }
  }
}

}  // namespace
}  // namespace poolbench
