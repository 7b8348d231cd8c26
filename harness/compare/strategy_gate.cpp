#include "compare/strategy_gate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "compare/multiple_testing.hpp"

namespace poolbench::compare {
namespace {

std::string Name(const Row& row) { return row.strategy.empty() ? "(unnamed)" : row.strategy; }

// A row that counts towards its strategy's mean: tested on its own, and paired in every round.
bool Complete(const Row& row, size_t rounds) {
  return row.ratio && !row.ratio_only && row.round_log_ratios.size() == rounds &&
         std::all_of(row.round_log_ratios.begin(), row.round_log_ratios.end(),
                     [](const std::optional<double>& d) { return d.has_value(); });
}

// Why a row the strategy gate flags is flagged, short since many rows repeat it; the strategy
// table gives the strategy's p-value and floor: "with its strategy: +22.1% as a whole".
std::string Note(const StrategyGate& gate) {
  char text[96];
  std::snprintf(text, sizeof text, "with its strategy: %+.1f%% as a whole",
                (gate.test.ratio - 1) * 100);
  return text;
}

}  // namespace

std::vector<StrategyGate> GateStrategies(std::vector<Row>& rows, const Options& options,
                                         size_t rounds) {
  std::map<std::string, std::vector<double>> sums;  // per strategy, the sum of each round
  std::map<std::string, size_t> counts;
  for (const Row& row : rows) {
    if (!Complete(row, rounds)) continue;
    std::vector<double>& sum = sums[Name(row)];
    sum.resize(rounds);
    for (size_t r = 0; r < rounds; ++r) sum[r] += *row.round_log_ratios[r];
    ++counts[Name(row)];
  }
  std::vector<StrategyGate> gates;
  std::vector<double> p;
  for (auto& [strategy, sum] : sums) {
    StrategyGate g;
    g.strategy = strategy;
    g.benchmarks = counts[strategy];
    for (double& s : sum) s /= static_cast<double>(g.benchmarks);
    g.test = LogRatioTest(sum);
    g.noise_floor = std::max(options.threshold, std::expm1(options.noise_k * g.test.spread));
    p.push_back(g.test.p_value);
    gates.push_back(std::move(g));
  }
  const std::vector<double> adjusted = Adjust(p, Correction::kHolm);
  std::map<std::string, const StrategyGate*> changed;
  for (size_t i = 0; i < gates.size(); ++i) {
    StrategyGate& g = gates[i];
    g.p_adjusted = adjusted[i];
    const double r = g.test.ratio;
    if (g.p_adjusted >= options.alpha) continue;
    if (r > 1 + g.noise_floor) g.change = Change::kRegression;
    if (r < 1 - g.noise_floor) g.change = Change::kImprovement;
    if (g.change != Change::kSame) changed[g.strategy] = &g;
  }
  for (Row& row : rows) {
    auto it = changed.find(Name(row));
    if (it == changed.end() || !row.ratio) continue;
    if (row.change != Change::kSame && row.change != Change::kWithinNoise) continue;
    const StrategyGate& g = *it->second;
    const bool beyond = g.change == Change::kRegression ? *row.ratio > 1 + options.threshold
                                                        : *row.ratio < 1 - options.threshold;
    if (!beyond) continue;
    row.change = g.change;
    row.note = Note(g);
  }
  return gates;
}

}  // namespace poolbench::compare
