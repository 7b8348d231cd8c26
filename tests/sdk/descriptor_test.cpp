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
