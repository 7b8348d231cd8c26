// naive_loops is the reference every other strategy is held to, so its own results are pinned
// here by hand-computed examples: the seeds' matrices and each rule of the semantics.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "strategies/run_strategy.hpp"

namespace poolbench {
namespace {

using testing::Backward;
using testing::Forward;
using V = std::vector<int32_t>;
using I = std::vector<int64_t>;

const V kSeed4x4 = {12, 15, 5, 0, 3, 11, 3, 7, 9, 3, 5, 2, 4, 7, 6, 8};
const V kSeed5x5 = {1, 8, 3, 6, 0, 4, 2, 9, 5, 7, 3, 3, 1, 8, 2, 6, 0, 4, 2, 9, 5, 7, 2, 3, 1};
const V kSeed6x6 = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3,
                    8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5, 0, 2, 8, 8};

// The reference's i32 max forward on `input` gives `values` and `indices`.
void ExpectMax(const std::string& descriptor, const V& input, const V& values, const I& indices) {
  const auto r = Forward<int32_t>("naive_loops", descriptor, input);
  EXPECT_EQ(r.values, values) << descriptor;
  EXPECT_EQ(r.indices, indices) << descriptor;
}

TEST(NaiveLoops, Seed4x4) {
  ExpectMax("max:i32:1x1x4x4:k2:idx", kSeed4x4, V{15, 7, 9, 8}, I{1, 7, 8, 15});
}

TEST(NaiveLoops, Seed5x5CeilModeKeepsThePartialWindows) {
  ExpectMax("max:i32:1x1x5x5:k2:ceil:idx", kSeed5x5, V{8, 9, 7, 6, 8, 9, 7, 3, 1},
            I{1, 7, 9, 15, 13, 19, 21, 23, 24});
  // Floor mode drops the last row and column.
  const auto f = Forward<int32_t>("naive_loops", "max:i32:1x1x5x5:k2:idx", kSeed5x5);
  EXPECT_EQ(f.values, (V{8, 9, 6, 8}));
}

TEST(NaiveLoops, Seed6x6Kernel3) {
  ExpectMax("max:i32:1x1x6x6:k3:idx", kSeed6x6, V{9, 9, 9, 8}, I{12, 5, 30, 34});
}

TEST(NaiveLoops, Seed6x6Kernel3Stride1TiesGoToTheFirstTap) {
  const auto r = Forward<int32_t>("naive_loops", "max:i32:1x1x6x6:k3:s1:idx", kSeed6x6);
  EXPECT_EQ(r.values, (V{9, 9, 9, 9, 9, 9, 9, 8, 9, 9, 9, 7, 9, 8, 8, 8}));
  // Window (0, 0) holds 9 at offsets 12 and 14: the first in row-major order wins.
  EXPECT_EQ(r.indices, (I{12, 14, 14, 5, 12, 14, 14, 11, 12, 14, 14, 29, 30, 26, 26, 34}));
}

TEST(NaiveLoops, Seed6x6WinCountsAreTheMaxGradientOfOnes) {
  // The seeds' bincount of the winning indices ("multiplier").
  const V counts =
      Backward<int32_t>("naive_loops", "max:bwd:i32:1x1x6x6:k3:s1", kSeed6x6, V(16, 1));
  EXPECT_EQ(counts, (V{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 3, 0, 6, 0, 0, 0,
                       0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1, 1, 0, 0, 0, 1, 0}));
}

TEST(NaiveLoops, PaddingNeverWinsAMaxOfNegativeInputs) {
  // The seeds pad with zeros, which would give 0 here.
  ExpectMax("max:i32:1x1x3x3:k3:s2:p1:idx", V{-5, -3, -8, -2, -9, -4, -7, -1, -6},
            V{-2, -3, -1, -1}, I{3, 1, 7, 7});
}

TEST(NaiveLoops, NaNWinsAndTheLastNaNIsTheIndex) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const auto r =
      Forward<float>("naive_loops", "max:f32:1x1x2x4:k2:idx", {1, nan, 5, 3, nan, 2, 9, 9});
  EXPECT_TRUE(std::isnan(r.values[0]));
  EXPECT_EQ(r.indices[0], 4);  // NaNs at 1 and 4: the last one
  EXPECT_EQ(r.values[1], 9);
  EXPECT_EQ(r.indices[1], 6);  // tie between 6 and 7: the first
}

TEST(NaiveLoops, AllMinusInfinityWindowReturnsMinusInfinityAtTheFirstTap) {
  const float inf = std::numeric_limits<float>::infinity();
  const auto r = Forward<float>("naive_loops", "max:f32:1x1x2x2:k2:idx", {-inf, -inf, -inf, -inf});
  EXPECT_EQ(r.values[0], -inf);
  EXPECT_EQ(r.indices[0], 0);
}

