// CompareRounds and the Markdown every comparison shares: paired rounds, the noise floor, the
// correction across rows, settings that differ, warnings, and the summary first.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "compare/compare.hpp"
#include "render/comparison.hpp"
#include "support/report_fixtures.hpp"
#include "support/report_model.hpp"

namespace poolbench::compare {
namespace {

using report::Json;

// The reports of these tests are built as JSON; compare reads them as the model, as every
// command does after report::Read.
Comparison Compare(const Json& base, const Json& head, const Options& options,
                   const std::string& base_label = "BASE", const std::string& head_label = "NEW") {
  return compare::Compare(testing::Model(base), testing::Model(head), options, base_label,
                          head_label);
}
Comparison CompareRounds(const std::vector<Json>& base, const std::vector<Json>& head,
                         const Options& options) {
  std::vector<report::Run> b, h;
  for (const Json& r : base) b.push_back(testing::Model(r));
  for (const Json& r : head) h.push_back(testing::Model(r));
  return compare::CompareRounds(b, h, options);
}
std::string ToMarkdown(const Comparison& c) { return render::ComparisonMarkdown(c); }
Json ToJson(const Comparison& c) { return render::ComparisonJson(c); }
using testing::kDescriptor;
using testing::Report;

// Two repetitions of a benchmark around `ns`.
void Add(Json& report, const std::string& strategy, double ns) {
  const std::string name = strategy + "/" + kDescriptor + "/threads:1";
  for (double t : {ns * 0.999, ns * 1.001}) {
    report["benchmarks"].push_back({{"name", name},
                                    {"run_name", name},
                                    {"run_type", "iteration"},
                                    {"threads", 1},
                                    {"real_time", t},
                                    {"cpu_time", t},
                                    {"time_unit", "ns"},
                                    {"strategy", strategy},
                                    {"descriptor", kDescriptor},
                                    {"verdict", "pass"}});
  }
}

// Rounds in which the whole machine drifts (round factor), the same on both sides of a round.
struct Rounds {
  std::vector<Json> base, head;
  explicit Rounds(size_t n) : base(n, Report()), head(n, Report()) {}
  // Times of a strategy per round: base `ns` x drift, new `ns` x drift x ratio[r].
  void Add(const std::string& strategy, double ns, const std::vector<double>& ratio) {
    for (size_t r = 0; r < base.size(); ++r) {
      const double drift = 1 + 0.3 * static_cast<double>(r % 3);
      compare::Add(base[r], strategy, ns * drift);
      compare::Add(head[r], strategy, ns * drift * ratio[r]);
    }
  }
};

const Row& Find(const Comparison& c, const std::string& strategy) {
  for (const Row& r : c.rows) {
    if (r.strategy == strategy) return r;
  }
  throw std::runtime_error("no row for " + strategy);
}

// Six rounds: `slowed` 25% slower with a little jitter, `steady` unchanged with a little
// jitter, `noisy` swinging by +-35% from round to round around +12%.
Rounds Typical() {
  Rounds r(6);
  r.Add("slowed", 1000, {1.24, 1.26, 1.25, 1.23, 1.27, 1.25});
  r.Add("steady", 5000, {1.01, 0.99, 1.0, 1.02, 0.98, 1.0});
  r.Add("noisy", 3000, {1.55, 0.82, 1.5, 0.87, 1.45, 0.92});
  return r;
}

TEST(CompareRounds, FlagsARealSlowdownDespiteDriftOfTheMachine) {
  const Rounds r = Typical();
  const Comparison c = CompareRounds(r.base, r.head, {.threshold = 0.1});
  EXPECT_EQ(c.rounds, 6u);
  const Row& slowed = Find(c, "slowed");
  EXPECT_EQ(slowed.change, Change::kRegression) << slowed.note;
  ASSERT_TRUE(slowed.paired);
  EXPECT_NEAR(*slowed.ratio, 1.25, 0.01);
  ASSERT_TRUE(slowed.p_adjusted);
  EXPECT_LT(*slowed.p_adjusted, 0.05);
  EXPECT_GE(*slowed.p_adjusted, slowed.paired->p_value);
  EXPECT_EQ(Find(c, "steady").change, Change::kSame);
  EXPECT_TRUE(c.Failed());
  // Each side's median is the median of its round medians, and every repetition is a sample.
  EXPECT_EQ(slowed.base->samples_ns.size(), 12u);
}

TEST(CompareRounds, AChangeWithinTheRoundToRoundNoiseIsNotARegression) {
  const Rounds r = Typical();
  const Comparison c = CompareRounds(r.base, r.head, {.threshold = 0.1});
  const Row& noisy = Find(c, "noisy");
  ASSERT_TRUE(noisy.ratio);
  EXPECT_GT(*noisy.ratio, 1.1);                   // beyond the threshold ...
  EXPECT_EQ(noisy.change, Change::kWithinNoise);  // ... but not beyond 2 x its spread
  EXPECT_GT(noisy.noise_floor, 0.5);
  EXPECT_NE(noisy.note.find("within the noise floor"), std::string::npos) << noisy.note;
  // Without the floor the same row would be judged by its test alone.
  const Comparison no_floor = CompareRounds(r.base, r.head, {.threshold = 0.1, .noise_k = 0});
  EXPECT_NE(Find(no_floor, "noisy").change, Change::kWithinNoise);
  EXPECT_EQ(Find(no_floor, "noisy").noise_floor, 0.1);
}

TEST(CompareRounds, TheCorrectionAcrossRowsCanTurnASignificantRowIntoSame) {
  // Three rounds at +20% with a spread that gives p a little below 0.05 alone; 40 unchanged
  // rows beside it make Holm demand 40 times less.
  Rounds r(3);
  r.Add("slowed", 1000, {1.15, 1.2, 1.25});
  for (int i = 0; i < 40; ++i) r.Add("same" + std::to_string(i), 1000, {1.0, 1.0, 1.0});
  const Comparison none = CompareRounds(
      r.base, r.head, {.threshold = 0.1, .correction = Correction::kNone, .noise_k = 0});
  ASSERT_LT(Find(none, "slowed").paired->p_value, 0.05);
  EXPECT_EQ(Find(none, "slowed").change, Change::kRegression);
  const Comparison holm = CompareRounds(
      r.base, r.head, {.threshold = 0.1, .correction = Correction::kHolm, .noise_k = 0});
  EXPECT_EQ(Find(holm, "slowed").change, Change::kSame);
  EXPECT_NE(Find(holm, "slowed").note.find("adjusted p"), std::string::npos);
}

TEST(CompareRounds, RefusesUnequalOrTooFewRounds) {
  const Rounds r = Typical();
  EXPECT_THROW(CompareRounds({r.base[0]}, {r.head[0]}, {}), std::invalid_argument);
  EXPECT_THROW(CompareRounds(r.base, {r.head[0], r.head[1]}, {}), std::invalid_argument);
}

TEST(CompareRounds, AWrongRoundMakesTheBenchmarkWrong) {
  Rounds r(2);
  r.Add("steady", 1000, {1, 1});
  testing::AddWrong(r.head[1], "lookup_table");
  compare::Add(r.base[0], "lookup_table", 100);
  compare::Add(r.base[1], "lookup_table", 100);
  compare::Add(r.head[0], "lookup_table", 100);
  const Comparison c = CompareRounds(r.base, r.head, {});
  EXPECT_EQ(Find(c, "lookup_table").change, Change::kWrong);
  EXPECT_TRUE(c.Failed());
}

TEST(CompareMarkdown, SummaryAndStrategiesComeFirstAndOnlyChangedRowsAreListed) {
  const Rounds r = Typical();
  const Comparison c = CompareRounds(r.base, r.head, {.threshold = 0.1});
  const std::string md = ToMarkdown(c);
  const size_t summary = md.find(
      "**Summary:** 1 regression, 0 wrong results, 0 improvements, "
      "1 same, 1 within noise");
  ASSERT_NE(summary, std::string::npos) << md;
  EXPECT_NE(md.find("## poolbench ab: FAIL"), std::string::npos) << md;
  const size_t strategies = md.find("| strategy | timed | regressions |");
  ASSERT_NE(strategies, std::string::npos) << md;
  EXPECT_NE(md.find("| slowed | 1 | 1 | 0 | 0 | +25.0% |"), std::string::npos) << md;
  const size_t method = md.find("Benjamini-Hochberg");
  const size_t table = md.find("| benchmark |");
  EXPECT_LT(summary, strategies);
  EXPECT_LT(strategies, method);
  EXPECT_LT(method, table);
  EXPECT_NE(md.find("### 1 of 3 benchmarks changed"), std::string::npos) << md;
  EXPECT_NE(md.find("`slowed/"), std::string::npos);
  EXPECT_EQ(md.find("`steady/"), std::string::npos) << md;
  EXPECT_EQ(md.find("`noisy/"), std::string::npos) << md;

  const Comparison all = CompareRounds(r.base, r.head, {.threshold = 0.1, .all_rows = true});
  const std::string every = ToMarkdown(all);
  EXPECT_NE(every.find("### All 3 benchmarks"), std::string::npos) << every;
  EXPECT_NE(every.find("`steady/"), std::string::npos);
  EXPECT_NE(every.find("| within noise (slower by "), std::string::npos) << every;
}

TEST(CompareMarkdown, NoChangeSaysPassAndListsNoRows) {
  Rounds r(3);
  r.Add("steady", 1000, {1, 1.01, 0.99});
  const std::string md = ToMarkdown(CompareRounds(r.base, r.head, {}));
  EXPECT_NE(md.find("## poolbench ab: pass"), std::string::npos) << md;
  EXPECT_NE(md.find("### 0 of 1 benchmarks changed"), std::string::npos) << md;
  EXPECT_EQ(md.find("| benchmark |"), std::string::npos) << md;
}

TEST(CompareSettings, DifferentSettingsAndPluginFilesAreNotedNotRefused) {
  Json base = Report(), head = Report();
  Add(base, "steady", 100);
  Add(head, "steady", 100);
  base["context"]["bench_settings"] = {{"suite", "seeds"}, {"min_time", 0.05}, {"seed", 1}};
  head["context"]["bench_settings"] = {{"suite", "seeds"}, {"min_time", 0.1}, {"seed", 1}};
  base["context"]["strategy_origins"] = {
      {"p", {{"origin", "plugin"}, {"path", "p.so"}, {"sha256", "aa"}}}};
  head["context"]["strategy_origins"] = {
      {"p", {{"origin", "plugin"}, {"path", "p.so"}, {"sha256", "bb"}}}};
  const Comparison c = Compare(base, head, {});
  ASSERT_EQ(c.settings_differences.size(), 2u);
  EXPECT_EQ(c.settings_differences[0].field, "min_time");
  EXPECT_EQ(c.settings_differences[1].field, "origin of p");
  const std::string md = ToMarkdown(c);
  EXPECT_NE(md.find("**Settings differ between base and new:**"), std::string::npos) << md;
  EXPECT_NE(md.find("`min_time`: base 0.05, new 0.1"), std::string::npos) << md;
  EXPECT_EQ(ToJson(c)["settings_differences"].size(), 2u);
}

TEST(CompareSettings, WarningsOfEachSideAreShownAndCountedOverRounds) {
  Rounds r(2);
  r.Add("steady", 1000, {1, 1});
  r.head[0]["context"]["load_avg"] = {3.5, 2, 1};
  r.head[1]["context"]["load_avg"] = {4.0, 2, 1};
  const Comparison c = CompareRounds(r.base, r.head, {});
  EXPECT_TRUE(c.base_warnings.empty());
  ASSERT_EQ(c.head_warnings.size(), 1u);
  EXPECT_NE(c.head_warnings[0].find("machine loaded"), std::string::npos);
  EXPECT_NE(c.head_warnings[0].find("in 2 of 2 runs"), std::string::npos) << c.head_warnings[0];
  EXPECT_NE(ToMarkdown(c).find("> - new: machine loaded"), std::string::npos);
}

}  // namespace
}  // namespace poolbench::compare
