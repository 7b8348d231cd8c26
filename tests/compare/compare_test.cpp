#include "compare/compare.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

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
std::string ToMarkdown(const Comparison& c) { return render::ComparisonMarkdown(c); }
Json ToJson(const Comparison& c) { return render::ComparisonJson(c); }
std::string SummaryLine(const Comparison& c) { return render::SummaryLine(c); }

using testing::AddWrong;
using testing::kDescriptor;
using testing::Report;

// The iteration entries of one benchmark, one per sample (times in ns), plus a mean aggregate
// that compare must ignore.
void AddBenchmark(Json& report, const std::string& strategy, const std::vector<double>& ns,
                  const std::string& unit = "ns") {
  const std::string name = strategy + "/" + kDescriptor + "/threads:1";
  const double scale = unit == "us" ? 1e-3 : 1.0;
  for (size_t i = 0; i < ns.size(); ++i) {
    report["benchmarks"].push_back({{"name", name},
                                    {"run_name", name},
                                    {"run_type", "iteration"},
                                    {"repetitions", ns.size()},
                                    {"repetition_index", i},
                                    {"threads", 1},
                                    {"real_time", ns[i] * scale},
                                    {"cpu_time", ns[i] * scale},
                                    {"time_unit", unit},
                                    {"strategy", strategy},
                                    {"descriptor", kDescriptor},
                                    {"verdict", "pass"}});
  }
  report["benchmarks"].push_back({{"name", name + "_mean"},
                                  {"run_name", name},
                                  {"run_type", "aggregate"},
                                  {"aggregate_name", "mean"},
                                  {"real_time", 1e9},
                                  {"cpu_time", 1e9},
                                  {"time_unit", "ns"}});
}

std::vector<double> Samples(size_t n, double center) {
  // Evenly spread around the center (+-1.8% for 10 samples), so that the median is the center.
  std::vector<double> out;
  for (size_t i = 0; i < n; ++i) out.push_back(center * (1 + 0.004 * (i - (n - 1) / 2.0)));
  return out;
}

const Row& Find(const Comparison& c, const std::string& strategy) {
  for (const Row& r : c.rows) {
    if (r.strategy == strategy) return r;
  }
  throw std::runtime_error("no row for " + strategy);
}

// lookup_table 30% slower in the new report, over 10 repetitions on each side, and `other`
// unchanged at `other_ns`; compared with the default options.
Comparison ThirtyPercentSlower(const std::string& other, double other_ns) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "lookup_table", Samples(10, 1000));
  AddBenchmark(head, "lookup_table", Samples(10, 1300));
  AddBenchmark(base, other, Samples(10, other_ns));
  AddBenchmark(head, other, Samples(10, other_ns));
  return Compare(base, head, {});
}

TEST(Compare, ThirtyPercentSlowerWithTenRepetitionsIsARegression) {
  const Comparison c = ThirtyPercentSlower("naive_loops", 5000);
  ASSERT_EQ(c.rows.size(), 2u);
  const Row& slow = Find(c, "lookup_table");
  EXPECT_EQ(slow.change, Change::kRegression);
  EXPECT_NEAR(*slow.ratio, 1.3, 1e-9);
  EXPECT_FALSE(slow.ratio_only);
  EXPECT_LT(slow.test->p_value, 1e-4);           // the samples do not overlap: p = 2 / C(20, 10)
  EXPECT_EQ(slow.base->samples_ns.size(), 10u);  // the aggregate is not a sample
  EXPECT_EQ(Find(c, "naive_loops").change, Change::kSame);
  EXPECT_TRUE(c.Failed());
  EXPECT_EQ(c.Count(Change::kRegression), 1u);
  EXPECT_EQ(SummaryLine(c),
            "1 regression, 0 wrong results, 0 improvements, 1 same, 0 added, 0 removed");
}

TEST(Compare, APartialReportIsRefusedUnlessForcedAndThenSaysSo) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "lookup_table", Samples(10, 1000));
  AddBenchmark(head, "lookup_table", Samples(10, 1000));
  head["context"][report::ctx::kIncomplete] = {{"signal", "SIGINT"},
                                               {"entries", 10},
                                               {"problems_done", 3},
                                               {"problems", 24},
                                               {"journal", "new.json.journal"}};
  try {
    Compare(base, head, {}, "base.json", "new.json");
    FAIL() << "a partial report was compared";
  } catch (const report::ReportError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("new.json is the partial report of an interrupted bench (3 of 24"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("--resume"), std::string::npos) << what;
  }
  const Comparison forced = Compare(base, head, {.force = true});
  ASSERT_FALSE(forced.head_warnings.empty());
  EXPECT_NE(forced.head_warnings[0].find("incomplete"), std::string::npos);
  EXPECT_NE(ToMarkdown(forced).find("new: incomplete: the partial report"), std::string::npos);
}

