// The per-strategy gate of a round comparison: a strategy that changed as a whole is found even
// when each of its benchmarks alone is within its noise, and unchanged strategies are not.
#include "compare/strategy_gate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace poolbench::compare {
namespace {

constexpr size_t kRounds = 4;

// Deterministic noise in [-amplitude, amplitude], different for every (seed, row, round).
double Noise(uint64_t seed, double amplitude) {
  seed = seed * 6364136223846793005u + 1442695040888963407u;
  seed ^= seed >> 29;
  seed *= 0xbf58476d1ce4e5b9u;
  seed ^= seed >> 32;
  return amplitude * (2 * static_cast<double>(seed % 1000001) / 1000000 - 1);
}

// `n` benchmarks of a strategy, each changed by `ratio` in every round plus noise of ±`noise`
// in the log ratio, as CompareRounds leaves them before the gate: ratio set, verdict `change`.
void AddStrategy(std::vector<Row>& rows, const std::string& strategy, size_t n, double ratio,
                 double noise, Change change = Change::kWithinNoise) {
  for (size_t i = 0; i < n; ++i) {
    Row row;
    row.strategy = strategy;
    row.run_name = strategy + "/" + std::to_string(i);
    double sum = 0;
    for (size_t r = 0; r < kRounds; ++r) {
      const double d = std::log(ratio) + Noise(std::hash<std::string>{}(row.run_name) + r, noise);
      row.round_log_ratios.push_back(d);
      sum += d;
    }
    row.ratio = std::exp(sum / kRounds);
    row.change = change;
    rows.push_back(row);
  }
}

const StrategyGate& Gate(const std::vector<StrategyGate>& gates, const std::string& strategy) {
  for (const StrategyGate& g : gates) {
    if (g.strategy == strategy) return g;
  }
  throw std::runtime_error("no gate for " + strategy);
}

size_t Count(const std::vector<Row>& rows, const std::string& strategy, Change change) {
  size_t n = 0;
  for (const Row& r : rows) n += r.strategy == strategy && r.change == change;
  return n;
}

TEST(StrategyGate, AUniformSlowdownIsFoundThroughTheNoiseOfEachBenchmark) {
  std::vector<Row> rows;
  AddStrategy(rows, "slowed", 24, 1.25, 0.3);
  AddStrategy(rows, "steady", 24, 1.0, 0.3);
  AddStrategy(rows, "other", 24, 1.0, 0.3);
  const std::vector<StrategyGate> gates = GateStrategies(rows, {.threshold = 0.1}, kRounds);
  ASSERT_EQ(gates.size(), 3u);
  const StrategyGate& slowed = Gate(gates, "slowed");
  EXPECT_EQ(slowed.change, Change::kRegression);
  EXPECT_EQ(slowed.benchmarks, 24u);
  EXPECT_NEAR(slowed.test.ratio, 1.25, 0.05);
  EXPECT_LT(slowed.p_adjusted, 0.05);
  EXPECT_GE(slowed.p_adjusted, slowed.test.p_value);  // Holm never lowers a p-value
  EXPECT_EQ(Gate(gates, "steady").change, Change::kSame);
  EXPECT_EQ(Gate(gates, "other").change, Change::kSame);
  // Every benchmark of the slowed strategy beyond +10% is flagged, with the reason; the rows of
  // the unchanged strategies keep their own verdicts whatever their noise.
  size_t beyond = 0;
  for (const Row& r : rows) {
    if (r.strategy != "slowed") continue;
    if (*r.ratio > 1.1) {
      ++beyond;
      EXPECT_EQ(r.change, Change::kRegression) << r.run_name;
      EXPECT_NE(r.note.find("with its strategy: +"), std::string::npos) << r.note;
    } else {
      EXPECT_EQ(r.change, Change::kWithinNoise) << r.run_name;
    }
  }
  EXPECT_GE(beyond, 20u);
  EXPECT_EQ(Count(rows, "steady", Change::kRegression), 0u);
  EXPECT_EQ(Count(rows, "other", Change::kRegression), 0u);
}

TEST(StrategyGate, AnImprovementFlagsTheFasterBenchmarks) {
  std::vector<Row> rows;
  AddStrategy(rows, "faster", 16, 0.7, 0.2, Change::kSame);
  AddStrategy(rows, "steady", 16, 1.0, 0.2, Change::kSame);
  const std::vector<StrategyGate> gates = GateStrategies(rows, {.threshold = 0.1}, kRounds);
  EXPECT_EQ(Gate(gates, "faster").change, Change::kImprovement);
  EXPECT_GE(Count(rows, "faster", Change::kImprovement), 12u);
  EXPECT_EQ(Count(rows, "faster", Change::kRegression), 0u);
}

TEST(StrategyGate, AChangeWithinTheThresholdIsNotAChangeOfTheStrategy) {
  std::vector<Row> rows;
  AddStrategy(rows, "slightly", 24, 1.06, 0.02, Change::kSame);
  const std::vector<StrategyGate> gates = GateStrategies(rows, {.threshold = 0.1}, kRounds);
  const StrategyGate& g = Gate(gates, "slightly");
  EXPECT_LT(g.p_adjusted, 0.05);  // significant, but small
  EXPECT_EQ(g.change, Change::kSame);
  EXPECT_EQ(Count(rows, "slightly", Change::kSame), 24u);
}

TEST(StrategyGate, AStrategyNoisierThanItsChangeStaysWithinItsNoiseFloor) {
  std::vector<Row> rows;
  // Three benchmarks that swing together by ±40% from round to round around +15%.
  for (int i = 0; i < 3; ++i) {
    Row row;
    row.strategy = "swinging";
    row.run_name = "swinging/" + std::to_string(i);
    row.round_log_ratios = {std::log(1.6), std::log(0.85), std::log(1.55), std::log(0.9)};
    row.ratio = 1.15;
    rows.push_back(row);
  }
  const std::vector<StrategyGate> gates = GateStrategies(rows, {.threshold = 0.1}, kRounds);
  EXPECT_EQ(Gate(gates, "swinging").change, Change::kSame);
  EXPECT_GT(Gate(gates, "swinging").noise_floor, 0.5);
}

TEST(StrategyGate, OnlyBenchmarksPairedInEveryRoundCountAndWrongOnesAreLeftAlone) {
  std::vector<Row> rows;
  AddStrategy(rows, "slowed", 10, 1.3, 0.05);
  rows[0].round_log_ratios[2].reset();  // did not run on both sides in round 3
  rows[1].ratio_only = true;
  Row wrong;
  wrong.strategy = "slowed";
  wrong.change = Change::kWrong;
  rows.push_back(wrong);
  const std::vector<StrategyGate> gates = GateStrategies(rows, {.threshold = 0.1}, kRounds);
  EXPECT_EQ(Gate(gates, "slowed").benchmarks, 8u);
  EXPECT_EQ(rows.back().change, Change::kWrong);
  // Its verdict still follows the strategy's, since its own ratio is known.
  EXPECT_EQ(rows[0].change, Change::kRegression);
}

TEST(StrategyGate, NoCompleteBenchmarkNoGate) {
  std::vector<Row> rows(1);
  rows[0].strategy = "untimed";
  rows[0].change = Change::kAdded;
  EXPECT_TRUE(GateStrategies(rows, {}, kRounds).empty());
}

}  // namespace
}  // namespace poolbench::compare
