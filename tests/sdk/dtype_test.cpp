// The dtype table: each row's semantics, the sets and lists of dtypes, and the dispatch that
// instantiates code only for the dtypes it is given.
#include "poolbench/dtype.hpp"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

namespace poolbench {
namespace {

TEST(DTypeTable, EveryRowNamesItsSemantics) {
  // f32, f64 and i32 keep the types they always computed in.
  static_assert(std::is_same_v<Compute<float>, float> && std::is_same_v<Acc<float>, double>);
  static_assert(std::is_same_v<Compute<double>, double> && std::is_same_v<Acc<double>, double>);
  static_assert(std::is_same_v<Compute<int32_t>, int32_t> && std::is_same_v<Acc<int32_t>, int64_t>);
  static_assert(IsFloat<float> && IsFloat<double> && !IsFloat<int32_t>);
  EXPECT_TRUE(Info(DType::kF32).is_float);
  EXPECT_FALSE(Info(DType::kI32).is_float);
  EXPECT_EQ(Info(DType::kF64).rounding, Rounding::kNearestEven);
  EXPECT_EQ(Info(DType::kI32).rounding, Rounding::kHalfAwayWrap);
  // u8: compared in int32, summed in int64, saturating averages, no backward, NumPy's '|u1'.
  static_assert(std::is_same_v<Compute<uint8_t>, int32_t> && std::is_same_v<Acc<uint8_t>, int64_t>);
  static_assert(!IsFloat<uint8_t>);
  EXPECT_EQ(Info(DType::kU8).rounding, Rounding::kHalfAwaySaturate);
  EXPECT_FALSE(Info(DType::kU8).backward);
  EXPECT_EQ(SizeOf(DType::kU8), 1);
  EXPECT_EQ(DTypeFromNumpy("|u1"), DType::kU8);
  for (DType t : kAllDTypes) {
    const DTypeInfo& i = Info(t);
    EXPECT_EQ(i.dtype, t);
    EXPECT_EQ(ParseDType(i.name), t) << i.name;
    DispatchDType<AllDTypes>(t, [&]<class T>() {
      EXPECT_EQ(DTypeOf<T>::value, t);
      EXPECT_EQ(SizeOf(t), static_cast<int64_t>(sizeof(T)));
      EXPECT_EQ(i.is_float, IsFloat<T>);
      EXPECT_EQ(i.rounding, DTypeOf<T>::kRounding);
      EXPECT_EQ(i.backward, DTypeOf<T>::kBackward);
    });
    if (!i.numpy.empty()) {
      EXPECT_EQ(DTypeFromNumpy(i.numpy), t) << i.numpy;
    }
  }
  EXPECT_EQ(DTypeFromNumpy("<i8"), std::nullopt);
  EXPECT_EQ(DTypeFromNumpy(""), std::nullopt);  // "NumPy has none" never matches a file
  EXPECT_EQ(ParseDType("f16x"), std::nullopt);
}

TEST(DTypeSet, HoldsWhatItIsGiven) {
  const DTypeSet floats{DType::kF32, DType::kF64};
  EXPECT_TRUE(floats.Has(DType::kF32));
  EXPECT_FALSE(floats.Has(DType::kI32));
  EXPECT_TRUE((floats | DTypeSet{DType::kI32}).Has(DType::kI32));
  EXPECT_TRUE(DTypeSet{}.empty());
  EXPECT_EQ((DTypeList<DType::kF64, DType::kF32>::set), floats);
  for (DType t : kAllDTypes) EXPECT_TRUE(AllDTypes::set.Has(t));
  EXPECT_EQ(DefaultDTypes::set, (DTypeSet{DType::kF32, DType::kF64, DType::kI32}));
}

// A kernel that does not compile for double: dispatching it over a list without f64 proves that
// DispatchDType instantiates only the listed dtypes.
struct NotForDouble {
  template <class T>
  std::string operator()() const {
    static_assert(!std::is_same_v<T, double>, "instantiated for a dtype outside the list");
    return std::string(ToString(DTypeOf<T>::value));
  }
};

TEST(DispatchDType, InstantiatesOnlyTheListedDTypes) {
  using List = DTypeList<DType::kF32, DType::kI32>;
  EXPECT_EQ(DispatchDType<List>(DType::kF32, NotForDouble{}), "f32");
  EXPECT_EQ(DispatchDType<List>(DType::kI32, NotForDouble{}), "i32");
  try {
    DispatchDType<List>(DType::kF64, NotForDouble{});
    ADD_FAILURE() << "dispatched a dtype outside the list";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("dtype f64 is not in the list"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace poolbench
