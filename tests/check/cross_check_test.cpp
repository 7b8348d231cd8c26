// The cross-check asks what a strategy implements before anything else: a dtype outside it is a
// skip with the reason, and the strategy is neither asked whether it supports the problem nor
// prepared for it.
#include "check/cross_check.hpp"

#include <gtest/gtest.h>

#include "poolbench/descriptor.hpp"

namespace poolbench {
namespace {

class CountingF32Only final : public Strategy {
 public:
  std::string_view name() const override { return "counting_f32_only"; }
  std::string_view description() const override { return "implements f32 only"; }
  Implemented Implements() const override { return {.dtypes = {DType::kF32}}; }
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

}  // namespace
}  // namespace poolbench
