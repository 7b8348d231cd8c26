// check --json and --junit through the real executable: valid files on a passing run, the
// failing strategy as a failure on a failing one (written although check exits 1), and an
// unwritable path refused before any check runs. And bench's console table: a header naming the
// columns, and the interval over the processes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/run_cli.hpp"

namespace poolbench {
namespace {

using testing::CliResult;
using testing::RunPoolbench;
using testing::RunProgram;

constexpr const char* kWrong = POOLBENCH_TEST_PLUGIN_WRONG_RESULT_PLUGIN;
const std::string kProblem = "max:fwd:f32:nchw:1x2x6x6:k2x2";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Parses `path` with Python's XML parser (independent of the writer) and prints each test case
// as "suite|case|failure message or -|skipped message or -", one per line.
CliResult JunitCases(const std::string& path) {
  return RunProgram(
      {"/usr/bin/python3", "-c",
       "import sys, xml.etree.ElementTree as ET\n"
       "root = ET.parse(sys.argv[1]).getroot()\n"
       "assert root.tag == 'testsuites', root.tag\n"
       "print('total', root.get('tests'), root.get('failures'), root.get('skipped'))\n"
       "for s in root.iter('testsuite'):\n"
       "  for c in s.iter('testcase'):\n"
       "    f, k = c.find('failure'), c.find('skipped')\n"
       "    print(s.get('name'), c.get('name'), f.get('message') if f is not None else '-',\n"
       "          k.get('message') if k is not None else '-', sep='|')\n",
       path});
}

TEST(CheckResultsCli, PassingRunWritesValidJsonAndJunit) {
  testing::TempDir dir("poolbench_check_results");
  const std::string json = dir.Path("check.json"), junit = dir.Path("check.xml");
  const CliResult r =
      RunPoolbench({"check", "--problem", kProblem, "--strategy", "^(naive_loops|reshape_blocks)$",
                    "-q", "--json", json, "--junit", junit});
  ASSERT_EQ(r.status, 0) << r.Output();
  const auto j = nlohmann::json::parse(Slurp(json));
  EXPECT_EQ(j["failed"], 0);
  ASSERT_EQ(j["checks"].size(), 2u);
  EXPECT_EQ(j["checks"][0]["strategy"], "naive_loops");
  EXPECT_EQ(j["checks"][0]["verdict"], "skipped");
  EXPECT_EQ(j["checks"][1]["strategy"], "reshape_blocks");
  EXPECT_EQ(j["checks"][1]["verdict"], "pass");
  EXPECT_EQ(j["checks"][1]["problem"], kProblem);
  EXPECT_NE(j["checks"][1]["repro"].get<std::string>().find("--strategy '^reshape_blocks$'"),
            std::string::npos);
  const CliResult x = JunitCases(junit);
  ASSERT_EQ(x.status, 0) << x.Output();
  EXPECT_NE(x.out.find("total 2 0 1"), std::string::npos) << x.out;
  EXPECT_NE(x.out.find("reshape_blocks|" + kProblem + "|-|-"), std::string::npos) << x.out;
}

TEST(CheckResultsCli, FailingStrategyIsAFailureInBothFiles) {
  testing::TempDir dir("poolbench_check_results");
  const std::string json = dir.Path("check.json"), junit = dir.Path("check.xml");
  const CliResult r = RunPoolbench({"--plugin", kWrong, "check", "--problem", kProblem,
                                    "--strategy", "^(plugin_wrong_zeros|reshape_blocks)$", "-q",
                                    "--json", json, "--junit", junit});
  ASSERT_EQ(r.status, 1) << r.Output();
  const auto j = nlohmann::json::parse(Slurp(json));
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["strategies"]["plugin_wrong_zeros"]["fail"], 1);
  const nlohmann::json* wrong = nullptr;
  for (const auto& c : j["checks"]) {
    if (c["strategy"] == "plugin_wrong_zeros") wrong = &c;
  }
  ASSERT_NE(wrong, nullptr) << j.dump(2);
  EXPECT_EQ((*wrong)["verdict"], "FAIL");
  EXPECT_NE((*wrong)["message"].get<std::string>().find("differ"), std::string::npos)
      << (*wrong)["message"];
  EXPECT_EQ((*wrong)["message"].get<std::string>().find("repro:"), std::string::npos)
      << "the repro line is a field of its own";
  EXPECT_NE((*wrong)["repro"].get<std::string>().find("--strategy '^plugin_wrong_zeros$'"),
            std::string::npos);
  const CliResult x = JunitCases(junit);
  ASSERT_EQ(x.status, 0) << x.Output();
  EXPECT_NE(x.out.find("total 2 1 0"), std::string::npos) << x.out;
  EXPECT_NE(x.out.find("plugin_wrong_zeros|" + kProblem + "|plugin_wrong_zeros on " + kProblem),
            std::string::npos)
      << x.out;
  EXPECT_NE(x.out.find("reshape_blocks|" + kProblem + "|-|-"), std::string::npos) << x.out;
}

TEST(CheckResultsCli, UnwritablePathFailsBeforeAnyCheck) {
  const CliResult r =
      RunPoolbench({"check", "--problem", kProblem, "--junit", "/nonexistent/dir/check.xml"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("/nonexistent/dir/check.xml"), std::string::npos) << r.Output();
  EXPECT_EQ(r.out.find("Summary over"), std::string::npos) << "no check ran: " << r.out;
}

TEST(CheckResultsCli, ASuiteFileOrTheOtherOutputIsRefusedAsAnOutput) {
  testing::TempDir dir("poolbench_check_results");
  const std::string suite = dir.Write("mine.txt", kProblem + "\n");
  CliResult r = RunPoolbench({"check", "--suite", suite, "--json", suite});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_EQ(Slurp(suite), kProblem + "\n") << "the suite file is untouched";
  r = RunPoolbench(
      {"check", "--problem", kProblem, "--json", dir.Path("same"), "--junit", dir.Path("same")});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_NE(r.err.find("names the same file as --json"), std::string::npos) << r.err;
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"mine.txt"});
}

