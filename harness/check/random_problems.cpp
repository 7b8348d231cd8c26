#include "check/random_problems.hpp"

#include <random>

namespace poolbench {

Problem RandomProblem(uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x5EEDu);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  while (true) {
    Problem p;
    p.op = uniform(0, 1) ? Op::kMax : Op::kAvg;
    p.direction = uniform(0, 3) ? Direction::kForward : Direction::kBackward;
    p.dtype = kAllDTypes[uniform(0, std::size(kAllDTypes) - 1)];
    p.layout = uniform(0, 6) ? Layout::kNCHW : Layout::kNHWC;
    p.n = uniform(1, 2);
    p.c = uniform(1, 3);
    p.kernel = {uniform(1, 5), uniform(1, 5)};
    // A third of the problems tile the input (stride == kernel), as most networks do.
    p.stride = uniform(0, 2) ? Pair{uniform(1, 4), uniform(1, 4)} : p.kernel;
    p.dilation = {uniform(0, 3) ? 1 : uniform(2, 3), uniform(0, 3) ? 1 : uniform(2, 3)};
    const Pair effective = {(p.kernel.h - 1) * p.dilation.h + 1,
                            (p.kernel.w - 1) * p.dilation.w + 1};
    p.padding = {uniform(0, 1) ? 0 : uniform(0, effective.h / 2),
                 uniform(0, 1) ? 0 : uniform(0, effective.w / 2)};
    p.h = uniform(std::max<int64_t>(1, effective.h - 2 * p.padding.h), effective.h + 12);
    p.w = uniform(std::max<int64_t>(1, effective.w - 2 * p.padding.w), effective.w + 12);
    p.ceil_mode = uniform(0, 2) == 0;
    if (p.op == Op::kAvg) {
      p.count_include_pad = uniform(0, 1);
      if (uniform(0, 5) == 0) p.divisor_override = uniform(1, 7);
    }
    p.indices = p.op == Op::kMax && p.direction == Direction::kForward && uniform(0, 3);
    if (Validate(p).empty()) return p;
  }
}

}  // namespace poolbench
