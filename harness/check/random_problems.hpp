// Seeded random problems for fuzzing the cross-check: small shapes with every option mixed.
#pragma once

#include <cstdint>

#include "poolbench/problem.hpp"

namespace poolbench {

// A valid problem drawn from `seed` (the same seed always gives the same problem): kernels
// 1-5 per axis, strides 1-4, dilations 1-3, any legal padding, ceil mode, avg options, every
// op, direction and dtype, NCHW mostly and NHWC sometimes.
Problem RandomProblem(uint64_t seed);

}  // namespace poolbench
