// End-to-end tests of `poolbench compare` through the real executable: exit statuses, messages
// and output files, on reports built here and on reports written by `poolbench bench`.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/report_fixtures.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

using testing::CliResult;
using testing::RunPoolbench;
using testing::Slurp;

using testing::AddWrong;
using testing::Context;
using testing::kDescriptor;
using testing::Report;

// `repetitions` iteration entries of one benchmark around `center_us`, spread +-2%.
void AddBenchmark(Json& report, const std::string& strategy, int repetitions, double center_us) {
  const std::string name = strategy + "/" + kDescriptor + "/threads:1";
  for (int i = 0; i < repetitions; ++i) {
    const double t = center_us * (1 + 0.02 * std::sin(1.3 * i));
    report["benchmarks"].push_back({{"name", name},
                                    {"run_name", name},
                                    {"run_type", "iteration"},
                                    {"repetitions", repetitions},
                                    {"repetition_index", i},
                                    {"threads", 1},
                                    {"iterations", 100},
                                    {"real_time", t},
                                    {"cpu_time", t},
                                    {"time_unit", "us"},
                                    {"strategy", strategy},
                                    {"descriptor", kDescriptor},
                                    {"verdict", "pass"}});
  }
}

class CompareCliTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Path(name); }

  std::string Write(const std::string& name, const Json& report) const {
    return dir_.Write(name, report.dump(1));
  }

  // A base report and a new one in which lookup_table is `slowdown` times slower.
  void WritePair(double slowdown, int repetitions = 10) {
    Json base = Report(), head = Report();
    AddBenchmark(base, "lookup_table", repetitions, 100);
    AddBenchmark(head, "lookup_table", repetitions, 100 * slowdown);
    AddBenchmark(base, "naive_loops", repetitions, 900);
    AddBenchmark(head, "naive_loops", repetitions, 900);
    base_ = Write("base.json", base);
    head_ = Write("new.json", head);
  }

  testing::TempDir dir_{"poolbench_compare_cli"};
  std::string base_, head_;
};

TEST_F(CompareCliTest, ThirtyPercentSlowerIsARegressionAndExitsOne) {
  WritePair(1.3);
  const CliResult r = RunPoolbench({"compare", base_, head_});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("| **regression** |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+30.0%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("**Summary:** 1 regression, 0 wrong results, 0 improvements, 1 same"),
            std::string::npos)
      << r.out;
}

TEST_F(CompareCliTest, IdenticalDistributionsExitZero) {
  WritePair(1.0);
  const CliResult r = RunPoolbench({"compare", base_, head_});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0 regressions, 0 wrong results, 0 improvements, 2 same"), std::string::npos)
      << r.out;
}

TEST_F(CompareCliTest, ThresholdDecidesWhatCounts) {
  WritePair(1.3);
  EXPECT_EQ(RunPoolbench({"compare", "--threshold", "0.5", base_, head_}).status, 0);
}

TEST_F(CompareCliTest, DifferentCompilerIsRefusedUnlessForced) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "lookup_table", 10, 100);
  AddBenchmark(head, "lookup_table", 10, 100);
  head["context"]["compiler"] = "Clang 16.0.6";
  head["context"]["host_name"] = "ci-2";  // allowed to differ
  const std::string b = Write("base.json", base), h = Write("new.json", head);

  const CliResult refused = RunPoolbench({"compare", b, h});
  EXPECT_EQ(refused.status, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("compiler: base \"GNU 12.2.0\", new \"Clang 16.0.6\""),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(refused.err.find("host_name"), std::string::npos) << refused.err;
  EXPECT_TRUE(refused.out.empty()) << refused.out;

  const CliResult forced = RunPoolbench({"compare", "--force", b, h});
  EXPECT_EQ(forced.status, 0) << forced.out << forced.err;
  EXPECT_NE(forced.out.find("**Warning:**"), std::string::npos) << forced.out;
  EXPECT_NE(forced.out.find("`compiler`"), std::string::npos) << forced.out;

  AddBenchmark(base, "naive_loops", 10, 100);
  AddBenchmark(head, "naive_loops", 10, 130);
  Write("base.json", base);
  Write("new.json", head);
  EXPECT_EQ(RunPoolbench({"compare", "--force", b, h}).status, 1);
}

TEST_F(CompareCliTest, BadInputExitsTwoWithAClearMessage) {
  WritePair(1.0);
  std::ofstream(Path("broken.json")) << "{\"context\": {}, \"benchmarks\": [";
  const CliResult bad_json = RunPoolbench({"compare", base_, Path("broken.json")});
  EXPECT_EQ(bad_json.status, 2);
  EXPECT_NE(bad_json.err.find(Path("broken.json") + ": not valid JSON"), std::string::npos)
      << bad_json.err;

  const CliResult missing = RunPoolbench({"compare", Path("nowhere.json"), head_});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find(Path("nowhere.json") + ": cannot open report"), std::string::npos)
      << missing.err;

  Write("no_benchmarks.json", Json{{"context", Context()}});
  const CliResult structure = RunPoolbench({"compare", base_, Path("no_benchmarks.json")});
  EXPECT_EQ(structure.status, 2);
  EXPECT_NE(structure.err.find("Missing required property 'benchmarks'"), std::string::npos)
      << structure.err;

  EXPECT_EQ(RunPoolbench({"compare", "--alpha", "0", base_, head_}).status, 2);
  EXPECT_EQ(RunPoolbench({"compare", "--threshold", "-1", base_, head_}).status, 2);
  EXPECT_EQ(RunPoolbench({"compare", base_}).status, 2);
}

