// The check, bench and list commands through the real executable: exit codes, the errors a
// user sees for bad input, and that a bench report is one Google Benchmark's compare.py reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

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
