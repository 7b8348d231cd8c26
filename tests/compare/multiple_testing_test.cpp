#include "compare/multiple_testing.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace poolbench::compare {
namespace {

// The same p-values as R's p.adjust(c(0.01, 0.04, 0.03, 0.005), method) gives them.
const std::vector<double> kP = {0.01, 0.04, 0.03, 0.005};

void ExpectNear(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << "row " << i;
}

TEST(MultipleTesting, HolmStepsDownAndKeepsTheOrderMonotone) {
  // Sorted: 4 x 0.005, 3 x 0.01, 2 x 0.03 = 0.06, then 1 x 0.04 raised to the running 0.06.
  ExpectNear(Adjust(kP, Correction::kHolm), {0.03, 0.06, 0.06, 0.02});
}

TEST(MultipleTesting, BenjaminiHochbergStepsUp) {
  // m p_(k) / k: 0.02, 0.02, 0.04, 0.04; the running minimum from the top keeps them.
  ExpectNear(Adjust(kP, Correction::kBenjaminiHochberg), {0.02, 0.04, 0.04, 0.02});
}

TEST(MultipleTesting, BenjaminiHochbergTakesTheMinimumFromAbove) {
  // 3 x 0.02 / 2 = 0.03 exceeds 3 x 0.025 / 3 = 0.025, so the second smallest becomes 0.025.
  ExpectNear(Adjust(std::vector<double>{0.001, 0.02, 0.025}, Correction::kBenjaminiHochberg),
             {0.003, 0.025, 0.025});
}

TEST(MultipleTesting, AdjustedValuesAreCappedAtOne) {
  ExpectNear(Adjust(std::vector<double>{0.5, 0.9}, Correction::kHolm), {1.0, 1.0});
  ExpectNear(Adjust(std::vector<double>{0.9, 1.0}, Correction::kBenjaminiHochberg), {1.0, 1.0});
}

TEST(MultipleTesting, NoneAndEmptyAreUnchanged) {
  ExpectNear(Adjust(kP, Correction::kNone), kP);
  EXPECT_TRUE(Adjust(std::vector<double>{}, Correction::kHolm).empty());
}

TEST(MultipleTesting, HolmIsNeverBelowBenjaminiHochberg) {
  const std::vector<double> p = {0.001, 0.002, 0.2, 0.04, 0.0001, 0.7};
  const auto holm = Adjust(p, Correction::kHolm), bh = Adjust(p, Correction::kBenjaminiHochberg);
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_GE(holm[i], bh[i]) << i;
    EXPECT_GE(bh[i], p[i] - 1e-12) << i;
  }
}

TEST(MultipleTesting, RefusesPValuesOutsideTheUnitInterval) {
  EXPECT_THROW(Adjust(std::vector<double>{0.1, 1.5}, Correction::kHolm), std::invalid_argument);
  EXPECT_THROW(Adjust(std::vector<double>{-0.1}, Correction::kNone), std::invalid_argument);
}

TEST(MultipleTesting, ParsesAndNamesCorrections) {
  EXPECT_EQ(ParseCorrection("bh"), Correction::kBenjaminiHochberg);
  EXPECT_EQ(ParseCorrection("holm"), Correction::kHolm);
  EXPECT_EQ(ParseCorrection("none"), Correction::kNone);
  EXPECT_THROW(ParseCorrection("bonferroni"), std::invalid_argument);
  EXPECT_EQ(ToString(Correction::kBenjaminiHochberg), "bh");
}

}  // namespace
}  // namespace poolbench::compare