TEST(NaiveLoops, AvgDivisorRules) {
  // 3x3 of ones and twos, kernel 3 stride 2 padding 1: window (0, 0) holds 4 valid taps.
  const std::vector<double> x = {1, 2, 1, 2, 1, 2, 1, 2, 1};
  // Counting the padding: (1 + 2 + 2 + 1) / 9.
  EXPECT_DOUBLE_EQ(Forward<double>("naive_loops", "avg:f64:1x1x3x3:k3:s2:p1", x).values[0],
                   6.0 / 9);
  // Excluding it: / 4.
  EXPECT_DOUBLE_EQ(Forward<double>("naive_loops", "avg:f64:1x1x3x3:k3:s2:p1:excl", x).values[0],
                   6.0 / 4);
  // Divisor override: / 5.
  EXPECT_DOUBLE_EQ(Forward<double>("naive_loops", "avg:f64:1x1x3x3:k3:s2:p1:div5", x).values[0],
                   6.0 / 5);
}

TEST(NaiveLoops, IntegerAvgRoundsToNearestTiesAwayFromZero) {
  // Windows sum to 6 (1.5 -> 2), -6 (-1.5 -> -2), 5 (1.25 -> 1) and -7 (-1.75 -> -2).
  const auto r =
      Forward<int32_t>("naive_loops", "avg:i32:1x1x2x4:k2", V{1, 2, -1, -2, 1, 2, -1, -2});
  EXPECT_EQ(r.values, (V{2, -2}));
  const auto q =
      Forward<int32_t>("naive_loops", "avg:i32:1x1x2x4:k2", V{1, 1, -1, -2, 1, 2, -2, -2});
  EXPECT_EQ(q.values, (V{1, -2}));
}

TEST(NaiveLoops, IntegerAvgDoesNotOverflow) {
  const int32_t big = std::numeric_limits<int32_t>::max();
  const auto r = Forward<int32_t>("naive_loops", "avg:i32:1x1x2x2:k2", V{big, big, big, big});
  EXPECT_EQ(r.values[0], big);
}

// u8 (dtype.hpp): compared and summed as integers, averages rounded to nearest with ties away
// from zero, then saturated to [0, 255].
using U8 = std::vector<uint8_t>;

TEST(NaiveLoops, U8MaxIsExactOverTheWholeRange) {
  // 255 and 0 are the ends of the range; a tie (200, 200) goes to the first tap.
  const auto r =
      Forward<uint8_t>("naive_loops", "max:u8:1x1x2x4:k2:idx", U8{0, 255, 200, 7, 254, 1, 3, 200});
  EXPECT_EQ(r.values, (U8{255, 200}));
  EXPECT_EQ(r.indices, (I{1, 2}));
}

TEST(NaiveLoops, U8AvgRoundsTiesAwayFromZero) {
  // Windows sum to 6 (1.5 -> 2), 5 (1.25 -> 1), 1017 (254.25 -> 254) and 1018 (254.5 -> 255).
  const auto r = Forward<uint8_t>("naive_loops", "avg:u8:1x1x2x8:k2",
                                  U8{1, 2, 1, 1, 255, 255, 255, 255,  //
                                     1, 2, 1, 2, 254, 253, 254, 254});
  EXPECT_EQ(r.values, (U8{2, 1, 254, 255}));
}

TEST(NaiveLoops, U8AvgSaturatesWhereADivisorOverrideExceedsTheRange) {
  // div1: the sums themselves, 300 and 4 * 255 clamp to 255; 2 stays.
  const auto r = Forward<uint8_t>("naive_loops", "avg:u8:1x1x2x6:k2:div1",
                                  U8{200, 100, 255, 255, 1, 0, 0, 0, 255, 255, 1, 0});
  EXPECT_EQ(r.values, (U8{255, 255, 2}));
}

TEST(NaiveLoops, AvgBackwardSpreadsTheGradient) {
  // Kernel 2 stride 1 over 1x3: both windows share the middle element.
  const auto dx = Backward<double>("naive_loops", "avg:bwd:f64:1x1x1x3:k1x2:s1", {0, 0, 0}, {4, 8});
  EXPECT_EQ(dx, (std::vector<double>{2, 6, 4}));
}

TEST(NaiveLoops, NHWCMatchesNCHW) {
  // Two channels of 2x2: NCHW {c0: 1 5 3 2, c1: 7 0 4 9}; NHWC interleaves them.
  const auto nchw =
      Forward<float>("naive_loops", "max:f32:nchw:1x2x2x2:k2:idx", {1, 5, 3, 2, 7, 0, 4, 9});
  const auto nhwc =
      Forward<float>("naive_loops", "max:f32:nhwc:1x2x2x2:k2:idx", {1, 7, 5, 0, 3, 4, 2, 9});
  EXPECT_EQ(nchw.values, (std::vector<float>{5, 9}));
  EXPECT_EQ(nhwc.values, nchw.values);  // a 1x1 output: NHWC and NCHW orders coincide
  EXPECT_EQ(nhwc.indices, (I{1, 3}));   // indices are within-plane ih * W + iw
}

}  // namespace
}  // namespace poolbench
