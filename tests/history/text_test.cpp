#include <gtest/gtest.h>

#include "history/render.hpp"
#include "render_fixture.hpp"
#include "support/temp_dir.hpp"

namespace poolbench::history {
namespace {

using testing::Contains;

TEST(HistoryText, StepsComeFirstThenEveryPointWithItsCommit) {
  const std::string text = Text(testing::SteppedHistory());
  EXPECT_TRUE(
      Contains(text, "2 benchmarks over 10 commits (2026-11-01 to 2026-11-10); 1 step found."));
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

}  // namespace
}  // namespace poolbench::history
