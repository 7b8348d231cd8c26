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

// Why a row the strategy gate flags is flagged, e.g. "slower by +24.0%: strided_view as a whole
// changed by +22.1% (adjusted p = 0.0021, Holm over 7 strategies)".
std::string Note(const Row& row, const StrategyGate& gate, size_t strategies) {
  char text[256];
  std::snprintf(text, sizeof text,
                "%s by %+.1f%%: %s as a whole changed by %+.1f%% (adjusted p = %.2g, Holm over "
                "%zu strategies)",
                *row.ratio > 1 ? "slower" : "faster", (*row.ratio - 1) * 100, gate.strategy.c_str(),
                (gate.test.ratio - 1) * 100, gate.p_adjusted, strategies);
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
    row.note = Note(row, g, gates.size());
  }
  return gates;
}

}  // namespace poolbench::compare
