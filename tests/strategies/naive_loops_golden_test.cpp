// The reference against independent truth: tests/data/rank_golden.json holds 1-D, 2-D and 3-D
// problems (every geometry option per axis, both layouts, max and avg, forward and backward)
// with the results NumPy computed from PyTorch's rules, by tests/data/rank_golden.py. The
// script pads and slices instead of checking bounds per tap, so a shared mistake is unlikely.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "strategies/run_strategy.hpp"

namespace poolbench {
namespace {

using testing::Backward;
using testing::Forward;

nlohmann::json LoadCases() {
  std::ifstream in(POOLBENCH_SOURCE_DIR "/tests/data/rank_golden.json");
  if (!in) throw std::runtime_error("cannot read tests/data/rank_golden.json");
  return nlohmann::json::parse(in).at("cases");
}

// Sums in another order differ in the last bits; nothing else may.
void ExpectNear(const std::vector<double>& got, const std::vector<double>& want,
                const std::string& descriptor) {
  ASSERT_EQ(got.size(), want.size()) << descriptor;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], 1e-12 * std::max(1.0, std::fabs(want[i])))
        << descriptor << " at element " << i;
  }
}

TEST(NaiveLoopsGolden, AgreesWithNumPyOnEveryRank) {
  const nlohmann::json cases = LoadCases();
  int ranks_seen[4] = {0, 0, 0, 0};
  for (const nlohmann::json& c : cases) {
    const std::string descriptor = c.at("descriptor");
    const Problem p = ParseDescriptor(descriptor);
    ++ranks_seen[SpatialRank(p)];
    const auto src = c.at("src").get<std::vector<double>>();
    if (p.direction == Direction::kForward) {
      const auto r = Forward<double>("naive_loops", descriptor, src);
      ExpectNear(r.values, c.at("values").get<std::vector<double>>(), descriptor);
      if (p.indices) {
        EXPECT_EQ(r.indices, c.at("indices").get<std::vector<int64_t>>()) << descriptor;
      }
    } else {
      const auto dx = Backward<double>("naive_loops", descriptor, src,
                                       c.at("diff_dst").get<std::vector<double>>());
      ExpectNear(dx, c.at("gradient").get<std::vector<double>>(), descriptor);
    }
  }
  // The data covers every rank, so that losing a part of the file fails here.
  EXPECT_GE(ranks_seen[1], 20);
  EXPECT_GE(ranks_seen[2], 10);
  EXPECT_GE(ranks_seen[3], 20);
}

}  // namespace
}  // namespace poolbench