TEST(Compare, IdenticalDistributionsAreTheSame) {
  Json base = Report(), head = Report();
  std::vector<double> samples = Samples(10, 1000);
  AddBenchmark(base, "lookup_table", samples);
  std::reverse(samples.begin(), samples.end());
  AddBenchmark(head, "lookup_table", samples);
  const Comparison c = Compare(base, head, {});
  EXPECT_EQ(c.rows.at(0).change, Change::kSame);
  EXPECT_DOUBLE_EQ(*c.rows.at(0).ratio, 1.0);
  EXPECT_DOUBLE_EQ(c.rows.at(0).test->p_value, 1.0);
  EXPECT_FALSE(c.Failed());
}

TEST(Compare, FasterIsAnImprovementAndDoesNotFail) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "lookup_table", Samples(10, 1000));
  AddBenchmark(head, "lookup_table", Samples(10, 700));
  const Comparison c = Compare(base, head, {});
  EXPECT_EQ(c.rows.at(0).change, Change::kImprovement);
  EXPECT_FALSE(c.Failed());
}

TEST(Compare, UnitsAreConverted) {
  Json base = Report(), head = Report();
  // The same times written in microseconds and in nanoseconds.
  AddBenchmark(base, "lookup_table", Samples(5, 1000), "us");
  AddBenchmark(head, "lookup_table", Samples(5, 1000), "ns");
  ASSERT_EQ(base["benchmarks"][0]["time_unit"], "us");
  const Comparison c = Compare(base, head, {});
  const Row& r = c.rows.at(0);
  EXPECT_NEAR(*r.ratio, 1.0, 1e-12);
  EXPECT_EQ(r.change, Change::kSame);
}

TEST(Compare, TooFewRepetitionsAreDecidedByTheRatioAloneAndSaySo) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "lookup_table", Samples(3, 1000));
  AddBenchmark(head, "lookup_table", Samples(3, 1300));
  AddBenchmark(base, "naive_loops", Samples(1, 1000));  // bench's default: one repetition
  AddBenchmark(head, "naive_loops", Samples(1, 1010));
  const Comparison c = Compare(base, head, {});
  const Row& r = Find(c, "lookup_table");
  EXPECT_TRUE(r.ratio_only);
  EXPECT_DOUBLE_EQ(r.test->p_value, 0.1);
  EXPECT_EQ(r.change, Change::kRegression);
  EXPECT_NE(r.note.find("by ratio alone: 3 vs 3 samples cannot reach p < 0.05"), std::string::npos)
      << r.note;
  // A row that stays the same untested says so too.
  const Row& single = Find(c, "naive_loops");
  EXPECT_TRUE(single.ratio_only);
  EXPECT_EQ(single.change, Change::kSame);
  EXPECT_NE(single.note.find("by ratio alone: 1 vs 1 samples"), std::string::npos);
  const std::string md = ToMarkdown(c);
  EXPECT_NE(md.find("by ratio alone"), std::string::npos) << md;
  EXPECT_NE(md.find("0.1 for 3 vs 3"), std::string::npos) << md;
  EXPECT_NE(md.find("at least 4 repetitions"), std::string::npos) << md;
}

TEST(Compare, AChangeBeyondTheThresholdWithoutSignificanceIsTheSame) {
  // Medians 104.5 and 110.5 (+5.7%), but the samples overlap: U = 60 of 100, p = 0.48.
  std::vector<double> base_ns, head_ns = {90, 91, 92, 93, 110, 111, 112, 113, 114, 115};
  for (int i = 100; i < 110; ++i) base_ns.push_back(i);
  Json base = Report(), head = Report();
  AddBenchmark(base, "lookup_table", base_ns);
  AddBenchmark(head, "lookup_table", head_ns);
  const Comparison c = Compare(base, head, {});
  const Row& r = c.rows.at(0);
  EXPECT_GT(*r.ratio, 1.05);
  // scipy.stats.mannwhitneyu(head, base, method='exact') (SciPy 1.10.1): U = 60, p = 0.48125.
  EXPECT_EQ(r.test->u, 60);
  EXPECT_NEAR(r.test->p_value, 0.48125094719521977, 1e-12);
  EXPECT_EQ(r.change, Change::kSame);
  EXPECT_NE(r.note.find("slower by more than 5%"), std::string::npos) << r.note;
  // A larger threshold does not call it anything either, and alpha 0.5 makes it significant.
  EXPECT_TRUE(Compare(base, head, {.threshold = 0.1}).rows.at(0).note.empty());
  EXPECT_EQ(Compare(base, head, {.alpha = 0.5}).rows.at(0).change, Change::kRegression);
}