TEST(BenchTableCli, HasAHeaderRowAndTheIntervalOverProcesses) {
  testing::TempDir dir("poolbench_bench_table");
  const CliResult r =
      RunPoolbench({"bench", "--problem", kProblem, "--strategy", "^(naive_loops|reshape_blocks)$",
                    "--repetitions", "3", "--min-time", "0.001", "--bandwidth-seconds", "0",
                    "--out", dir.Path("r.json")});
  ASSERT_EQ(r.status, 0) << r.Output();
  const size_t header = r.out.find("strategy");
  ASSERT_NE(header, std::string::npos) << r.out;
  const std::string line = r.out.substr(header, r.out.find('\n', header) - header);
  for (const char* column : {"threads", "time", "95% interval", "vs fastest", "GB/s",
                             "% of roofline", "speed-up", "processes"}) {
    EXPECT_NE(line.find(column), std::string::npos) << column << " in: " << line;
  }
  EXPECT_LT(header, r.out.find(kProblem)) << "the header comes first";
  // Each result's interval and its processes: measured in three (the default), each with its
  // three repetitions, or listed as disturbed with its evidence when other work took the CPU.
  const size_t row = r.out.find("\n  reshape_blocks") + 1;
  ASSERT_NE(row, 0u) << r.out;
  const std::string result = r.out.substr(row, r.out.find('\n', row) - row);
  const bool timed =
      result.find("±") != std::string::npos && result.find("/3") != std::string::npos;
  const bool disturbed = result.find("processes had a clean repetition") != std::string::npos;
  EXPECT_TRUE(timed || disturbed) << result;
}

}  // namespace
}  // namespace poolbench
