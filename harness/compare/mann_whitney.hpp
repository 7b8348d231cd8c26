// The two-sided Mann-Whitney U test (Wilcoxon rank-sum test), which compare uses to tell
// whether two sets of benchmark repetitions differ: the statistic, its exact distribution for
// small samples and the normal approximation for large ones, and the limits that small samples
// put on the p-value.
#pragma once

#include <cstddef>
#include <span>

namespace poolbench::compare {

struct UTest {
  // U of the first sample: the pairs (x, y) with x > y, plus half the pairs with x == y.
  double u = 0;
  double p_value = 1;  // two-sided
  bool exact = false;  // exact permutation distribution, else the normal approximation
};

// Samples up to this many values in total (both sides) get the exact distribution.
inline constexpr size_t kExactMaxTotal = 50;

// Two-sided Mann-Whitney U test of x against y. For up to kExactMaxTotal values in all, p is
// exact: the permutation distribution of the rank sum with mid-ranks for ties, enumerated by
// dynamic programming (without ties this is the classical exact U distribution). For more,
// the normal approximation with tie-corrected variance and continuity correction. p is
// 2 * min(P(U <= u), P(U >= u)), capped at 1. Throws std::invalid_argument for an empty sample
// or a value that is not finite.
UTest MannWhitneyU(std::span<const double> x, std::span<const double> y);

// The smallest two-sided p the U test can give for samples of sizes n and m: 2 / C(n+m, n),
// reached when the samples do not overlap (3 vs 3: 0.1). When it is not below alpha, the test
// cannot call any difference significant, however large.
double MinimumPValue(size_t n, size_t m);

// The smallest k such that k vs k samples can reach p < alpha (4 for alpha = 0.05).
size_t RepetitionsNeeded(double alpha);

}  // namespace poolbench::compare
