#include "compare/mann_whitney.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace poolbench::compare {
namespace {

// U of x against y by its definition, pair by pair: independent of the rank-based code.
double PairwiseU(const std::vector<double>& x, const std::vector<double>& y) {
  double u = 0;
  for (double a : x) {
    for (double b : y) u += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  }
  return u;
}

// The exact two-sided p by brute force: every way of splitting the pooled values into samples
// of sizes n and m, with U counted pair by pair.
double BruteForceP(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> pooled = x;
  pooled.insert(pooled.end(), y.begin(), y.end());
  const size_t total = pooled.size();
  const double observed = PairwiseU(x, y);
  double below = 0, above = 0, all = 0;
  for (uint32_t mask = 0; mask < (1u << total); ++mask) {
    if (static_cast<size_t>(__builtin_popcount(mask)) != x.size()) continue;
    std::vector<double> a, b;
    for (size_t i = 0; i < total; ++i) (mask >> i & 1 ? a : b).push_back(pooled[i]);
    const double u = PairwiseU(a, b);
    all += 1;
    below += u <= observed;
    above += u >= observed;
  }
  return std::min(1.0, 2 * std::min(below, above) / all);
}

TEST(MannWhitneyU, ThreeVersusThreeMatchesTheHandEnumeratedDistribution) {
  // The 20 ways of ranking 3 x's among 6 values give U = 0..9 with these frequencies (counted
  // by hand: U is the number of y's below each x, summed).
  const int frequency[10] = {1, 1, 2, 3, 3, 3, 3, 2, 1, 1};
  int splits = 0;
  for (uint32_t mask = 0; mask < 64; ++mask) {
    if (__builtin_popcount(mask) != 3) continue;
    std::vector<double> x, y;
    for (int v = 1; v <= 6; ++v) (mask >> (v - 1) & 1 ? x : y).push_back(v);
    const UTest t = MannWhitneyU(x, y);
    ASSERT_TRUE(t.exact);
    ASSERT_EQ(t.u, PairwiseU(x, y));
    const int u = static_cast<int>(t.u);
    int below = 0, above = 0;
    for (int k = 0; k <= u; ++k) below += frequency[k];
    for (int k = u; k <= 9; ++k) above += frequency[k];
    EXPECT_DOUBLE_EQ(t.p_value, std::min(1.0, 2.0 * std::min(below, above) / 20)) << "U = " << u;
    ++splits;
  }
  EXPECT_EQ(splits, 20);
}

TEST(MannWhitneyU, SeparatedThreeVersusThreeGivesTheSmallestPossibleP) {
  const std::vector<double> low = {1, 2, 3}, high = {4, 5, 6};
  const UTest t = MannWhitneyU(high, low);
  EXPECT_EQ(t.u, 9);
  EXPECT_DOUBLE_EQ(t.p_value, 0.1);  // 2 / C(6, 3)
  EXPECT_DOUBLE_EQ(MannWhitneyU(low, high).p_value, 0.1);
  EXPECT_DOUBLE_EQ(MinimumPValue(3, 3), 0.1);
  EXPECT_DOUBLE_EQ(MinimumPValue(4, 4), 2.0 / 70);
  EXPECT_DOUBLE_EQ(MinimumPValue(2, 5), 2.0 / 21);
  EXPECT_DOUBLE_EQ(MinimumPValue(1, 1), 1.0);
  EXPECT_EQ(RepetitionsNeeded(0.05), 4u);  // 3 vs 3: 0.1; 4 vs 4: 0.029
  EXPECT_EQ(RepetitionsNeeded(0.01), 5u);  // 4 vs 4: 0.029; 5 vs 5: 2/252 = 0.0079
}

TEST(MannWhitneyU, TextbookExample) {
  // Conover's example as in SciPy's documentation of mannwhitneyu: U = 17, p = 1/9 (exact).
  const std::vector<double> males = {19, 22, 16, 29, 24}, females = {20, 11, 17, 12};
  const UTest t = MannWhitneyU(males, females);
  EXPECT_TRUE(t.exact);
  EXPECT_EQ(t.u, 17);
  EXPECT_NEAR(t.p_value, 1.0 / 9, 1e-12);
}

TEST(MannWhitneyU, ExactWithoutTiesMatchesScipy) {
  // scipy.stats.mannwhitneyu(a, b, method='exact') (SciPy 1.10.1): U = 18, p = 0.0545271722.
  const std::vector<double> a = {1.1, 2.3, 3.7, 4.2, 5.9, 6.4, 7.8, 8.5};
  const std::vector<double> b = {3.1, 4.9, 5.2, 6.8, 7.1, 8.9, 9.3, 9.7, 10.4, 11.6};
  const UTest t = MannWhitneyU(a, b);
  EXPECT_EQ(t.u, 18);
  EXPECT_NEAR(t.p_value, 0.054527172174230996, 1e-12);
}

TEST(MannWhitneyU, ExactWithTiesIsThePermutationDistribution) {
  // Brute force over all 462 splits gives P(U <= 8) = 49/462, so p = 98/462.
  const std::vector<double> x = {1, 2, 2, 3, 5}, y = {2, 3, 3, 4, 4, 6};
  const UTest t = MannWhitneyU(x, y);
  EXPECT_TRUE(t.exact);
  EXPECT_EQ(t.u, 8);
  EXPECT_NEAR(t.p_value, 98.0 / 462, 1e-12);
  EXPECT_NEAR(t.p_value, BruteForceP(x, y), 1e-12);

  const std::vector<std::pair<std::vector<double>, std::vector<double>>> cases = {
      {{1, 1, 1, 2}, {1, 2, 2, 2, 3}},
      {{5, 5, 5}, {5, 5, 5, 5}},
      {{1.5, 2.5, 2.5, 7, 7, 7}, {2.5, 7, 8, 9, 9}},
      {{3, 1, 4, 1, 5, 9, 2, 6}, {5, 3, 5, 8, 9, 7, 9, 3}},
  };
  for (const auto& [a, b] : cases) {
    EXPECT_EQ(MannWhitneyU(a, b).u, PairwiseU(a, b));
    EXPECT_NEAR(MannWhitneyU(a, b).p_value, BruteForceP(a, b), 1e-12);
  }
}

TEST(MannWhitneyU, LargeSamplesUseTheNormalApproximationWithTieCorrection) {
  // scipy.stats.mannwhitneyu(x, y, method='asymptotic') (continuity and tie correction):
  // U = 276, p = 0.00987542460969368.
  std::vector<double> x, y;
  for (int i = 0; i < 30; ++i) {
    x.push_back(i % 7);
    y.push_back((3 * i) % 11);
  }
  const UTest t = MannWhitneyU(x, y);
  EXPECT_FALSE(t.exact);
  EXPECT_EQ(t.u, 276);
  EXPECT_NEAR(t.p_value, 0.00987542460969368, 1e-12);

  // Just above the exact limit, without ties: U = 120, p = 0.00011656703845055636.
  std::vector<double> a, b;
  for (int i = 0; i < 26; ++i) a.push_back(i);
  for (int i = 0; i < 25; ++i) b.push_back(i + 10.5);
  ASSERT_GT(a.size() + b.size(), kExactMaxTotal);
  const UTest s = MannWhitneyU(a, b);
  EXPECT_FALSE(s.exact);
  EXPECT_EQ(s.u, 120);
  EXPECT_NEAR(s.p_value, 0.00011656703845055636, 1e-12);
}

TEST(MannWhitneyU, IsSymmetric) {
  const std::vector<double> x = {3, 1, 4, 1, 5, 9, 2}, y = {6, 5, 3, 5, 8, 9, 7, 9, 3, 2};
  const UTest xy = MannWhitneyU(x, y), yx = MannWhitneyU(y, x);
  EXPECT_EQ(xy.u + yx.u, static_cast<double>(x.size() * y.size()));
  EXPECT_DOUBLE_EQ(xy.p_value, yx.p_value);
}

TEST(MannWhitneyU, IdenticalValuesGiveNoEvidence) {
  EXPECT_DOUBLE_EQ(MannWhitneyU(std::vector<double>(5, 2.0), std::vector<double>(4, 2.0)).p_value,
                   1.0);
  const UTest big = MannWhitneyU(std::vector<double>(40, 2.0), std::vector<double>(40, 2.0));
  EXPECT_FALSE(big.exact);
  EXPECT_DOUBLE_EQ(big.p_value, 1.0);
}

TEST(MannWhitneyU, RefusesEmptyAndNonFiniteSamples) {
  const std::vector<double> empty, one = {1.0}, nan = {1.0, std::nan("")};
  EXPECT_THROW(MannWhitneyU(empty, one), std::invalid_argument);
  EXPECT_THROW(MannWhitneyU(one, nan), std::invalid_argument);
}

}  // namespace
}  // namespace poolbench::compare
