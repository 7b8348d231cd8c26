// What Highway's run-time dispatch chose for the simd strategy: the instruction set its kernels
// run on and the width of its vectors, which Prepare plans with.

// Highway compiles this file once per instruction set: foreach_target.h re-includes it by the
// path below, which must stay first.
// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "strategies/simd/target.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include "strategies/simd/target.hpp"

#include "hwy/highway.h"
#include "poolbench/dtype.hpp"
#include "strategies/simd/dtypes.hpp"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

int64_t VectorLanes(DType dtype) {
  return DispatchDType<SimdDTypes>(dtype, [&]<class T>() HWY_ATTR {
    return static_cast<int64_t>(hn::Lanes(hn::ScalableTag<T>()));
  });
}

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(VectorLanes);
HWY_EXPORT(TargetName);
int64_t VectorLanes(DType dtype) { return HWY_DYNAMIC_DISPATCH(VectorLanes)(dtype); }
const char* TargetName() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }
}  // namespace poolbench::simd
#endif
