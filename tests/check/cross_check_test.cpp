// The cross-check asks what a strategy implements before anything else: a dtype outside it is a
// skip with the reason, and the strategy is neither asked whether it supports the problem nor
// prepared for it. Within it, a strategy is held to the table's semantics (u8's rounding).
#include "check/cross_check.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "poolbench/descriptor.hpp"
#include "poolbench/window.hpp"

namespace poolbench {
namespace {

class CountingF32Only final : public Strategy {
 public:
  std::string_view name() const override { return "counting_f32_only"; }
  std::string_view description() const override { return "implements f32 only"; }
  Implemented Implements() const override {
    return {.dtypes = {DType::kF32}, .ranks = RankSet::Only(2)};
  }
  Support Supports(const Problem&) const override {
    ++asked;
    return Support::Yes();
  }
  std::unique_ptr<Kernel> Prepare(const Problem&, const ExecContext&) const override {
    ++prepared;
    return nullptr;
  }
  mutable int asked = 0, prepared = 0;
};

TEST(CrossCheck, SkipsADTypeTheStrategyDoesNotImplement) {
  const CountingF32Only s;
  for (const char* d : {"max:fwd:i32:nchw:1x2x5x5:k2x2", "avg:bwd:f64:nhwc:1x2x5x5:k3x3:p1x1"}) {
    const Problem p = ParseDescriptor(d);
    const CheckResult r = CrossCheck(s, p, 1);
    EXPECT_EQ(r.verdict, Verdict::kSkipped) << d;
    EXPECT_EQ(r.detail, "dtype " + std::string(ToString(p.dtype)) + " not implemented");
  }
  EXPECT_EQ(s.asked, 0);
  EXPECT_EQ(s.prepared, 0);
}

// A u8 average over 2x2 windows that tile the input (NCHW, no padding), rounded as the table
// says (DivideAs) or truncated, as a careless integer kernel would.
class U8Average final : public Strategy {
 public:
  explicit U8Average(bool truncate) : truncate_(truncate) {}
  std::string_view name() const override { return truncate_ ? "u8_truncating" : "u8_rounding"; }
  std::string_view description() const override { return "u8 2x2 average"; }
  Implemented Implements() const override {
    return {.dtypes = {DType::kU8}, .ranks = RankSet::Only(2)};
  }
  Support Supports(const Problem&) const override { return Support::Yes(); }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext&) const override {
    return MakeKernel([p, truncate = truncate_](const Buffers& b) {
      const auto* src = static_cast<const uint8_t*>(b.src);
      auto* dst = static_cast<uint8_t*>(b.dst);
      const int64_t oh = OutputH(p), ow = OutputW(p);
      for (int64_t plane = 0; plane < p.n * p.c; ++plane) {
        const uint8_t* in = src + plane * p.h * p.w;
        for (int64_t oy = 0; oy < oh; ++oy) {
          for (int64_t ox = 0; ox < ow; ++ox) {
            const uint8_t* w = in + 2 * oy * p.w + 2 * ox;
            const int64_t sum = w[0] + w[1] + w[p.w] + w[p.w + 1];
            dst[(plane * oh + oy) * ow + ox] =
                truncate ? static_cast<uint8_t>(sum / 4) : DivideAs<uint8_t>(sum, 4);
          }
        }
      }
    });
  }

 private:
  bool truncate_;
};

TEST(CrossCheck, HoldsAU8StrategyToTheTablesRounding) {
  const Problem p = ParseDescriptor("avg:fwd:u8:nchw:1x2x6x6:k2");
  EXPECT_EQ(CrossCheck(U8Average(false), p, 1).verdict, Verdict::kPass);
  const CheckResult r = CrossCheck(U8Average(true), p, 1);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  // The values are shown as numbers (an 8-bit integer printed as a character would not be).
  EXPECT_TRUE(std::regex_search(r.detail, std::regex("got [0-9]+, want [0-9]+"))) << r.detail;
}

}  // namespace
}  // namespace poolbench