TEST_F(CompareCliTest, AFailVerdictInNewExitsOne) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "lookup_table", 10, 100);
  AddWrong(head, "lookup_table");
  AddBenchmark(base, "naive_loops", 10, 900);
  AddBenchmark(head, "naive_loops", 10, 900);
  const CliResult r = RunPoolbench({"compare", Write("base.json", base), Write("new.json", head)});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("**wrong** (wrong result: values: 3 of 16 elements differ)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("0 regressions, 1 wrong result,"), std::string::npos) << r.out;
}

TEST_F(CompareCliTest, WritesMarkdownAndJsonFiles) {
  WritePair(1.3);
  const CliResult r = RunPoolbench(
      {"compare", base_, head_, "--markdown", Path("out.md"), "--json", Path("out.json")});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(Slurp(Path("out.md")), r.out);
  const Json j = Json::parse(Slurp(Path("out.json")));
  EXPECT_EQ(j["summary"]["regression"], 1);
  EXPECT_EQ(j["summary"]["same"], 1);
  EXPECT_EQ(j["failed"], true);
  EXPECT_EQ(j["threshold"], 0.05);
  ASSERT_EQ(j["benchmarks"].size(), 2u);
  EXPECT_EQ(j["benchmarks"][0]["strategy"], "lookup_table");
  EXPECT_EQ(j["benchmarks"][0]["verdict"], "regression");

  // An output in a directory that does not exist is bad input, and nothing is left behind.
  const CliResult bad =
      RunPoolbench({"compare", base_, head_, "--markdown", Path("no/such/dir/out.md")});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("does not exist"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(Path("no")));
}

TEST_F(CompareCliTest, SummaryComesFirstAndDifferentSettingsAreNoted) {
  Json base = Report(), head = Report();
  AddBenchmark(base, "lookup_table", 10, 100);
  AddBenchmark(head, "lookup_table", 10, 130);
  AddBenchmark(base, "naive_loops", 10, 900);
  AddBenchmark(head, "naive_loops", 10, 900);
  base["context"]["bench_settings"] = {{"repetitions", 10}, {"min_time", 0.05}, {"seed", 1}};
  head["context"]["bench_settings"] = {{"repetitions", 10}, {"min_time", 0.05}, {"seed", 7}};
  const CliResult r = RunPoolbench({"compare", Write("base.json", base), Write("new.json", head)});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("## poolbench compare: FAIL\n\n**Summary:** 1 regression", 0), 0u) << r.out;
  const size_t strategies = r.out.find("| lookup_table | 1 | 1 | 0 | 0 | +30.0% |");
  const size_t settings = r.out.find("**Settings differ between base and new:**");
  const size_t table = r.out.find("| benchmark |");
  ASSERT_NE(strategies, std::string::npos) << r.out;
  ASSERT_NE(settings, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("`seed`: base 1, new 7"), std::string::npos) << r.out;
  EXPECT_LT(strategies, settings);
  EXPECT_LT(settings, table);
  // Only the changed benchmark is listed; --all-rows lists both.
  EXPECT_NE(r.out.find("### 1 of 2 benchmarks changed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("`naive_loops/"), std::string::npos) << r.out;
  const CliResult all =
      RunPoolbench({"compare", Path("base.json"), Path("new.json"), "--all-rows"});
  EXPECT_NE(all.out.find("`naive_loops/"), std::string::npos) << all.out;
}

TEST_F(CompareCliTest, HelpExplainsTheLimitOfFewRepetitions) {
  const CliResult r = RunPoolbench({"compare", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("3 vs 3 repetitions give at best p = 0.1"), std::string::npos) << r.out;
}

// Two runs of the real `bench` on the same build compare clean. The threshold is far above
// any slowdown noise can cause (a factor of 5), so this tests that compare reads bench's
// reports and matches every benchmark, not the machine's timing.
// The mechanics of comparing real bench reports: samples from every repetition, the U test
// deciding, nothing flagged between identical timings. (Whether two separate runs agree is a
// property of the machine's noise, measured by benchmarks, not asserted in a unit test.)
TEST_F(CompareCliTest, TheSameBenchReportComparesCleanWithItself) {
  const CliResult first =
      RunPoolbench({"bench", "--suite", "seeds", "--strategy", "lookup|naive", "--repetitions", "5",
                    "--processes", "1", "--retries", "0", "--keep-disturbed", "--min-time", "0.01",
                    "--bandwidth-seconds", "0", "-o", Path("a.json")});
  ASSERT_EQ(first.status, 0) << first.out << first.err;
  std::filesystem::copy_file(Path("a.json"), Path("b.json"));

  const CliResult r =
      RunPoolbench({"compare", Path("a.json"), Path("b.json"), "--json", Path("c.json")});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  const Json j = Json::parse(Slurp(Path("c.json")));
  ASSERT_FALSE(j["benchmarks"].empty());
  EXPECT_EQ(j["summary"]["same"], j["benchmarks"].size()) << r.out;
  for (const Json& row : j["benchmarks"]) {
    EXPECT_EQ(row["base"]["samples"], 5) << row.dump();
    EXPECT_EQ(row["new"]["samples"], 5) << row.dump();
    EXPECT_EQ(row["decided_by"], "u_test") << row.dump();
  }
}

TEST_F(CompareCliTest, AnOutputThatIsAnInputIsRefused) {
  WritePair(1.3);
  const std::string head = Slurp(head_);
  for (const char* option : {"--json", "--markdown"}) {
    const CliResult r = RunPoolbench({"compare", base_, head_, option, head_});
    EXPECT_EQ(r.status, 2) << option;
    EXPECT_NE(r.err.find(head_ + ": is the input " + head_), std::string::npos) << r.err;
    EXPECT_EQ(Slurp(head_), head);
  }
}

}  // namespace
}  // namespace poolbench
