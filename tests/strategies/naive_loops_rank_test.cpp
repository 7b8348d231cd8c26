// The reference on 1-D and 3-D problems, pinned by cases small enough to check by hand: each
// rule of the semantics (window taps, padding, dilation, ceil mode, the avg divisors, indices as
// PyTorch's flat offset in the (n, c) volume, backward) along the axes a 2-D problem lacks.
// tests/strategies/naive_loops_golden_test.cpp holds the larger cases NumPy computed.
#include <gtest/gtest.h>

#include "strategies/run_strategy.hpp"

namespace poolbench {
namespace {

using testing::Backward;
using testing::Forward;
using V = std::vector<int32_t>;
using D = std::vector<double>;
using I = std::vector<int64_t>;

void ExpectMax(const std::string& descriptor, const V& input, const V& values, const I& indices) {
  const auto r = Forward<int32_t>("naive_loops", descriptor, input);
  EXPECT_EQ(r.values, values) << descriptor;
  EXPECT_EQ(r.indices, indices) << descriptor;
}

void ExpectAvg(const std::string& descriptor, const D& input, const D& values) {
  EXPECT_EQ(Forward<double>("naive_loops", descriptor, input).values, values) << descriptor;
}

TEST(NaiveLoops1D, MaxWindowsAndIndices) {
  // Windows [0, 3), [2, 5), [4, 7) of 3 1 4 1 5 9 2; the index is iw.
  ExpectMax("max:i32:ncw:1x1x7:k3:s2:idx", V{3, 1, 4, 1, 5, 9, 2}, V{4, 5, 9}, I{2, 4, 5});
}

TEST(NaiveLoops1D, PaddingDilationAndCeilMode) {
  // Kernel 2 dilated by 2 starts at -1, 1, 3, 5 (ceil mode keeps the last, which starts inside
  // the input): taps {-1, 1}, {1, 3}, {3, 5}, {5, 7}; padding and 7 are outside.
  ExpectMax("max:i32:ncw:1x1x6:k2:s2:p1:d2:ceil:idx", V{3, 1, 4, 1, 5, 9}, V{1, 1, 9, 9},
            I{1, 1, 5, 5});  // taps 1 and 3 both hold 1: the first wins
  // Floor mode drops the window that overhangs the padding.
  ExpectMax("max:i32:ncw:1x1x6:k2:s2:p1:d2:idx", V{3, 1, 4, 1, 5, 9}, V{1, 1, 9}, I{1, 1, 5});
}

TEST(NaiveLoops1D, AvgDivisors) {
  // Windows {-1, 0, 1}, {1, 2, 3}, {3, 4, 5} of 1 2 3 4 5 with padding 1 on each side.
  ExpectAvg("avg:f64:ncw:1x1x5:k3:s2:p1", D{1, 2, 3, 4, 5}, D{1, 3, 3});           // padding counts
  ExpectAvg("avg:f64:ncw:1x1x5:k3:s2:p1:excl", D{1, 2, 3, 4, 5}, D{1.5, 3, 4.5});  // valid taps
  ExpectAvg("avg:f64:ncw:1x1x5:k3:s2:p1:div2", D{1, 2, 3, 4, 5}, D{1.5, 4.5, 4.5});
  // Ceil mode, kernel 3 stride 2 padding 1 over 4: window 2 starts at 3 and the padded input
  // ends at 5, so it divides by 2 although its kernel is 3.
  ExpectAvg("avg:f64:ncw:1x1x4:k3:s2:p1:ceil", D{2, 4, 6, 8}, D{2, 6, 4});
}

TEST(NaiveLoops1D, Backward) {
  // Winners of 3 1 4 1 5 at stride 1: 4 (twice) and 5.
  EXPECT_EQ(
      Backward<int32_t>("naive_loops", "max:bwd:i32:ncw:1x1x5:k3:s1", V{3, 1, 4, 1, 5}, V{1, 1, 1}),
      (V{0, 0, 2, 0, 1}));
  // Average gradients at stride 2: 6 / 3 to taps 0..2 and 3 / 3 to taps 2..4.
  EXPECT_EQ(
      Backward<double>("naive_loops", "avg:bwd:f64:ncw:1x1x5:k3:s2", D{0, 0, 0, 0, 0}, D{6, 3}),
      (D{2, 2, 3, 1, 1}));
}

TEST(NaiveLoops1D, ChannelsLast) {
  // Two channels of 4, stored w-major: (1, 8) (5, 2) (3, 3) (0, 7).
  ExpectMax("max:i32:nwc:1x2x4:k2:idx", V{1, 8, 5, 2, 3, 3, 0, 7}, V{5, 8, 3, 7}, I{1, 0, 2, 3});
}

// Depth 2, height 2, width 4: d0 = {1 9 2 3, 4 0 8 5}, d1 = {6 2 7 1, 3 5 0 11}.
const V kVolume = {1, 9, 2, 3, 4, 0, 8, 5, 6, 2, 7, 1, 3, 5, 0, 11};

TEST(NaiveLoops3D, MaxIndexIsTheFlatOffsetInTheVolume) {
  // Window 0 holds 9 at (0, 0, 1); window 1 holds 11 at (1, 1, 3) = (1 * 2 + 1) * 4 + 3 = 15.
  ExpectMax("max:i32:ncdhw:1x1x2x2x4:k2:idx", kVolume, V{9, 11}, I{1, 15});
}

TEST(NaiveLoops3D, DepthPaddingDilationAndCeilMode) {
  // Along depth only: 5 3 8 padded by 1, kernel 2, stride 1: {-1, 0}, {0, 1}, {1, 2}, {2, 3}.
  ExpectMax("max:i32:ncdhw:1x1x3x1x1:k2x1x1:s1x1x1:p1x0x0:idx", V{5, 3, 8}, V{5, 5, 8, 8},
            I{0, 0, 2, 2});
  // Dilation 3 along depth: taps {0, 3} and {1, 4}.
  ExpectMax("max:i32:ncdhw:1x1x5x1x1:k2x1x1:s1x1x1:d3x1x1:idx", V{1, 7, 2, 9, 4}, V{9, 7}, I{3, 1});
  // Ceil mode keeps the partial window {2} of depth 3.
  ExpectMax("max:i32:ncdhw:1x1x3x1x1:k2x1x1:ceil:idx", V{1, 2, 3}, V{2, 3}, I{1, 2});
  ExpectMax("max:i32:ncdhw:1x1x3x1x1:k2x1x1:idx", V{1, 2, 3}, V{2}, I{1});
}

TEST(NaiveLoops3D, AvgDivisorsCountThePaddingOfEveryAxis) {
  // Kernel 2, padding 1 over 2 x 2 x 2: each window holds one input element and seven padding
  // taps.
  const D in = {1, 2, 3, 4, 5, 6, 7, 8};
  ExpectAvg("avg:f64:ncdhw:1x1x2x2x2:k2:p1", in, D{.125, .25, .375, .5, .625, .75, .875, 1});
  ExpectAvg("avg:f64:ncdhw:1x1x2x2x2:k2:p1:excl", in, in);
  ExpectAvg("avg:f64:ncdhw:1x1x2x2x2:k2:p1:div2", in, D{.5, 1, 1.5, 2, 2.5, 3, 3.5, 4});
}

TEST(NaiveLoops3D, Backward) {
  // Max: the winners 9 and 11 of kVolume get the gradients.
  V grad(16, 0);
  grad[1] = 3, grad[15] = 4;
  EXPECT_EQ(Backward<int32_t>("naive_loops", "max:bwd:i32:ncdhw:1x1x2x2x4:k2", kVolume, V{3, 4}),
            grad);
  // Avg along depth, kernel 2 stride 1: 2 / 2 to d0, d1 and 4 / 2 to d1, d2.
  EXPECT_EQ(Backward<double>("naive_loops", "avg:bwd:f64:ncdhw:1x1x3x1x1:k2x1x1:s1x1x1", D{0, 0, 0},
                             D{2, 4}),
            (D{1, 3, 2}));
}

TEST(NaiveLoops3D, ChannelsLastMatchesChannelsFirst) {
  // Two channels: channel 1 is kVolume negated; ndhwc interleaves them element by element.
  V first = kVolume, last;
  for (int32_t v : kVolume) first.push_back(-v);
  for (size_t i = 0; i < kVolume.size(); ++i)
    last.push_back(kVolume[i]), last.push_back(-kVolume[i]);
  const auto a = Forward<int32_t>("naive_loops", "max:i32:ncdhw:1x2x2x2x4:k2:idx", first);
  const auto b = Forward<int32_t>("naive_loops", "max:i32:ndhwc:1x2x2x2x4:k2:idx", last);
  // Channel 1's windows are -{1 9 4 0 6 2 3 5} and -{2 3 8 5 7 1 0 11}: 0 at 5, 0 at 14.
  EXPECT_EQ(a.values, (V{9, 11, 0, 0}));
  EXPECT_EQ(a.indices, (I{1, 15, 5, 14}));
  EXPECT_EQ(b.values, (V{9, 0, 11, 0}));  // ow-major: (ow 0: c0, c1), (ow 1: c0, c1)
  EXPECT_EQ(b.indices, (I{1, 5, 15, 14}));
}

}  // namespace
}  // namespace poolbench
