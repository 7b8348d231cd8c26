#include "poolbench/descriptor.hpp"

#include <gtest/gtest.h>

#include "check/random_problems.hpp"

namespace poolbench {
namespace {

TEST(Descriptor, CanonicalTextRoundTrips) {
  for (const char* text : {
           "max:fwd:f32:nchw:1x1x4x4:k2x2",
           "max:fwd:i32:nchw:1x1x4x4:k2x2:idx",
           "avg:bwd:f64:nhwc:2x3x7x9:k3x2:s1x2:p1x1:d2x1:ceil:excl:div5",
           "max:fwd:f32:nchw:1x64x112x112:k3x3:s2x2:p1x1",
       }) {
    EXPECT_EQ(FormatDescriptor(ParseDescriptor(text)), text);
  }
}

TEST(Descriptor, RandomProblemsRoundTrip) {
  for (uint64_t seed = 0; seed < 500; ++seed) {
    const Problem p = RandomProblem(seed);
    const std::string text = FormatDescriptor(p);
    EXPECT_EQ(ParseDescriptor(text), p) << text;
    EXPECT_EQ(FormatDescriptor(ParseDescriptor(text)), text);
  }
}

TEST(Descriptor, ShorthandsAndDefaults) {
  const Problem p = ParseDescriptor("idx:k3:max:6x6");
  EXPECT_EQ(p.op, Op::kMax);
  EXPECT_EQ(p.direction, Direction::kForward);
  EXPECT_EQ(p.dtype, DType::kF32);
  EXPECT_EQ(p.layout, Layout::kNCHW);
  EXPECT_EQ(p.n, 1);
  EXPECT_EQ(p.c, 1);
  EXPECT_EQ(p.h, 6);
  EXPECT_EQ(p.kernel, (Pair{3, 3}));
  EXPECT_EQ(p.stride, (Pair{3, 3}));  // stride defaults to the kernel
  EXPECT_TRUE(p.indices);
  EXPECT_EQ(FormatDescriptor(p), "max:fwd:f32:nchw:1x1x6x6:k3x3:idx");
}

void ExpectError(const std::string& text, const std::string& fragment) {
  try {
    ParseDescriptor(text);
    ADD_FAILURE() << "'" << text << "' parsed but should not";
  } catch (const DescriptorError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
        << "error '" << e.what() << "' should contain '" << fragment << "'";
  }
}

TEST(Descriptor, MalformedTextIsRefusedWithTheField) {
  ExpectError("", "it is empty");
  ExpectError("max:1x1x4x4", "missing the kernel");
  ExpectError("max:k2", "missing the shape");
  ExpectError("1x1x4x4:k2", "missing the op");
  ExpectError("max:1x1x4x4:k2:foo", "unknown field 'foo'");
  ExpectError("max:1x1x4x4:k2:k3", "field 'k' is given twice");
  ExpectError("max:avg:1x1x4x4:k2", "field 'op' is given twice");
  ExpectError("max:1x1x4x4:k2x", "'k2x' is not k<A>x<B>");
  ExpectError("max:1x1x4x4:k-2", "'k-2' is not k<A>x<B>");
  ExpectError("max:1x4x4:k2", "shape '1x4x4' must be NxCxHxW or HxW");
  ExpectError("max:1x1x4x4:k2::idx", "empty field");
  ExpectError("max:1x1x4x4:k2:divx", "'divx' is not div<N>");
  ExpectError("max:1x1x4x99999999999999999999:k2", "non-integer dimension");
}

TEST(Descriptor, OneAndThreeDimensionalProblemsRoundTrip) {
  for (const char* text : {
           "max:fwd:f32:ncw:2x3x17:k3:s2",
           "max:fwd:i32:nwc:1x2x9:k3:s1:p1:d2:ceil:idx",
           "max:fwd:f32:ncdhw:1x2x8x8x8:k2x2x2",
           "avg:bwd:f64:ndhwc:2x3x5x6x7:k3x2x1:s1x2x1:p1x1x0:d2x1x1:ceil:excl:div5",
       }) {
    EXPECT_EQ(FormatDescriptor(ParseDescriptor(text)), text);
    EXPECT_EQ(Validate(ParseDescriptor(text)), "") << text;
  }
}

TEST(Descriptor, OneDimensionalProblemsKeepTheInertAxes) {
  const Problem p = ParseDescriptor("max:ncw:2x3x17:k3:s2:p1");
  EXPECT_EQ(SpatialRank(p), 1);
  EXPECT_EQ(p.layout, Layout::kNCW);
  EXPECT_EQ(p.n, 2);
  EXPECT_EQ(p.c, 3);
  EXPECT_EQ(p.w, 17);
  // Height and depth are inert: size 1, kernel 1, stride 1, no padding.
  EXPECT_EQ(p.h, 1);
  EXPECT_EQ(p.d, 1);
  EXPECT_EQ(p.kernel, (Pair{1, 3}));
  EXPECT_EQ(p.stride, (Pair{1, 2}));
  EXPECT_EQ(p.padding, (Pair{0, 1}));
  EXPECT_EQ(p.dilation, (Pair{1, 1}));
  EXPECT_EQ(p.depth, DepthWindow{});
}

TEST(Descriptor, ThreeDimensionalShorthandsApplyToEveryAxis) {
  const Problem p = ParseDescriptor("avg:ncdhw:1x2x8x9x10:k2:p1");
  EXPECT_EQ(SpatialRank(p), 3);
  EXPECT_EQ(p.d, 8);
  EXPECT_EQ(p.h, 9);
  EXPECT_EQ(p.w, 10);
  EXPECT_EQ(p.kernel, (Pair{2, 2}));
  EXPECT_EQ(p.depth, (DepthWindow{.kernel = 2, .stride = 2, .padding = 1, .dilation = 1}));
  EXPECT_EQ(FormatDescriptor(p), "avg:fwd:f32:ncdhw:1x2x8x9x10:k2x2x2:p1x1x1");
  // Per-axis values go to D, H, W in order.
  const Problem q = ParseDescriptor("max:ndhwc:1x1x4x5x6:k1x2x3:s3x2x1");
  EXPECT_EQ(q.depth.kernel, 1);
  EXPECT_EQ(q.kernel, (Pair{2, 3}));
  EXPECT_EQ(q.depth.stride, 3);
  EXPECT_EQ(q.stride, (Pair{2, 1}));
}

TEST(Descriptor, ValuesThatDoNotFitTheLayoutsRankAreRefused) {
  ExpectError("max:ncw:2x3x17:k3x3", "kernel 'k3x3' has 2 values, but layout ncw is 1-D");
  ExpectError("max:ncw:2x3x17:k3:s2x2", "stride 's2x2' has 2 values, but layout ncw is 1-D");
  ExpectError("max:ncdhw:1x2x8x8x8:k2x2", "kernel 'k2x2' has 2 values, but layout ncdhw is 3-D");
  ExpectError("max:nchw:1x1x4x4:k2x2x2", "kernel 'k2x2x2' has 3 values, but layout nchw is 2-D");
  ExpectError("max:nchw:1x1x4x4:k2:p1x1x1", "padding 'p1x1x1' has 3 values");
  ExpectError("max:nchw:1x2x8x8x8:k2",
              "shape '1x2x8x8x8' has 5 dimensions, but layout nchw is 2-D");
  ExpectError("max:ncw:1x2x8x8:k2", "shape '1x2x8x8' has 4 dimensions, but layout ncw is 1-D");
  ExpectError("max:ncdhw:1x2x8x8:k2", "layout ncdhw is 3-D and takes NxCxDxHxW");
  ExpectError("max:nwc:3x17:k3", "shape '3x17' has 2 dimensions, but layout nwc is 1-D");
  // Without a layout a problem is 2-D: a 1-D or 3-D shape must name its layout.
  ExpectError("max:1x2x8x8x8:k2", "needs its layout");
  ExpectError("max:1x1x4x4:k2x2x2x2", "'k2x2x2x2' is not k<A>x<B>");
}

// A megabyte-long suite line was quoted whole, twice (the descriptor, then its bad field): the
// message is cut to a few lines and says how long the text was.
TEST(Descriptor, AHugeTextIsQuotedShort) {
  const std::string huge = "max:1x1x4x4:k2:" + std::string(1 << 20, 'z');
  try {
    ParseDescriptor(huge);
    ADD_FAILURE() << "accepted";
  } catch (const DescriptorError& e) {
    const std::string message = e.what();
    EXPECT_LT(message.size(), 1200u);
    EXPECT_NE(message.find("bad descriptor 'max:1x1x4x4:k2:zzz"), std::string::npos) << message;
    EXPECT_NE(message.find("characters in all)"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace poolbench
