// The JSON of a comparison, for CI.
#include <algorithm>
#include <sstream>

#include "compare/format.hpp"
#include "render/comparison.hpp"
#include "report/markdown_cell.hpp"
#include "report/units.hpp"

namespace poolbench::render {

using namespace compare;  // the comparison's vocabulary: Change, Row, Side, Options...
using report::Json;

namespace {

// Verdicts as JSON values and keys: "still wrong" becomes "still_wrong".
std::string Key(Change v) {
  std::string s(ToString(v));
  std::replace(s.begin(), s.end(), ' ', '_');
  return s;
}

Json SideJson(const std::optional<Side>& side) {
  if (!side) return nullptr;
  Json j = {{"failed", side->failed}};
  if (side->failed) {
    j["error_message"] = side->error_message;
  } else {
    j["samples"] = side->samples_ns.size();
    j["median_ns"] = side->median_ns;
  }
  return j;
}

Json Differences(const std::vector<ContextDifference>& differences) {
  Json out = Json::array();
  for (const ContextDifference& d : differences) {
    out.push_back({{"field", d.field}, {"base", d.base}, {"new", d.head}});
  }
  return out;
}

}  // namespace

Json ComparisonJson(const Comparison& c) {
  Json out;
  out["base"] = {{"file", c.base_label}};
  out["new"] = {{"file", c.head_label}};
  for (const char* key : {report::ctx::kGitRevision, "date", "host_name"}) {
    if (c.base_context.facts.contains(key)) out["base"][key] = c.base_context.facts[key];
    if (c.head_context.facts.contains(key)) out["new"][key] = c.head_context.facts[key];
  }
  out["base"]["warnings"] = c.base_warnings;
  out["new"]["warnings"] = c.head_warnings;
  out["method"] = c.rounds > 0 ? "paired_rounds" : "u_test";
  if (c.rounds > 0) {
    out["rounds"] = c.rounds;
    out["noise_k"] = c.options.noise_k;
  }
  out["threshold"] = c.options.threshold;
  out["alpha"] = c.options.alpha;
  out["correction"] = ToString(c.options.correction);
  out["forced"] = c.options.force;
  out["min_repetitions_for_alpha"] = RepetitionsNeeded(c.options.alpha);
  out["context_differences"] = Differences(c.differences);
  out["settings_differences"] = Differences(c.settings_differences);
  out["unchecked_context_fields"] = c.unchecked;
  Json rows = Json::array();
  for (const Row& row : c.rows) {
    Json j = {{"run_name", row.run_name}, {"verdict", Key(row.change)}};
    if (!row.strategy.empty()) j["strategy"] = row.strategy;
    if (!row.descriptor.empty()) j["descriptor"] = row.descriptor;
    if (row.threads) j["threads"] = *row.threads;
    j["base"] = SideJson(row.base);
    j["new"] = SideJson(row.head);
    if (row.ratio) {
      j["ratio"] = *row.ratio;
      j["change"] = *row.ratio - 1;
      j["noise_floor"] = row.noise_floor;
    }
    if (row.test) {
      j["u"] = row.test->u;
      j["p_value"] = row.test->p_value;
      j["test"] = row.test->exact ? "exact" : "normal";
      j["decided_by"] = row.ratio_only ? "ratio" : "u_test";
    }
    if (row.paired) {
      j["rounds"] = row.paired->rounds;
      j["p_value"] = row.paired->p_value;
      j["spread"] = row.paired->spread;
      j["test"] = "paired_t";
      j["decided_by"] = row.ratio_only ? "ratio" : "paired_t";
    }
    if (row.p_adjusted) j["p_adjusted"] = *row.p_adjusted;
    if (!row.note.empty()) j["note"] = row.note;
    rows.push_back(std::move(j));
  }
  out["benchmarks"] = std::move(rows);
  Json per = Json::array();
  for (const StrategySummary& s : PerStrategy(c)) {
    per.push_back({{"strategy", s.strategy},
                   {"timed", s.timed},
                   {"regressions", s.regressions},
                   {"improvements", s.improvements},
                   {"wrong", s.wrong},
                   {"geomean_ratio", s.geomean_ratio}});
    if (const StrategyGate* g = c.Gate(s.strategy)) {
      per.back()["gate"] = {{"verdict", Key(g->change)},  {"benchmarks", g->benchmarks},
                            {"ratio", g->test.ratio},     {"spread", g->test.spread},
                            {"p_value", g->test.p_value}, {"p_adjusted", g->p_adjusted},
                            {"correction", "holm"},       {"noise_floor", g->noise_floor}};
    }
  }
  out["strategies"] = std::move(per);
  Json summary = Json::object();
  for (Change v : {Change::kRegression, Change::kWrong, Change::kImprovement, Change::kSame,
                   Change::kWithinNoise, Change::kDisturbed, Change::kAdded, Change::kRemoved,
                   Change::kFixed, Change::kStillWrong}) {
    summary[Key(v)] = c.Count(v);
  }
  out["summary"] = std::move(summary);
  out["failed"] = c.Failed();
  return out;
}

}  // namespace poolbench::render
