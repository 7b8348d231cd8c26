// What a strategy implements is checked before it is asked anything: SupportOf skips a dtype
// outside Implements() with the reason, without calling Supports(); PlaneStrategy states (and
// compiles for) exactly the dtypes it lists.
#include "poolbench/strategy.hpp"

#include <gtest/gtest.h>

#include <type_traits>

#include "poolbench/descriptor.hpp"
#include "poolbench/plane_kernel.hpp"

namespace poolbench {
namespace {

// Implements f32 only and counts how often it is asked about a problem.
class F32Only final : public Strategy {
 public:
  std::string_view name() const override { return "f32_only"; }
  std::string_view description() const override { return "implements f32 only"; }
  Implemented Implements() const override {
    return {.dtypes = {DType::kF32}, .ranks = RankSet::Only(2)};
  }
  Support Supports(const Problem&) const override {
    ++asked;
    return Support::No("its own reason");
  }
  std::unique_ptr<Kernel> Prepare(const Problem&, const ExecContext&) const override {
    return nullptr;
  }
  mutable int asked = 0;
};

TEST(SupportOf, SkipsADTypeNotImplementedBeforeSupports) {
  const F32Only s;
  const Support f64 = SupportOf(s, ParseDescriptor("max:fwd:f64:nchw:1x1x4x4:k2x2"));
  EXPECT_FALSE(f64);
  EXPECT_EQ(f64.reason, "dtype f64 not implemented");
  EXPECT_EQ(s.asked, 0);
  // Within what it implements, its own Supports() decides.
  const Support f32 = SupportOf(s, ParseDescriptor("max:fwd:f32:nchw:1x1x4x4:k2x2"));
  EXPECT_EQ(f32.reason, "its own reason");
  EXPECT_EQ(s.asked, 1);
}

// A strategy that states nothing implements what every strategy did before the statement
// existed: f32, f64 and i32.
class Unstated final : public Strategy {
 public:
  std::string_view name() const override { return "unstated"; }
  std::string_view description() const override { return "states nothing"; }
  Support Supports(const Problem&) const override { return Support::Yes(); }
  std::unique_ptr<Kernel> Prepare(const Problem&, const ExecContext&) const override {
    return nullptr;
  }
};

TEST(SupportOf, DefaultsToTheDTypesOfTheVersion2Interface) {
  const Unstated s;
  EXPECT_EQ(s.Implements().dtypes, DefaultDTypes::set);
  for (DType t : kAllDTypes) {
    Problem p = ParseDescriptor("max:fwd:nchw:1x1x4x4:k2x2");
    p.dtype = t;
    EXPECT_EQ(static_cast<bool>(SupportOf(s, p)), DefaultDTypes::set.Has(t)) << ToString(t);
  }
}

TEST(SupportOf, SkipsARankNotImplementedBeforeSupports) {
  // Every strategy that states no ranks implements 2-D only.
  const F32Only s;
  EXPECT_EQ(s.Implements().ranks, RankSet::Only(2));
  const Support one = SupportOf(s, ParseDescriptor("max:fwd:f32:ncw:1x1x8:k2"));
  EXPECT_FALSE(one);
  EXPECT_EQ(one.reason, "1-D problems not implemented");
  EXPECT_EQ(SupportOf(s, ParseDescriptor("max:fwd:f32:ndhwc:1x1x4x4x4:k2")).reason,
            "3-D problems not implemented");
  EXPECT_EQ(s.asked, 0);
}

TEST(RankSet, HoldsTheRanksItNames) {
  EXPECT_TRUE(RankSet::All().Has(1) && RankSet::All().Has(2) && RankSet::All().Has(3));
  EXPECT_FALSE(RankSet::All().Has(0) || RankSet::All().Has(4));
  EXPECT_TRUE(RankSet::Only(3).Has(3));
  EXPECT_FALSE(RankSet::Only(3).Has(2));
}

// A plane kernel that does not compile for anything but float.
template <class T>
class FloatPlanes final : public PlaneKernel<T> {
 public:
  static_assert(std::is_same_v<T, float>, "instantiated for a dtype the strategy did not list");
  using PlaneKernel<T>::PlaneKernel;

 private:
  void ForwardPlane(const T*, T*, int64_t*) override {}
};

class FloatPlaneStrategy final : public PlaneStrategy<FloatPlanes, DTypeList<DType::kF32>> {
 public:
  FloatPlaneStrategy() : PlaneStrategy("float_planes", "f32 planes") {}
};

TEST(PlaneStrategy, StatesAndCompilesOnlyItsDTypes) {
  const FloatPlaneStrategy s;
  EXPECT_EQ(s.Implements().dtypes, DTypeSet{DType::kF32});
  EXPECT_EQ(SupportOf(s, ParseDescriptor("max:fwd:i32:nchw:1x1x4x4:k2x2")).reason,
            "dtype i32 not implemented");
  EXPECT_NE(s.Prepare(ParseDescriptor("max:fwd:f32:nchw:1x1x4x4:k2x2"), ExecContext{}), nullptr);
  // Plane-wise strategies are 2-D.
  EXPECT_EQ(SupportOf(s, ParseDescriptor("max:fwd:f32:ncw:1x1x8:k2")).reason,
            "1-D problems not implemented");
}

}  // namespace
}  // namespace poolbench
