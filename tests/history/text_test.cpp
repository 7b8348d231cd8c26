#include <gtest/gtest.h>

#include "history/render.hpp"
#include "render_fixture.hpp"
#include "support/temp_dir.hpp"

namespace poolbench::history {
namespace {

using testing::Contains;

TEST(HistoryText, StepsComeFirstThenEveryPointWithItsCommit) {
  const std::string text = Text(testing::SteppedHistory());
  EXPECT_TRUE(Contains(
      text, "2 benchmarks over 10 commits (2026-11-01 to 2026-11-10) on 1 machine; 1 step found."));
  EXPECT_TRUE(Contains(text, "Mann-Whitney U"));
  const size_t steps = text.find("Steps (first commit after each):");
  const size_t table = text.find("\nsimd/max:fwd:f32:nchw:1x1x8x8:k2x2/threads:1\n");
  ASSERT_NE(steps, std::string::npos);
  ASSERT_NE(table, std::string::npos);
  EXPECT_LT(steps, table);
  EXPECT_TRUE(Contains(text,
                       "+30.0%   slower  simd/max:fwd:f32:nchw:1x1x8x8:k2x2/threads:1  at "
                       "c60000000000 (2026-11-07)"));
  EXPECT_TRUE(Contains(text, "  c60000000000  2026-11-07  1.30 µs    2.5     <- step +30.0%\n"));
  EXPECT_TRUE(Contains(text, "  c50000000000  2026-11-06  1.00 µs    2.5\n"));
  EXPECT_TRUE(Contains(text, "  c30000000000  2026-11-04  WRONG      -\n"));
}

TEST(HistoryText, NoStepsSaysSo) {
  history::History h = testing::SteppedHistory();
  for (Trend& t : h.trends) t.steps.clear();
  const std::string text = Text(h);
  EXPECT_TRUE(Contains(text, "0 steps found."));
  EXPECT_EQ(text.find("Steps (first commit"), std::string::npos);
}

TEST(HistoryText, EachMachineHasItsOwnSectionAndSteps) {
  const std::string text = Text(testing::TwoMachineHistory());
  EXPECT_TRUE(Contains(text,
                       "2 benchmarks over 10 commits (2026-11-01 to 2026-11-10) on 2 machines; 1 "
                       "step found.\n"))
      << text;
  EXPECT_TRUE(Contains(text, "Machines: arm-1 (Neoverse, 10 commits), ci-1 (Xeon, 10 commits)."));
  // The step is ci-1's alone: arm-1's flat series is tested on its own, not mixed with ci-1's.
  EXPECT_TRUE(Contains(text, "at c60000000000 (2026-11-07) on ci-1, p = "));
  const size_t arm = text.find("\n== machine arm-1 (Neoverse): 10 commits ==\n");
  const size_t ci = text.find("\n== machine ci-1 (Xeon): 10 commits ==\n");
  ASSERT_NE(arm, std::string::npos);
  ASSERT_NE(ci, std::string::npos);
  const std::string arm_part = text.substr(arm, ci - arm), ci_part = text.substr(ci);
  EXPECT_TRUE(Contains(arm_part, "  c60000000000  2026-11-07  2.00 µs    2.5\n"));
  EXPECT_FALSE(Contains(arm_part, "<- step"));
  EXPECT_TRUE(Contains(ci_part, "  c60000000000  2026-11-07  1.30 µs    2.5     <- step +30.0%\n"));
}

TEST(HistoryText, OneBenchmarkSideBySideOnEveryMachine) {
  const std::string text =
      SideBySide(testing::TwoMachineHistory(), "simd/max:fwd:f32:nchw:1x1x8x8:k2x2/threads:1");
  EXPECT_TRUE(Contains(text,
                       "simd/max:fwd:f32:nchw:1x1x8x8:k2x2/threads:1 on 2 machines, side by "
                       "side"))
      << text;
  EXPECT_TRUE(Contains(text, "  commit        date        arm-1       ci-1\n"));
  EXPECT_TRUE(Contains(text, "  c50000000000  2026-11-06  2.00 µs     1.00 µs\n")) << text;
  EXPECT_TRUE(Contains(text, "  c60000000000  2026-11-07  2.00 µs     1.30 µs *\n"));
  EXPECT_TRUE(Contains(text, "  * step on ci-1: +30.0% at c60000000000 (2026-11-07), p = "));
  EXPECT_FALSE(Contains(text, "step on arm-1"));
}

}  // namespace
}  // namespace poolbench::history
