// The check, bench and list commands through the real executable: exit codes, the errors a
// user sees for bad input, and that a bench report is one Google Benchmark's compare.py reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "support/run_cli.hpp"

namespace poolbench {
namespace {

using testing::CliResult;
using testing::RunPoolbench;
using testing::RunProgram;

TEST(CheckCli, SeedsPassAndPrintASummary) {
  const CliResult r = RunPoolbench({"check", "--suite", "seeds", "-q"});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_NE(r.out.find("All checks passed."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lookup_table"), std::string::npos) << r.out;
}

TEST(CheckCli, AReproLineRunsJustThatProblem) {
  const CliResult r =
      RunPoolbench({"check", "--problem", "max:fwd:f32:nchw:1x1x5x5:k3x3:s2x2:p1x1:ceil:idx"});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_NE(r.out.find("Summary over 1 problems"), std::string::npos) << r.out;
}

// A 1-D and a 3-D problem: every 2-D strategy skips them with the reason. Only the reference
// implements them so far, and the reference is not checked against itself (its 1-D and 3-D
// results are pinned by tests/strategies/naive_loops_*_test.cpp), so check says that nothing
// was checked, after writing its results.
const char* const kOneD = "max:fwd:f32:ncw:2x3x17:k3:s2";
const char* const kThreeD = "max:fwd:f32:ncdhw:1x2x8x8x8:k2x2x2";

TEST(CheckCli, OneAndThreeDimensionalProblemsAreSkippedByEvery2DStrategy) {
  testing::TempDir dir("poolbench_check_cli");
  const std::string json = dir.Path("check.json");
  const CliResult r = RunPoolbench({"check", "--problem", kOneD, "--problem", kThreeD, "--strategy",
                                    "^(naive_loops|lookup_table)$", "--json", json});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_NE(r.err.find("nothing was checked"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1-D problems not implemented"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3-D problems not implemented"), std::string::npos) << r.out;
  std::map<std::string, std::string> lookup_table;  // problem -> verdict
  const auto results = nlohmann::json::parse(testing::Slurp(json));
  for (const auto& c : results.at("checks")) {
    if (c.at("strategy") == "lookup_table") {
      lookup_table[c.at("problem").get<std::string>()] = c.at("verdict").get<std::string>();
    }
  }
  EXPECT_EQ(lookup_table[kOneD], "skipped");
  EXPECT_EQ(lookup_table[kThreeD], "skipped");
  // The rank's shape is checked against the layout before anything runs.
  const CliResult bad = RunPoolbench({"check", "--problem", "max:fwd:f32:nchw:1x2x8x8x8:k2"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("shape '1x2x8x8x8' has 5 dimensions, but layout nchw is 2-D"),
            std::string::npos)
      << bad.err;
  const CliResult kernel = RunPoolbench({"check", "--problem", "max:fwd:f32:ncdhw:1x2x8x8x8:k2x2"});
  EXPECT_EQ(kernel.status, 2);
  EXPECT_NE(kernel.err.find("kernel 'k2x2' has 2 values, but layout ncdhw is 3-D"),
            std::string::npos)
      << kernel.err;
}

TEST(BenchCli, OneAndThreeDimensionalProblemsAreTimedAndReported) {
  testing::TempDir dir("poolbench_bench_cli");
  const std::string out = dir.Path("r.json");
  const CliResult r =
      RunPoolbench({"bench", "--problem", kOneD, "--problem", kThreeD, "--strategy",
                    "^(naive_loops|lookup_table)$", "--min-time", "0.001", "--repetitions", "2",
                    "--bandwidth-seconds", "0", "--out", out});
  // lookup_table, named, is 2-D only: it ran on neither problem, which the exit status says.
  ASSERT_EQ(r.status, 3) << r.Output();
  EXPECT_TRUE(testing::Contains(r.out,
                                "warning: lookup_table ran on no problem: it skipped all 2 "
                                "(1: 1-D problems not implemented; 1: 3-D problems not "
                                "implemented)"));
  const auto j = nlohmann::json::parse(testing::Slurp(out));
  std::set<std::string> timed;
  for (const auto& e : j.at("benchmarks")) {
    EXPECT_EQ(e.at("strategy"), "naive_loops") << e;
    timed.insert(e.at("descriptor").get<std::string>() + " " + e.at("layout").get<std::string>());
  }
  EXPECT_EQ(timed,
            (std::set<std::string>{std::string(kOneD) + " ncw", std::string(kThreeD) + " ncdhw"}));
  std::set<std::string> skipped;
  for (const auto& s : j.at("context").at("skipped")) {
    EXPECT_EQ(s.at("strategy"), "lookup_table") << s;
    skipped.insert(s.at("reason").get<std::string>());
  }
  EXPECT_EQ(skipped, (std::set<std::string>{"1-D problems not implemented",
                                            "3-D problems not implemented"}));
  // The report is read back (its descriptors parse and agree with their rows) and rendered.
  const CliResult md = RunPoolbench({"report", out});
  ASSERT_EQ(md.status, 0) << md.Output();
  EXPECT_NE(md.out.find(kOneD), std::string::npos) << md.out;
  EXPECT_NE(md.out.find(kThreeD), std::string::npos) << md.out;
}

TEST(CheckCli, MalformedDescriptorExitsTwoNamingTheField) {
  const CliResult r = RunPoolbench({"check", "--problem", "max:1x1x4x4:k2:bogus"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown field 'bogus'"), std::string::npos) << r.err;
}

TEST(CheckCli, InvalidProblemExitsTwoNamingTheValue) {
  const CliResult r = RunPoolbench({"check", "--problem", "max:1x1x4x4:k3:p2"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("padding height = 2 exceeds half the effective kernel height"),
            std::string::npos)
      << r.err;
}

TEST(CheckCli, StrategyRegexMatchingNothingListsTheStrategies) {
  const CliResult r = RunPoolbench({"check", "--strategy", "^nosuch$"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("'^nosuch$' names no strategy (registered: lookup_table"), std::string::npos)
      << r.err;
  EXPECT_TRUE(testing::Contains(r.err, "a plugin's strategies need --plugin PATH")) << r.err;
  EXPECT_EQ(RunPoolbench({"check", "--strategy", "("}).status, 2);
}

TEST(CheckCli, UnknownSuiteAndUnknownOptionExitTwo) {
  const CliResult r = RunPoolbench({"check", "--suite", "nosuch"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown suite 'nosuch'"), std::string::npos) << r.err;
  EXPECT_EQ(RunPoolbench({"check", "--no-such-option"}).status, 2);
  EXPECT_EQ(RunPoolbench({}).status, 2);  // a subcommand is required
}

TEST(ListCli, JsonListsEveryStrategyWithWhatItSupports) {
  const CliResult r = RunPoolbench({"list", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  bool reshape = false;
  for (const auto& s : j) {
    // A peer left out of this build is listed with why, and nothing else.
    if (s.value("missing", false)) {
      EXPECT_FALSE(s.at("reason").get<std::string>().empty()) << s;
      EXPECT_FALSE(s.contains("supported")) << s;
      continue;
    }
    EXPECT_FALSE(s.at("description").get<std::string>().empty());
    if (s["name"] == "reshape_blocks") {
      reshape = true;
      EXPECT_LT(s["supported"].get<int>(), s["total"].get<int>());
      EXPECT_TRUE(s["unsupported_reasons"].contains("stride must equal kernel"));
    }
  }
  EXPECT_TRUE(reshape);
}

// One command gives the report and its views, each as `report` renders it from the JSON.
TEST(BenchCli, WritesTheViewsAskedForBesideTheReport) {
  const testing::TempDir dir("pb_bench_views");
  const CliResult r = RunPoolbench(
      {"bench", "--problem", "max:fwd:f32:nchw:1x1x8x8:k2", "--strategy", "^(simd|lookup_table)$",
       "--processes", "1", "--min-time", "0.001", "--bandwidth-seconds", "0", "--out",
       dir.Path("r.json"), "--markdown", dir.Path("r.md"), "--csv", dir.Path("r.csv")});
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(testing::Contains(r.out, "report: " + dir.Path("r.json") +
                                           " (2 results, 0 skipped) " + dir.Path("r.md") + " " +
                                           dir.Path("r.csv")));
  // --problem alone replaced the suites: the report names none.
  const auto report = nlohmann::json::parse(testing::Slurp(dir.Path("r.json")));
  EXPECT_EQ(report["context"]["bench_settings"]["suite"], "")
      << report["context"]["bench_settings"];
  const CliResult md = RunPoolbench({"report", dir.Path("r.json"), "--markdown", "-"});
  ASSERT_EQ(md.status, 0) << md.Output();
  EXPECT_EQ(testing::Slurp(dir.Path("r.md")), md.out);
  const CliResult csv =
      RunPoolbench({"report", dir.Path("r.json"), "--csv", dir.Path("again.csv")});
  ASSERT_EQ(csv.status, 0) << csv.Output();
  EXPECT_EQ(testing::Slurp(dir.Path("r.csv")), testing::Slurp(dir.Path("again.csv")));
}

TEST(BenchCli, BadOptionsExitTwoBeforeAnyTiming) {
  testing::TempDir dir("poolbench_bench_cli");
  EXPECT_EQ(RunPoolbench({"bench", "--threads", "0"}).status, 2);
  EXPECT_EQ(RunPoolbench({"bench", "--shard", "3/2"}).status, 2);
  EXPECT_EQ(RunPoolbench({"bench", "--shard", "x"}).status, 2);
  const std::string out = (dir.path() / "missing" / "r.json").string();
  const CliResult r = RunPoolbench({"bench", "--suite", "seeds", "--out", out});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(BenchCli, ShardsSplitTheProblemsAndTheReportIsReadByCompareDotPy) {
  testing::TempDir dir("poolbench_bench_cli");
  const std::string a = (dir.path() / "a.json").string(), b = (dir.path() / "b.json").string();
  const std::vector<std::string> common = {"bench",
                                           "--suite",
                                           "seeds",
                                           "--strategy",
                                           "naive|lookup",
                                           "--min-time",
                                           "0.001",
                                           "--bandwidth-seconds",
                                           "0"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = common;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const CliResult first = RunPoolbench(with({"--shard", "1/2", "--out", a}));
  ASSERT_EQ(first.status, 0) << first.Output();
  // The console summary lists each problem's ranked results, as the report's renderers do.
  EXPECT_NE(first.out.find("\n  lookup_table"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("\n  naive_loops"), std::string::npos) << first.out;
  ASSERT_EQ(RunPoolbench(with({"--shard", "2/2", "--out", b})).status, 0);
  std::set<std::string> descriptors[2];
  for (int i = 0; i < 2; ++i) {
    const auto j = nlohmann::json::parse(testing::Slurp(i == 0 ? a : b));
    EXPECT_EQ(j["context"]["shard"], i == 0 ? "1/2" : "2/2");
    for (const auto& e : j["benchmarks"]) descriptors[i].insert(e["descriptor"]);
  }
  EXPECT_EQ(descriptors[0].size() + descriptors[1].size(), 8u);  // the 8 seeds, each once
  for (const auto& d : descriptors[0]) EXPECT_FALSE(descriptors[1].count(d)) << d;

  const char* compare_py = "/usr/share/benchmark/compare.py";
  if (!std::filesystem::exists(compare_py)) {
    GTEST_SKIP() << "Google Benchmark's compare.py is not installed (Debian libbenchmark-tools)";
  }
  const CliResult r = RunProgram({"/usr/bin/python3", compare_py, "benchmarks", a, a});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_NE(r.out.find("lookup_table/max:fwd:i32:nchw:1x1x4x4:k2x2:idx/threads:1"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace poolbench
