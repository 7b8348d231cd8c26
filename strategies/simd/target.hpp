// What Highway's run-time dispatch chose for the simd strategy's kernels.
#pragma once

#include <cstdint>

#include "poolbench/dtype.hpp"

namespace poolbench::simd {

// Lanes of a full vector of `dtype` on the instruction set the kernels run on.
int64_t VectorLanes(DType dtype);
// That instruction set's name ("AVX3", "AVX2", "NEON", ...).
const char* TargetName();

}  // namespace poolbench::simd
