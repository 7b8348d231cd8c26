// Output-shape math and every validation error of docs/semantics.md.
#include "poolbench/problem.hpp"

#include <gtest/gtest.h>

#include "poolbench/descriptor.hpp"

namespace poolbench {
namespace {

TEST(OutputSize, FloorMode) {
  EXPECT_EQ(OutputSize(4, 2, 2, 0, 1, false), 2);
  EXPECT_EQ(OutputSize(5, 2, 2, 0, 1, false), 2);     // the last row is dropped
  EXPECT_EQ(OutputSize(6, 3, 1, 0, 1, false), 4);     // overlapping windows
  EXPECT_EQ(OutputSize(112, 3, 2, 1, 1, false), 56);  // ResNet stem
  EXPECT_EQ(OutputSize(9, 3, 1, 0, 2, false), 5);     // dilation 2: effective kernel 5
  EXPECT_EQ(OutputSize(2, 3, 1, 0, 1, false), 0);     // input too small
}

TEST(OutputSize, CeilMode) {
  EXPECT_EQ(OutputSize(5, 2, 2, 0, 1, true), 3);     // a partial last window
  EXPECT_EQ(OutputSize(4, 2, 2, 0, 1, true), 2);     // divides: same as floor
  EXPECT_EQ(OutputSize(111, 3, 2, 0, 1, true), 55);  // SqueezeNet
  EXPECT_EQ(OutputSize(6, 3, 2, 1, 1, true), 4);     // (6 + 2 - 3 + 1) / 2 + 1 = 4; start 6 < 7
}

TEST(OutputSize, CeilModeDropsWindowStartingInRightPadding) {
  // ceil((5 + 2*1 - 3) / 2) + 1 = 3; window 2 starts at 2*2 - 1 = 3 < 5 + 1: kept.
  EXPECT_EQ(OutputSize(5, 3, 2, 1, 1, true), 3);
  // ceil((4 + 2*1 - 2) / 3) + 1 = 3, but window 2 would start at 2*3 - 1 = 5 >= 4 + 1,
  // inside the right padding: dropped.
  EXPECT_EQ(OutputSize(4, 2, 3, 1, 1, true), 2);
  EXPECT_EQ(OutputSize(4, 2, 3, 1, 1, false), 2);
}

Problem Valid() { return ParseDescriptor("max:fwd:f32:nchw:2x3x8x8:k3x3:s2x2:p1x1"); }

void ExpectInvalid(const Problem& p, const std::string& fragment) {
  const std::string err = Validate(p);
  EXPECT_NE(err.find(fragment), std::string::npos)
      << "error '" << err << "' should contain '" << fragment << "' for " << FormatDescriptor(p);
}

TEST(Validate, AcceptsValidProblem) { EXPECT_EQ(Validate(Valid()), ""); }

TEST(Validate, SizesMustBePositive) {
  Problem p = Valid();
  p.n = 0;
  ExpectInvalid(p, "N must be >= 1 (got 0)");
  p = Valid(), p.c = -1;
  ExpectInvalid(p, "C must be >= 1 (got -1)");
  p = Valid(), p.h = 0;
  ExpectInvalid(p, "H must be >= 1");
  p = Valid(), p.w = 0;
  ExpectInvalid(p, "W must be >= 1");
}

TEST(Validate, KernelStrideDilationMustBePositive) {
  Problem p = Valid();
  p.kernel.h = 0;
  ExpectInvalid(p, "kernel height must be > 0 (got 0)");
  p = Valid(), p.stride.w = 0;
  ExpectInvalid(p, "stride width must be > 0 (got 0)");
  p = Valid(), p.dilation.h = -2;
  ExpectInvalid(p, "dilation height must be > 0 (got -2)");
}

TEST(Validate, PaddingRange) {
  Problem p = Valid();
  p.padding.w = -1;
  ExpectInvalid(p, "padding width must be >= 0 (got -1)");
  p = Valid(), p.padding.h = 2;  // kernel 3: at most 1
  ExpectInvalid(p, "padding height = 2 exceeds half the effective kernel height (3 / 2 = 1)");
  p = Valid(), p.dilation = {2, 2}, p.padding = {2, 2};  // effective kernel 5: 2 is fine
  EXPECT_EQ(Validate(p), "");
}

TEST(Validate, OutputMustBeNonEmpty) {
  Problem p = Valid();
  p.h = 2, p.padding = {0, 0};
  ExpectInvalid(p, "output height would be 0");
}

TEST(Validate, DilatedWindowWithoutValidTap) {
  // Input width 2, padding 1, kernel 2 with dilation 3: window 0 taps columns -1 and 2, both
  // outside the two columns, though the output width is 1.
  Problem p = ParseDescriptor("max:1x1x4x2:k1x2:s1x1:p0x1:d1x3");
  ExpectInvalid(p, "window 0 along width has no valid tap");
}

TEST(Validate, OverflowingSizesAreRefused) {
  Problem p = Valid();
  p.n = p.c = p.h = p.w = 2000000000;
  p.padding = {0, 0};
  ExpectInvalid(p, "overflows 64 bits");
  p = Valid(), p.kernel.h = int64_t{1} << 40;
  ExpectInvalid(p, "must be at most");
}

TEST(Validate, BackwardOnlyWhereTheDTypeDefinesIt) {
  Problem p = Valid();
  p.direction = Direction::kBackward;
  p.dtype = DType::kU8;
  EXPECT_NE(Validate(p).find("backward is not defined for u8"), std::string::npos) << Validate(p);
  p.direction = Direction::kForward;
  EXPECT_EQ(Validate(p), "");
}

TEST(Validate, OptionsThatDoNotApply) {
  Problem p = Valid();
  p.divisor_override = 4;  // max
  ExpectInvalid(p, "divisor_override applies to avg only");
  p.op = Op::kAvg, p.divisor_override = 0;
  ExpectInvalid(p, "divisor_override must be > 0 (got 0)");
  p = Valid(), p.op = Op::kAvg, p.indices = true;
  ExpectInvalid(p, "indices are produced by max forward only");
  p = Valid(), p.direction = Direction::kBackward, p.indices = true;
  ExpectInvalid(p, "indices are produced by max forward only");
}

TEST(Validate, AxesBeyondTheRankMustBeInert) {
  Problem p = ParseDescriptor("max:ncw:1x1x8:k2");
  ASSERT_EQ(Validate(p), "");
  p.h = 3;
  EXPECT_NE(Validate(p).find("a 1-D problem (layout ncw) has no height axis"), std::string::npos)
      << Validate(p);
  p = ParseDescriptor("max:ncw:1x1x8:k2");
  p.kernel.h = 2;
  EXPECT_NE(Validate(p).find("has no height axis"), std::string::npos) << Validate(p);
  Problem q = ParseDescriptor("max:nchw:1x1x8x8:k2");
  q.depth.padding = 1;
  EXPECT_NE(Validate(q).find("a 2-D problem (layout nchw) has no depth axis"), std::string::npos)
      << Validate(q);
}

TEST(Validate, EveryAxisOfA3DProblemIsChecked) {
  EXPECT_EQ(Validate(ParseDescriptor("max:ncdhw:1x1x4x4x4:k2")), "");
  EXPECT_NE(Validate(ParseDescriptor("max:ncdhw:1x1x2x4x4:k3x2x2")).find("output depth would be 0"),
            std::string::npos);
  EXPECT_NE(Validate(ParseDescriptor("max:ncdhw:1x1x4x4x4:k2:p2x0x0"))
                .find("padding depth = 2 exceeds half the effective kernel depth"),
            std::string::npos);
  EXPECT_NE(Validate(ParseDescriptor("max:ncdhw:1x1x0x4x4:k1")).find("D must be >= 1"),
            std::string::npos);
  EXPECT_NE(Validate(ParseDescriptor("max:ncw:1x1x3:k4")).find("output width would be 0"),
            std::string::npos);
}

TEST(ElementCounts, FollowTheRank) {
  const Problem one = ParseDescriptor("max:ncw:2x3x17:k3:s2");
  EXPECT_EQ(InputElements(one), 2 * 3 * 17);
  EXPECT_EQ(OutputElements(one), 2 * 3 * 8);
  const Problem three = ParseDescriptor("max:ncdhw:1x2x8x7x6:k2x3x2:s2x2x1:p1x0x1:ceil");
  EXPECT_EQ(InputElements(three), 2 * 8 * 7 * 6);
  EXPECT_EQ(OutputD(three), 5);  // ceil((8 + 2 - 2) / 2) + 1 = 5, and window 4 starts at 7 < 9
  EXPECT_EQ(OutputH(three), 3);
  EXPECT_EQ(OutputW(three), 7);
  EXPECT_EQ(OutputElements(three), 2 * 5 * 3 * 7);
}

TEST(Layouts, NameTheirRank) {
  EXPECT_EQ(SpatialRank(Layout::kNCW), 1);
  EXPECT_EQ(SpatialRank(Layout::kNHWC), 2);
  EXPECT_EQ(SpatialRank(Layout::kNDHWC), 3);
  for (int rank = 1; rank <= 3; ++rank) {
    EXPECT_FALSE(ChannelsLast(LayoutOf(rank, false)));
    EXPECT_TRUE(ChannelsLast(LayoutOf(rank, true)));
    EXPECT_EQ(SpatialRank(LayoutOf(rank, true)), rank);
  }
  EXPECT_EQ(ToString(Layout::kNCDHW), "ncdhw");
  EXPECT_EQ(ToString(Layout::kNWC), "nwc");
}

}  // namespace
}  // namespace poolbench
