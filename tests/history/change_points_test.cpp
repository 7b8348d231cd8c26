#include "history/change_points.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>

namespace poolbench::history {
namespace {

// `n` times around `level` with a relative, log-normal noise of `sigma`, from a fixed seed.
std::vector<double> Noisy(size_t n, double level, double sigma, std::mt19937& rng) {
  std::normal_distribution<double> noise(0, sigma);
  std::vector<double> out;
  for (size_t i = 0; i < n; ++i) out.push_back(level * std::exp(noise(rng)));
  return out;
}

std::vector<double> Join(std::vector<double> a, const std::vector<double>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(ChangePoints, ACleanStepIsFoundAtItsFirstCommitWithItsSize) {
  std::mt19937 rng(1);
  const auto times = Join(Noisy(12, 100, 0.02, rng), Noisy(8, 125, 0.02, rng));
  const auto steps = FindChangePoints(times);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].index, 12u);
  EXPECT_NEAR(steps[0].change, 0.25, 0.03);
  EXPECT_LT(steps[0].p_value, 0.05);
}

TEST(ChangePoints, AnImprovementIsANegativeStep) {
  std::mt19937 rng(2);
  const auto steps = FindChangePoints(Join(Noisy(6, 100, 0.02, rng), Noisy(6, 70, 0.02, rng)));
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].index, 6u);
  EXPECT_NEAR(steps[0].change, -0.30, 0.03);
}

TEST(ChangePoints, AFlatNoisySeriesHasNoStep) {
  // Many seeds of a series as noisy as a loaded CI machine (5% per commit, with the odd outlier
  // far above): none may show a step.
  for (unsigned seed = 0; seed < 50; ++seed) {
    std::mt19937 rng(seed);
    std::vector<double> times = Noisy(40, 100, 0.05, rng);
    times[seed % 40] *= 1.8;
    EXPECT_TRUE(FindChangePoints(times).empty()) << "seed " << seed;
  }
}

TEST(ChangePoints, TwoStepsGiveTwo) {
  std::mt19937 rng(3);
  const auto times =
      Join(Join(Noisy(10, 100, 0.02, rng), Noisy(10, 130, 0.02, rng)), Noisy(10, 90, 0.02, rng));
  const auto steps = FindChangePoints(times);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].index, 10u);
  EXPECT_EQ(steps[1].index, 20u);
  // Each measured between its neighbouring segments: +30%, then 90/130 - 1.
  EXPECT_NEAR(steps[0].change, 0.30, 0.03);
  EXPECT_NEAR(steps[1].change, 90.0 / 130 - 1, 0.03);
}

TEST(ChangePoints, AStepSmallerThanTheMinimumEffectIsNone) {
  std::mt19937 rng(4);
  const auto times = Join(Noisy(10, 100, 0.002, rng), Noisy(10, 103, 0.002, rng));
  EXPECT_TRUE(FindChangePoints(times).empty());  // significant, but 3% < 5%
  ChangePointOptions fine;
  fine.min_effect = 0.02;
  ASSERT_EQ(FindChangePoints(times, fine).size(), 1u);
}

TEST(ChangePoints, AStepNeedsEnoughCommitsAfterIt) {
  std::mt19937 rng(5);
  const auto three_after = Join(Noisy(10, 100, 0.01, rng), Noisy(3, 200, 0.01, rng));
  EXPECT_TRUE(FindChangePoints(three_after).empty());
  const auto four_after = Join(Noisy(10, 100, 0.01, rng), Noisy(4, 200, 0.01, rng));
  ASSERT_EQ(FindChangePoints(four_after).size(), 1u);
  EXPECT_EQ(FindChangePoints(four_after)[0].index, 10u);
}

TEST(ChangePoints, ARecentStepDoesNotHideAnEarlierOne) {
  // The last three commits dropped sharply, too few to name yet; the step at 10 still shows.
  std::mt19937 rng(6);
  const auto times =
      Join(Join(Noisy(10, 100, 0.01, rng), Noisy(10, 130, 0.01, rng)), Noisy(3, 60, 0.01, rng));
  const auto steps = FindChangePoints(times);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].index, 10u);
}

TEST(ChangePoints, ShortSeriesHaveNoStep) {
  EXPECT_TRUE(FindChangePoints(std::vector<double>{}).empty());
  EXPECT_TRUE(FindChangePoints(std::vector<double>{1, 1, 1, 9, 9, 9, 9}).empty());
}

TEST(ChangePoints, BadInputIsRefused) {
  EXPECT_THROW(FindChangePoints(std::vector<double>{1, 0, 2}), std::invalid_argument);
  EXPECT_THROW(FindChangePoints(std::vector<double>{1, NAN, 2}), std::invalid_argument);
  ChangePointOptions bad;
  bad.alpha = 1;
  EXPECT_THROW(FindChangePoints(std::vector<double>{1, 2}, bad), std::invalid_argument);
  bad = {};
  bad.min_segment = 0;
  EXPECT_THROW(FindChangePoints(std::vector<double>{1, 2}, bad), std::invalid_argument);
}

}  // namespace
}  // namespace poolbench::history