TEST(Compare, AddedAndRemoved) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "old_one", Samples(5, 1000));
  AddBenchmark(head, "new_one", Samples(5, 1000));
  AddBenchmark(base, "kept", Samples(5, 1000));
  AddBenchmark(head, "kept", Samples(5, 1000));
  const Comparison c = Compare(base, head, {});
  EXPECT_EQ(Find(c, "old_one").change, Change::kRemoved);
  EXPECT_EQ(Find(c, "new_one").change, Change::kAdded);
  EXPECT_FALSE(c.Failed());
}

TEST(Compare, AWrongResultInNewFailsLikeARegression) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "naive_loops", Samples(5, 1000));
  AddBenchmark(head, "naive_loops", Samples(5, 1000));
  AddBenchmark(base, "broken", Samples(5, 1000));
  AddWrong(head, "broken");
  const Comparison c = Compare(base, head, {});
  const Row& r = Find(c, "broken");
  EXPECT_EQ(r.change, Change::kWrong);
  EXPECT_FALSE(r.ratio);  // a wrong strategy's time is never compared
  EXPECT_NE(r.note.find("3 of 16 elements differ"), std::string::npos);
  EXPECT_TRUE(c.Failed());
  EXPECT_EQ(c.rows.at(0).strategy, "broken");  // failures are listed first
  EXPECT_NE(ToMarkdown(c).find("**wrong**"), std::string::npos);
}

TEST(Compare, WrongInBothIsStillWrongAndWrongOnlyInBaseIsFixed) {
  Json base = Report(), head = Report();
  AddWrong(base, "both");
  AddWrong(head, "both");
  AddWrong(base, "repaired");
  AddBenchmark(head, "repaired", Samples(5, 1000));
  AddWrong(head, "new_and_wrong");
  const Comparison c = Compare(base, head, {});
  EXPECT_EQ(Find(c, "both").change, Change::kStillWrong);
  EXPECT_EQ(Find(c, "repaired").change, Change::kFixed);
  // A new benchmark that is wrong fails: the change brings in a wrong result.
  EXPECT_EQ(Find(c, "new_and_wrong").change, Change::kWrong);
  EXPECT_TRUE(c.Failed());
  EXPECT_EQ(SummaryLine(c),
            "0 regressions, 1 wrong result, 0 improvements, 0 same, 0 added, 0 removed, 1 fixed, "
            "1 still wrong");
}

TEST(Compare, RefusesDifferentMachinesOrBuildsNamingEveryField) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "lookup_table", Samples(5, 1000));
  AddBenchmark(head, "lookup_table", Samples(5, 1000));
  head["context"]["compiler"] = "Clang 16.0.6";
  head["context"]["num_cpus"] = 8;
  head["context"].erase("build_type");
  try {
    Compare(base, head, {}, "base.json", "new.json");
    FAIL() << "different compilers were compared";
  } catch (const IncompatibleReports& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("base.json and new.json"), std::string::npos) << what;
    EXPECT_NE(what.find("compiler: base \"GNU 12.2.0\", new \"Clang 16.0.6\""), std::string::npos)
        << what;
    EXPECT_NE(what.find("num_cpus: base 2, new 8"), std::string::npos) << what;
    EXPECT_NE(what.find("build_type: base \"Release\", new null"), std::string::npos) << what;
    EXPECT_EQ(what.find("machine:"), std::string::npos) << what;
    EXPECT_NE(what.find("--force"), std::string::npos) << what;
  }
  const Comparison c = Compare(base, head, {.force = true});
  EXPECT_EQ(c.differences.size(), 3u);
  const std::string md = ToMarkdown(c);
  EXPECT_LT(md.find("**Warning:**"), md.find("| benchmark |")) << md;
  EXPECT_NE(md.find("`compiler`: base \"GNU 12.2.0\", new \"Clang 16.0.6\""), std::string::npos);
  EXPECT_EQ(ToJson(c)["context_differences"].size(), 3u);
}

