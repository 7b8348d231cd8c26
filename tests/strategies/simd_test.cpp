// simd against the reference on problems shaped for its paths, on every instruction set its
// kernels were compiled for: NHWC with channel counts that fill groups of four vectors, single
// vectors, an overlapping last vector and narrower vectors; NCHW rows wide enough for full
// vectors with every stride path (contiguous, de-interleaved, gathered) and borders; tilings and
// overlapping windows backward; problems large enough to be split between two threads (by rows,
// by planes and by channel chunks). The check and fuzz suites use few channels and narrow rows,
// and never max forward without indices, which have paths of their own here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "check/cross_check.hpp"
#include "check/random_problems.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/registry.hpp"

#ifdef POOLBENCH_HAVE_SIMD
#include "hwy/targets.h"
#endif

namespace poolbench {
namespace {

constexpr uint64_t kSeed = 20261123;

// Shapes for each path; every one runs in every dtype as max (with and without indices) and avg,
// forward and backward.
const char* const kShapes[] = {
    // NHWC: channels in 4-vector groups, single vectors, an overlapping tail, 128-bit and 1-lane
    // vectors; padding, dilation and ceil mode.
    "nhwc:2x85x9x10:k3x3:s2x2:p1x1",
    "nhwc:1x130x7x8:k2x2",
    "nhwc:2x19x8x9:k3x2:s1x2:d2x1:ceil",
    "nhwc:1x5x6x7:k2x3:s1x1:p1x1",
    "nhwc:2x3x5x5:k5x5",   // global
    "nhwc:1x1x9x40:k2x2",  // one channel: planned as NCHW
    // NCHW: stride 2 with 2- and 3-wide windows, stride 1, other strides (gathers), dilation,
    // borders and partial windows.
    "nchw:1x2x9x70:k2x2",
    "nchw:2x3x11x71:k2x2:ceil",
    "nchw:1x2x12x67:k3x3:s2x2:p1x1",
    "nchw:1x2x10x55:k3x3:s2x2",
    "nchw:1x2x9x41:k3x3:s1x1:p1x1",
    "nchw:1x1x8x50:k3x2:s2x2:d1x2",
    "nchw:1x2x9x90:k4x3:s3x3:p1x1",
    "nchw:1x1x7x21:k2x5:s1x1:p0x2:ceil",
    "nchw:2x3x7x7:k7x7",  // global
    "nchw:1x1x8x8:k2x2",
    // Large windows: float sums in the data's type stay within the cross-check's bound.
    "nchw:1x2x20x40:k11x11:s1x1:p5x5",
    "nhwc:2x37x15x15:k15x15",
    "nchw:1x3x15x15:k15x15",
    // Large enough for two threads (a few microseconds of work on one): rows, planes, channel
    // chunks (one image, overlapping).
    "nhwc:1x70x32x32:k3x3:s2x2:p1x1",
    "nhwc:3x48x24x24:k2x2",
    "nchw:2x3x64x64:k3x3:s2x2:p1x1",
    "nchw:1x4x160x128:k2x2",
    "nchw:16x64x7x7:k7x7",
    // NHWC global float avg, a chunk of channels at a time: chunks of sixteen, eight, four, two
    // and one vectors and an overlapping last one, 128-bit and 1-lane vectors, padding counted
    // or not in the divisor, and a divisor override.
    "nhwc:2x300x3x3:k3x3",
    "nhwc:3x40x7x7:k7x7",
    "nhwc:2x6x3x3:k3x3",
    "nhwc:2x2x4x4:k4x4",
    "nhwc:1x20x5x5:k7x7:p1x1",
    "nhwc:1x20x5x5:k7x7:p1x1:excl",
    "nhwc:2x33x6x5:k6x5:div7",
    // NCHW 2x2 tilings, with and without indices: full vectors with an overlapping last one, an
    // odd width (the last column in no window), an odd height, 128-bit vectors, and rows too
    // short for them.
    "nchw:1x3x10x41:k2x2",
    "nchw:2x2x7x36:k2x2",
    "nchw:1x2x4x10:k2x2",
    "nchw:1x1x4x5:k2x2:div3",
    // Small planes and narrow images (the lookup tables of small_plan.hpp): the seeds' planes,
    // rows shorter than a vector, odd and non-square windows, padding, ceil mode and dilation,
    // tables over groups of planes with a tail, one element, and enough planes for two threads.
    "nchw:1x1x6x6:k3x3",
    "nchw:1x1x14x15:k2x3",
    "nchw:1x1x5x5:k2x2:ceil",
    "nchw:1x1x5x5:k5x5:s1x1:p2x2",
    "nchw:1x1x8x8:k3x3:s2x2:p2x2:d2x2:ceil",
    "nchw:5x7x5x5:k3x3:s2x2:p1x1",
    "nchw:1x1x17x1:k3x1",
    "nchw:1x1x1x1:k1x1",
    "nchw:64x64x6x6:k2x2",
    "nhwc:2x3x13x11:k3x3:s2x2:p1x1",
    "nhwc:3x2x5x4:k2x3:s1x1:p1x1:ceil",
};

// Whether simd implements dtype t (the others are skips: SkipsADTypeItDoesNotImplement).
bool SimdImplements(DType t) {
  const Strategy* simd = Registry::Global().Find("simd");
  return simd && simd->Implements().dtypes.Has(t);
}

std::vector<Problem> Variants(Problem base) {
  std::vector<Problem> out;
  for (DType t : kAllDTypes) {
    if (!SimdImplements(t)) continue;
    for (Op op : {Op::kMax, Op::kAvg}) {
      for (Direction dir : {Direction::kForward, Direction::kBackward}) {
        for (bool indices : {false, true}) {
          if (indices && (op == Op::kAvg || dir == Direction::kBackward)) continue;
          if (base.divisor_override && op != Op::kAvg) continue;  // an avg-only parameter
          Problem p = base;
          p.dtype = t, p.op = op, p.direction = dir, p.indices = indices;
          out.push_back(p);
        }
      }
    }
  }
  return out;
}

// The shapes above, then random problems widened to the sizes that vectors fill.
std::vector<Problem> Problems() {
  std::vector<Problem> out;
  for (const char* shape : kShapes) {
    for (const Problem& p : Variants(ParseDescriptor(std::string("max:f32:") + shape))) {
      out.push_back(p);
    }
  }
  for (uint64_t seed = 0; seed < 300; ++seed) {
    Problem p = RandomProblem(seed);
    if (p.layout == Layout::kNHWC) {
      p.c = 1 + static_cast<int64_t>(seed * 7 % 90);
    } else {
      p.w += 16 + static_cast<int64_t>(seed % 40);
    }
    if (Validate(p).empty() && SimdImplements(p.dtype)) out.push_back(p);
  }
  return out;
}

std::vector<int64_t> Targets() {
#ifdef POOLBENCH_HAVE_SIMD
  return hwy::SupportedAndGeneratedTargets();
#else
  return {};
#endif
}

std::string TargetName(int64_t target) {
#ifdef POOLBENCH_HAVE_SIMD
  return hwy::TargetName(target);
#else
  return std::to_string(target);
#endif
}

class SimdOnTarget : public ::testing::TestWithParam<int64_t> {
 protected:
#ifdef POOLBENCH_HAVE_SIMD
  void SetUp() override { hwy::SetSupportedTargetsForTest(GetParam()); }
  void TearDown() override {
#if (HWY_TARGETS & (HWY_TARGETS - 1)) != 0
    // The kernels were dispatched (to the target set up above), not called statically. (With
    // one target compiled, as under -march=native on x86, dispatch is static.)
    EXPECT_TRUE(hwy::GetChosenTarget().IsInitialized());
#endif
    hwy::SetSupportedTargetsForTest(0);
  }
#endif
};

TEST_P(SimdOnTarget, MatchesReference) {
  const Strategy* simd = Registry::Global().Find("simd");
  ASSERT_NE(simd, nullptr);
  const std::vector<Problem> problems = Problems();
  EXPECT_GT(problems.size(), 600u);
  for (const Problem& p : problems) {
    const CheckResult r = CrossCheck(*simd, p, kSeed, /*threads=*/2);
    EXPECT_EQ(r.verdict, Verdict::kPass) << FormatDescriptor(p) << ": " << r.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(simd, SimdOnTarget, ::testing::ValuesIn(Targets()),
                         [](const auto& info) { return TargetName(info.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SimdOnTarget);

// Beyond 32 MiB, outputs written whole by aligned vectors go out with non-temporal stores:
// forward NHWC whose channels fill whole lines, forward NCHW rows that are all vectors (2x2
// tilings' rows need not start on a line), and the backward of tilings (NCHW and NHWC) and of NHWC
// float avg's gather.
TEST(simd, OutputsStreamedPastTheCacheMatchTheReference) {
  const Strategy* simd = Registry::Global().Find("simd");
  if (!simd) GTEST_SKIP() << "simd is not built (Google Highway not found)";
  for (const char* d :
       {"max:fwd:f32:nhwc:6x64x128x128:k3x3:s2x2:p1x1:idx",
        "max:fwd:f32:nhwc:8x64x128x128:k3x3:s2x2:p1x1", "avg:fwd:f32:nhwc:8x64x128x128:k2x2",
        "max:fwd:f64:nhwc:3x32x128x128:k2x2:idx", "max:fwd:f32:nchw:6x64x128x128:k2x2:idx",
        "max:fwd:f32:nchw:4x64x150x150:k2x2:idx", "max:fwd:i32:nchw:4x64x150x150:k2x2:idx",
        "max:fwd:f64:nchw:4x32x150x150:k2x2:idx", "max:fwd:f32:nchw:6x96x150x150:k2x2",
        "avg:fwd:f32:nchw:6x96x150x150:k2x2", "avg:fwd:f64:nchw:4x48x150x150:k2x2",
        "max:fwd:f32:nchw:16x96x129x129:k3x3:s2x2", "max:fwd:f32:nchw:16x96x129x129:k3x3:s2x2:idx",
        "max:fwd:f64:nchw:8x96x129x129:k3x3:s2x2:idx",
        "max:fwd:i32:nchw:4x64x130x130:k3x3:s1x1:idx",
        "avg:fwd:f32:nchw:10x64x128x128:k3x3:s2x2:p1x1", "max:bwd:f32:nhwc:6x64x128x128:k2x2",
        "avg:bwd:f32:nchw:6x64x128x128:k2x2", "avg:bwd:f32:nhwc:6x64x128x128:k3x3:s2x2:p1x1"}) {
    const CheckResult r = CrossCheck(*simd, ParseDescriptor(d), kSeed, /*threads=*/2);
    EXPECT_EQ(r.verdict, Verdict::kPass) << d << ": " << r.detail;
  }
}

TEST(simd, SkipsADTypeItDoesNotImplement) {
  const Strategy* simd = Registry::Global().Find("simd");
  if (!simd) GTEST_SKIP() << "simd is not built (Google Highway not found)";
  EXPECT_FALSE(simd->Implements().dtypes.Has(DType::kU8));
  EXPECT_EQ(SupportOf(*simd, ParseDescriptor("max:fwd:u8:nchw:1x1x4x4:k2x2")).reason,
            "dtype u8 not implemented");
}

// The small-problem path runs where it should, and is right there: problems whose rows (NCHW)
// or pixels (NHWC) are narrower than any vector of 128 bits or more, so that every instruction
// set but the one-lane scalar one takes the path. Each kernel's Plan() names the path, and the
// cross-check then holds it to the reference, at one and two threads.
TEST_P(SimdOnTarget, SmallProblemsTakeTheSmallPath) {
#ifdef POOLBENCH_HAVE_SIMD
  if (GetParam() == HWY_SCALAR) GTEST_SKIP() << "one-lane vectors: no row is narrower";
#endif
  const Strategy* simd = Registry::Global().Find("simd");
  ASSERT_NE(simd, nullptr);
  const struct {
    const char* problem;
    const char* plan;  // a part of Plan()
  } kCases[] = {
      // The seeds' integer planes with indices: tiny planes, partial windows, non-square windows.
      {"max:fwd:i32:nchw:1x1x6x6:k3x3:idx", "nchw small planes, the whole problem in one table"},
      {"max:fwd:i32:nchw:1x1x5x5:k2x2:ceil:idx", "nchw small planes, the whole problem"},
      {"max:fwd:i32:nchw:1x1x4x4:k2x2:idx", "nchw small planes, the whole problem"},
      {"max:fwd:f32:nchw:1x1x7x9:k2x3:idx", "nchw small planes, the whole problem"},
      {"max:fwd:f32:nchw:1x1x5x5:k5x5:s2x2:p2x2:idx", "each tap picked from a window"},
      {"max:fwd:f32:nchw:1x1x9x9:k3x3:s3x3:d2x2:idx", "nchw small planes"},
      {"max:fwd:f32:nchw:1x1x1x1:k1x1:idx", "nchw small planes"},
      {"max:fwd:f64:nchw:1x3x9x2:k3x2:s2x1:idx", "nchw small planes"},
      // Averages: masked taps, divisors counting the padding or not, or overridden; i32 sums
      // in int64 vectors.
      {"avg:fwd:f32:nchw:1x1x6x6:k3x3:s2x2:p1x1:excl", "nchw small planes"},
      {"avg:fwd:f32:nchw:1x1x7x7:k3x3:s3x3:p1x1:div4", "nchw small planes"},
      {"avg:fwd:i32:nchw:2x3x9x2:k3x2:s2x1:p1x0:excl", "nchw small planes"},
      {"avg:fwd:f64:nchw:1x2x7x3:k2x3:s2x1:p1x0:ceil", "nchw small planes"},
      // Many planes: tables of a group of planes, the last one shorter where they do not divide.
      {"max:fwd:f32:nchw:1x37x5x5:k3x3:s2x2:p1x1:idx", "tables of"},
      {"avg:fwd:f32:nchw:1x37x5x5:k3x3:s2x2:p1x1", "tables of"},
      {"max:fwd:i32:nchw:37x1x5x5:k2x2:ceil", "tables of"},
      // Narrow NHWC images.
      {"max:fwd:f32:nhwc:2x3x13x11:k3x3:s2x2:p1x1:idx", "nhwc small images"},
      {"avg:fwd:f32:nhwc:2x3x6x6:k2x2:s1x1:p1x1:excl", "nhwc small images"},
      {"max:fwd:i32:nhwc:2x3x6x6:k3x3:s1x1:idx", "nhwc small images"},
      // Backward: max scatters to the saved indices, avg gathers each input's shares.
      {"max:bwd:i32:nchw:1x1x5x5:k3x3:s1x1", "nchw small planes, each zeroed"},
      {"max:bwd:f32:nhwc:2x3x7x7:k3x3:s2x2:p1x1", "nhwc small images, each zeroed"},
      {"max:bwd:f64:nchw:2x2x5x2:k2x2:s1x1:ceil", "nchw small planes, each zeroed"},
      {"avg:bwd:f32:nchw:1x2x5x5:k3x3:s2x2:p1x1:excl", "the inputs gathering up to"},
      {"avg:bwd:i32:nchw:1x37x5x5:k3x3:s2x2:p1x1", "the inputs gathering up to"},
      {"avg:bwd:f32:nhwc:1x3x6x6:k2x2:s1x1:p1x1", "nhwc small images"},
      {"avg:bwd:f64:nchw:1x2x5x3:k2x3:s1x3:p1x1", "nchw small planes"},
      {"avg:bwd:f32:nchw:1x37x5x5:k3x3:s2x2:p1x1:div3", "tables of"},
      {"max:bwd:f32:nchw:1x2x7x7:k2x2:s3x3:ceil", "stored at its index (tiles)"},
      {"max:bwd:f32:nhwc:1x3x7x8:k3x3:s3x3:p1x1", "stored at its index (tiles)"},
  };
  for (const auto& c : kCases) {
    const Problem p = ParseDescriptor(c.problem);
    for (const int threads : {1, 2}) {
      const std::string plan = simd->Prepare(p, ExecContext{threads})->Plan();
      EXPECT_NE(plan.find(c.plan), std::string::npos) << c.problem << ": " << plan;
      // Groups that do not divide the 37 planes leave a shorter last table, of the rest.
      if (const size_t at = plan.find("tables of ");
          at != std::string::npos && std::string(c.problem).find("37") != std::string::npos) {
        const int64_t group = std::stoll(plan.substr(at + 10));
        const std::string rest = ", then one of " + std::to_string(37 % group) + " plane";
        EXPECT_EQ(plan.find(rest) != std::string::npos, 37 % group != 0)
            << c.problem << ": " << plan;
      }
      // Problems this small stay on one thread.
      EXPECT_NE(plan.find(", 1 thread"), std::string::npos) << c.problem << ": " << plan;
      const CheckResult r = CrossCheck(*simd, p, kSeed, threads);
      EXPECT_EQ(r.verdict, Verdict::kPass) << c.problem << ": " << r.detail;
    }
  }
  // Enough planes for two threads, each with its share of the tables.
  for (const char* d : {"max:fwd:f32:nchw:64x64x6x6:k2x2:idx", "avg:bwd:f32:nchw:64x64x6x6:k3x3",
                        "max:bwd:i32:nchw:64x64x6x6:k3x3:s2x2"}) {
    const Problem p = ParseDescriptor(d);
    const std::string plan = simd->Prepare(p, ExecContext{2})->Plan();
    EXPECT_NE(plan.find("small planes"), std::string::npos) << d << ": " << plan;
    EXPECT_NE(plan.find(", 2 threads"), std::string::npos) << d << ": " << plan;
    const CheckResult r = CrossCheck(*simd, p, kSeed, 2);
    EXPECT_EQ(r.verdict, Verdict::kPass) << d << ": " << r.detail;
  }
}

// Rows as wide as a vector keep the row-wise paths, and planes of a vector or more their global
// reduction, which Plan() names too.
TEST(simd, WideRowsTakeTheRowPaths) {
  const Strategy* simd = Registry::Global().Find("simd");
  if (!simd) GTEST_SKIP() << "simd is not built (Google Highway not found)";
  const struct {
    const char* problem;
    const char* plan;
  } kCases[] = {
      {"max:fwd:f32:nchw:1x2x64x128:k2x2:idx", "nchw 2x2 tiling"},
      {"max:fwd:f32:nchw:1x2x64x130:k3x3:s2x2:p1x1", "nchw separable"},
      {"max:fwd:f32:nchw:1x2x64x130:k3x3:s2x2:p1x1:idx", "nchw direct"},
      {"max:fwd:f32:nhwc:1x64x16x16:k3x3:s2x2", "nhwc vectors"},
      {"avg:fwd:f32:nhwc:2x64x7x7:k7x7", "nhwc global average"},
      {"avg:bwd:f32:nhwc:1x64x9x9:k3x3:s2x2", "nhwc avg backward, each pixel gathering"},
      // Global pooling of planes of a vector or more, whatever the width of their rows.
      {"max:fwd:f64:nchw:2x3x7x7:k7x7:idx", "nchw global"},
      {"max:fwd:f32:nchw:2x3x7x7:k7x7", "nchw global"},
      {"avg:fwd:i32:nchw:1x2x5x6:k5x6", "nchw global"},
      {"max:bwd:f32:nchw:1x2x64x130:k3x3:s2x2:p1x1", "nchw max backward"},
  };
  for (const auto& c : kCases) {
    const std::string plan = simd->Prepare(ParseDescriptor(c.problem), ExecContext{1})->Plan();
    EXPECT_NE(plan.find(c.plan), std::string::npos) << c.problem << ": " << plan;
    EXPECT_EQ(plan.find("small"), std::string::npos) << c.problem << ": " << plan;
  }
}

// A second thread only for work that repays waking it (a few microseconds on one thread, by
// the plan's estimate): the same path on four planes and on 128.
TEST(simd, ThreadsOnlyForWorkThatRepaysThem) {
  const Strategy* simd = Registry::Global().Find("simd");
  if (!simd) GTEST_SKIP() << "simd is not built (Google Highway not found)";
  for (const auto& [problem, threads] :
       {std::pair{"max:fwd:f32:nchw:1x4x32x32:k2x2", ", 1 thread"},
        std::pair{"max:fwd:f32:nchw:1x128x32x32:k2x2", ", 2 threads"},
        std::pair{"max:fwd:f32:nchw:1x4x28x28:k3x3:s2x2:p1x1:idx", ", 1 thread"},
        std::pair{"max:fwd:f32:nchw:1x128x28x28:k3x3:s2x2:p1x1:idx", ", 2 threads"},
        std::pair{"max:bwd:f32:nhwc:1x64x8x8:k3x3:s2x2:p1x1", ", 1 thread"},
        std::pair{"max:bwd:f32:nhwc:1x64x32x32:k3x3:s2x2:p1x1", ", 2 threads"}}) {
    const std::string plan = simd->Prepare(ParseDescriptor(problem), ExecContext{2})->Plan();
    EXPECT_NE(plan.find(threads), std::string::npos) << problem << ": " << plan;
  }
}

TEST(simd, RefusesOnlyIndicesOfHugePlanesWith32BitData) {
  const Strategy* simd = Registry::Global().Find("simd");
  if (!simd) GTEST_SKIP() << "simd is not built (Google Highway not found)";
  EXPECT_FALSE(simd->Supports(ParseDescriptor("max:fwd:f32:nchw:1x1x65536x32768:k2x2:idx")));
  EXPECT_FALSE(simd->Supports(ParseDescriptor("max:bwd:i32:nchw:1x1x65536x32768:k2x2")));
  EXPECT_TRUE(simd->Supports(ParseDescriptor("max:fwd:f64:nchw:1x1x65536x32768:k2x2:idx")));
  EXPECT_TRUE(simd->Supports(ParseDescriptor("max:fwd:f32:nchw:1x1x65536x32768:k2x2")));
  EXPECT_TRUE(simd->Supports(ParseDescriptor("avg:bwd:f32:nchw:1x1x65536x32768:k2x2")));
}

}  // namespace
}  // namespace poolbench
