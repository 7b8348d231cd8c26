#include "compare/paired_test.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace poolbench::compare {
namespace {

// New times whose log ratios to base 1 are `d`.
std::vector<double> FromLogRatios(const std::vector<double>& d) {
  std::vector<double> out;
  for (double x : d) out.push_back(std::exp(x));
  return out;
}

TEST(PairedTest, MatchesStudentsTWithTwoDegreesOfFreedom) {
  // d = 0.1, 0.2, 0.3: mean 0.2, sd 0.1, t = 0.2 / (0.1 / sqrt 3) = sqrt 12. With 2 degrees of
  // freedom the two-sided p is 1 - t / sqrt(2 + t^2) in closed form.
  const std::vector<double> base(3, 1.0);
  const PairedTest t = PairedLogRatioTest(base, FromLogRatios({0.1, 0.2, 0.3}));
  EXPECT_EQ(t.rounds, 3u);
  EXPECT_NEAR(t.mean_log_ratio, 0.2, 1e-12);
  EXPECT_NEAR(t.ratio, std::exp(0.2), 1e-12);
  EXPECT_NEAR(t.spread, 0.1, 1e-12);
  const double tt = std::sqrt(12.0);
  EXPECT_NEAR(t.p_value, 1 - tt / std::sqrt(2 + tt * tt), 1e-9);
}

TEST(PairedTest, MatchesStudentsTWithOneDegreeOfFreedom) {
  // d = 0.1, 0.3: mean 0.2, sd 0.1414, t = 2; with 1 degree of freedom p = 1 - 2 atan(t) / pi.
  const std::vector<double> base = {2.0, 5.0};
  const std::vector<double> head = {2.0 * std::exp(0.1), 5.0 * std::exp(0.3)};
  const PairedTest t = PairedLogRatioTest(base, head);
  EXPECT_NEAR(t.p_value, 1 - 2 * std::atan(2.0) / std::numbers::pi, 1e-9);
}

TEST(PairedTest, DriftSharedByBothSidesOfARoundCancels) {
  // The machine slows everything by 50% in round 2 and by 20% in round 4: the base and new
  // times move together, the ratios stay 1.25, and the test sees a clean 25% change.
  const std::vector<double> base = {100, 150, 100, 120};
  const std::vector<double> head = {125, 187.5, 125, 150};
  const PairedTest t = PairedLogRatioTest(base, head);
  EXPECT_NEAR(t.ratio, 1.25, 1e-12);
  EXPECT_NEAR(t.spread, 0, 1e-12);
  EXPECT_EQ(t.p_value, 0);
}

TEST(PairedTest, NoChangeGivesPOne) {
  const std::vector<double> same = {3, 4, 5};
  const PairedTest t = PairedLogRatioTest(same, same);
  EXPECT_EQ(t.ratio, 1);
  EXPECT_EQ(t.p_value, 1);
}

TEST(PairedTest, SymmetricNoiseIsNotSignificant) {
  const std::vector<double> base(4, 1.0);
  const PairedTest t = PairedLogRatioTest(base, FromLogRatios({0.2, -0.2, 0.25, -0.25}));
  EXPECT_NEAR(t.mean_log_ratio, 0, 1e-12);
  EXPECT_NEAR(t.p_value, 1, 1e-9);
  EXPECT_GT(t.spread, 0.2);
}

TEST(PairedTest, ASingleRoundHasNoSpreadAndNoTest) {
  const PairedTest t = PairedLogRatioTest(std::vector<double>{1}, std::vector<double>{2});
  EXPECT_NEAR(t.ratio, 2, 1e-12);
  EXPECT_EQ(t.spread, 0);
  EXPECT_EQ(t.p_value, 1);
}

TEST(PairedTest, RefusesBadInput) {
  const std::vector<double> two = {1, 2}, three = {1, 2, 3};
  EXPECT_THROW(PairedLogRatioTest(two, three), std::invalid_argument);
  EXPECT_THROW(PairedLogRatioTest(std::vector<double>{}, std::vector<double>{}),
               std::invalid_argument);
  EXPECT_THROW(PairedLogRatioTest(two, std::vector<double>{1, 0}), std::invalid_argument);
  EXPECT_THROW(PairedLogRatioTest(two, std::vector<double>{1, NAN}), std::invalid_argument);
}

}  // namespace
}  // namespace poolbench::compare