TEST(Compare, HostDateAndRevisionMayDiffer) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "lookup_table", Samples(5, 1000));
  AddBenchmark(head, "lookup_table", Samples(5, 1000));
  head["context"]["host_name"] = "ci-2";
  head["context"]["date"] = "2026-11-23T00:00:00+00:00";
  head["context"]["git_revision"] = "0123456";
  const Comparison c = Compare(base, head, {});
  EXPECT_TRUE(c.differences.empty());
  EXPECT_TRUE(c.unchecked.empty());
}

TEST(Compare, RefusesReportsWithNothingToCompare) {
  Json timed = Report();
  AddBenchmark(timed, "lookup_table", Samples(5, 1000));
  Json aggregates_only = Report();
  aggregates_only["benchmarks"].push_back(timed["benchmarks"].back());
  EXPECT_THROW(Compare(timed, Report(), {}), report::ReportError);
  try {
    Compare(timed, aggregates_only, {});
    FAIL();
  } catch (const report::ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("only aggregates"), std::string::npos) << e.what();
  }
}

// Every row "added" or "removed" would pass without a single time compared.
TEST(Compare, RefusesReportsWithNoBenchmarkInCommon) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "old_one", Samples(5, 1000));
  AddBenchmark(head, "new_one", Samples(5, 1000));
  try {
    Compare(base, head, {}, "a.json", "b.json");
    FAIL() << "two reports with nothing in common were compared";
  } catch (const report::ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("a.json and b.json have no benchmark in common"),
              std::string::npos)
        << e.what();
  }
}

TEST(Compare, RefusesOptionsOutOfRange) {
  Json r = Report();
  AddBenchmark(r, "lookup_table", Samples(5, 1000));
  EXPECT_THROW(Compare(r, r, {.threshold = -0.1}), std::invalid_argument);
  EXPECT_THROW(Compare(r, r, {.threshold = NAN}), std::invalid_argument);
  EXPECT_THROW(Compare(r, r, {.alpha = 0}), std::invalid_argument);
  EXPECT_THROW(Compare(r, r, {.alpha = 1}), std::invalid_argument);
}

TEST(Compare, MarkdownTableAndJson) {
  const Comparison c = ThirtyPercentSlower("a|b", 2e6);
  Comparison all = c;
  all.options.all_rows = true;
  const std::string md = ToMarkdown(all);
  // The U test's p = 1.1e-05, and Benjamini-Hochberg over the 2 rows doubles the smallest.
  EXPECT_NE(md.find("| `lookup_table/max:fwd:f32:nchw:1x64x112x112:k3x3:s2x2:p1x1/threads:1` | "
                    "10 / 10 | 1.00 µs | 1.30 µs | +30.0% | ±5.0% | 1.1e-05 | 2.2e-05 | "
                    "**regression** |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("`a\\|b/max"), std::string::npos) << md;  // '|' would split the cell
  EXPECT_NE(md.find("| 2.00 ms | 2.00 ms | +0.0% |"), std::string::npos) << md;
  // Without all_rows only the changed row is listed.
  EXPECT_EQ(ToMarkdown(c).find("| 2.00 ms | 2.00 ms | +0.0% |"), std::string::npos);
  EXPECT_NE(md.find("**Summary:** 1 regression, 0 wrong results, 0 improvements, 1 same"),
            std::string::npos)
      << md;

  const Json j = ToJson(c);
  EXPECT_EQ(j["threshold"], 0.05);
  EXPECT_EQ(j["alpha"], 0.05);
  EXPECT_EQ(j["correction"], "bh");
  EXPECT_EQ(j["method"], "u_test");
  EXPECT_EQ(j["failed"], true);
  EXPECT_EQ(j["summary"]["regression"], 1);
  EXPECT_EQ(j["summary"]["same"], 1);
  EXPECT_EQ(j["summary"]["still_wrong"], 0);
  ASSERT_EQ(j["benchmarks"].size(), 2u);
  const Json& row = j["benchmarks"][0];
  EXPECT_EQ(row["verdict"], "regression");
  EXPECT_EQ(row["strategy"], "lookup_table");
  EXPECT_EQ(row["base"]["samples"], 10);
  EXPECT_NEAR(row["change"].get<double>(), 0.3, 1e-9);
  EXPECT_EQ(row["test"], "exact");
  EXPECT_EQ(row["decided_by"], "u_test");
  EXPECT_EQ(j["base"]["git_revision"], "59af938");
}

}  // namespace
}  // namespace poolbench::compare
