#include "poolbench/window.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "poolbench/descriptor.hpp"

namespace poolbench {
namespace {

TEST(AxisTaps, ClipsToTheInput) {
  // Kernel 3, stride 2, padding 1 over 6: window 0 starts at -1 and keeps taps 1 and 2.
  TapRange r = AxisTaps(0, 6, 3, 2, 1, 1);
  EXPECT_EQ(r.start, -1);
  EXPECT_EQ(r.first, 1);
  EXPECT_EQ(r.last, 3);
  // Window 2 starts at 3: all taps valid.
  r = AxisTaps(2, 6, 3, 2, 1, 1);
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(r.last, 3);
  // Dilation 3 over 4, start -1: taps at -1, 2 -> only tap 1.
  r = AxisTaps(0, 4, 2, 1, 1, 3);
  EXPECT_EQ(r.first, 1);
  EXPECT_EQ(r.last, 2);
  // Ceil-mode window hanging over the right edge: 5 wide, kernel 2 at start 4 keeps tap 0.
  r = AxisTaps(2, 5, 2, 2, 0, 1);
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(r.last, 1);
}

TEST(MaxReplaces, TiesKeepTheFirstAndNaNWins) {
  EXPECT_FALSE(MaxReplaces(3.0f, 3.0f));
  EXPECT_TRUE(MaxReplaces(4.0f, 3.0f));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(MaxReplaces(nan, 3.0f));
  EXPECT_TRUE(MaxReplaces(nan, nan));  // the last NaN wins
  EXPECT_FALSE(MaxReplaces(1e30f, nan));
  EXPECT_FALSE(MaxReplaces(-5, -5));
}

TEST(RoundDiv, RoundsToNearestTiesAwayFromZero) {
  EXPECT_EQ(RoundDiv(7, 2), 4);
  EXPECT_EQ(RoundDiv(-7, 2), -4);
  EXPECT_EQ(RoundDiv(5, 4), 1);
  EXPECT_EQ(RoundDiv(-5, 4), -1);
  EXPECT_EQ(RoundDiv(6, 4), 2);
  EXPECT_EQ(RoundDiv(-6, 4), -2);
  EXPECT_EQ(RoundDiv(8, 3), 3);
  EXPECT_EQ(RoundDiv(0, 9), 0);
}

TEST(AvgDivisor, IncludePadClipsToThePaddedInput) {
  const Problem p = ParseDescriptor("avg:1x1x5x5:k3x3:s2x2:p1x1:ceil");
  // Window (0, 0) starts at (-1, -1) and lies within the padded input: 3 x 3.
  EXPECT_EQ(AvgDivisor(p, -1, -1, 4), 9);
  // Window (2, 2) starts at (3, 3); the padded input ends at 5 + 1 = 6: 3 x 3 again.
  EXPECT_EQ(AvgDivisor(p, 3, 3, 4), 9);
  Problem q = p;
  q.count_include_pad = false;
  EXPECT_EQ(AvgDivisor(q, -1, -1, 4), 4);
  q.divisor_override = 7;
  EXPECT_EQ(AvgDivisor(q, -1, -1, 4), 7);
  // Ceil mode, 6 wide, kernel 3 stride 2 padding 1: window 3 starts at 5 and is clipped at
  // 6 + 1 = 7 to 2 columns.
  const Problem r = ParseDescriptor("avg:1x1x6x6:k3x3:s2x2:p1x1:ceil");
  EXPECT_EQ(AvgDivisor(r, 5, 5, 1), 4);
}

TEST(AvgDivisor, ThreeDimensionalWindowsClipEveryAxis) {
  // Depth 4, kernel 3, stride 2, padding 1, ceil: window 2 starts at 3 and the padded input ends
  // at 4 + 1 = 5, so 2 of its 3 depth taps count; height and width are whole (3 x 3).
  const Problem p = ParseDescriptor("avg:ncdhw:1x1x4x6x6:k3:s2:p1:ceil");
  EXPECT_EQ(AvgDivisor(p, 3, -1, -1, 8), 2 * 3 * 3);
  EXPECT_EQ(AvgDivisor(p, -1, -1, -1, 8), 27);
  // A 1-D problem's inert height and depth add one tap each: the divisor is the width's alone.
  const Problem q = ParseDescriptor("avg:ncw:1x1x4:k3:s2:p1:ceil");
  EXPECT_EQ(AvgDivisor(q, 0, 0, 3, 1), 2);  // starts at 3, the padded input ends at 5
  EXPECT_EQ(AvgDivisor(q, 0, 0, -1, 2), 3);
  // A 2-D problem's divisor is the same through either overload.
  const Problem r = ParseDescriptor("avg:1x1x6x6:k3x3:s2x2:p1x1:ceil");
  EXPECT_EQ(AvgDivisor(r, 0, 5, 5, 1), AvgDivisor(r, 5, 5, 1));
}

TEST(AddGrad, IntegerGradientsWrapInsteadOfOverflowing) {
  int32_t g = std::numeric_limits<int32_t>::max();
  AddGrad(g, 1);
  EXPECT_EQ(g, std::numeric_limits<int32_t>::min());
}

TEST(DivideAs, RoundsAsTheDTypeRowSays) {
  // i32 wraps what does not fit (as it always did); u8 saturates.
  EXPECT_EQ(DivideAs<uint8_t>(1018, 4), 255);  // 254.5: ties away from zero
  EXPECT_EQ(DivideAs<uint8_t>(1017, 4), 254);
  EXPECT_EQ(DivideAs<uint8_t>(300, 1), 255);
  EXPECT_EQ(DivideAs<uint8_t>(-3, 1), 0);
  EXPECT_EQ(DivideAs<int32_t>(int64_t{1} << 32, 1), 0);
  EXPECT_EQ(DivideAs<int32_t>(-3, 2), -2);
  EXPECT_EQ(DivideAs<float>(1.0, 3), 1.0f / 3.0f);
}

}  // namespace
}  // namespace poolbench
