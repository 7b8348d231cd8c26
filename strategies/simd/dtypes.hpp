// The dtypes simd implements: its kernels are compiled for these only, and it says so in
// Strategy::Implements, so that it is never asked for another.
#pragma once

#include "poolbench/dtype.hpp"

namespace poolbench::simd {

using SimdDTypes = DefaultDTypes;

}  // namespace poolbench::simd
