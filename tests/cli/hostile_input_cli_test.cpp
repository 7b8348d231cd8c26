// Input a careless or hostile user gives the real executable: numbers out of range, suites that
// name no problem, a broken plugin path, reports nested or duplicated to break their readers,
// and problems larger than the machine. Each is refused with a message that says what is wrong,
// and exit status 2, before any work is done.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/report_fixtures.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

using Json = nlohmann::json;
using testing::CliResult;
using testing::Contains;
using testing::RunPoolbench;

// A tiny problem that lookup_table checks in milliseconds.
const std::vector<std::string> kTinyCheck = {"check",     "--strategy",     "lookup_table",
                                             "--problem", "max:1x1x4x4:k2", "-q"};

std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

#define EXPECT_REFUSED(result, part)                         \
  do {                                                       \
    const CliResult r_ = (result);                           \
    EXPECT_EQ(r_.status, 2) << r_.Output();                  \
    EXPECT_TRUE(Contains(r_.Output(), part)) << r_.Output(); \
  } while (0)

// CLI11 alone would turn -1 into the largest seed and a 20-digit divisor into INT64_MAX, and
// let NaN through every range check.
TEST(HostileInputCli, NumbersOutOfRangeAreRefusedWithTheRange) {
  EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--seed", "-1"})),
                 "'-1' is out of range: expected an integer in [0, 18446744073709551615]");
  EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--seed", "18446744073709551616"})),
                 "out of range");
  EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--seed", "12abc"})), "'12abc' is not an integer");
  EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--threads", "4294967297"})),
                 "expected an integer in [1, 1024]");
  EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--fuzz", "-3"})), "[0, 1000000]");
  EXPECT_EQ(RunPoolbench(With(kTinyCheck, {"--seed", "18446744073709551615"})).status, 0);

  const testing::TempDir dir("poolbench_hostile_cli");
  const std::vector<std::string> pool = {
      "pool", dir.Path("in.npy"), "--op", "avg", "--kernel", "2", "--out", dir.Path("out.npy")};
  EXPECT_REFUSED(RunPoolbench(With(pool, {"--divisor", "99999999999999999999"})),
                 "expected an integer in [-9223372036854775808, 9223372036854775807]");

  const std::vector<std::string> bench = {"bench", "--problem", "max:1x1x4x4:k2", "--out",
                                          dir.Path("r.json")};
  for (const char* option : {"--bandwidth-seconds", "--min-time"}) {
    for (const char* value : {"nan", "inf", "-inf", "NaN"}) {
      EXPECT_REFUSED(RunPoolbench(With(bench, {option, value})), "out of range");
    }
  }
  EXPECT_REFUSED(RunPoolbench(With(bench, {"--repetitions", "1e3"})), "'1e3' is not an integer");
  EXPECT_FALSE(std::filesystem::exists(dir.Path("r.json")));
  EXPECT_REFUSED(RunPoolbench({"compare", "--alpha", "nan", "a.json", "b.json"}),
                 "expected a number in [0, 1]");
  EXPECT_REFUSED(RunPoolbench({"compare", "--threshold", "inf", "a.json", "b.json"}),
                 "out of range");
}

// A suite that names no problem would check nothing and print "All checks passed".
TEST(HostileInputCli, VacuousSuitesAreRefused) {
  const testing::TempDir dir("poolbench_hostile_cli");
  const std::string empty = dir.Write("empty.txt", "");
  const std::string comments = dir.Write("comments.txt", "# only a comment\n\n");
  for (const char* command : {"check", "bench"}) {
    const std::vector<std::string> base = {command, "--strategy", "lookup_table"};
    EXPECT_REFUSED(RunPoolbench(With(base, {"--suite", ""})), "empty suite name");
    EXPECT_REFUSED(RunPoolbench(With(base, {"--suite", empty})), "has no problems");
    EXPECT_REFUSED(RunPoolbench(With(base, {"--suite", comments})), "has no problems");
    EXPECT_REFUSED(RunPoolbench(With(base, {"--suite", dir.Path("")})), "is a directory");
    EXPECT_REFUSED(RunPoolbench(With(base, {"--suite", "/dev/zero"})), "larger than 16 MiB");
  }
  EXPECT_FALSE(std::filesystem::exists("poolbench_report.json"));
}

// --help, report, compare and roofline load no strategy, so a broken plugin path is no reason
// to fail them; the commands that run strategies name it.
TEST(HostileInputCli, AMissingPluginPathFailsOnlyTheCommandsThatLoadPlugins) {
  const testing::Environment env = {{"POOLBENCH_PLUGIN_PATH", "/nonexistent"}};
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"}, {"check", "--help"}, {"--version"}}) {
    const CliResult r = RunPoolbench(args, env);
    EXPECT_EQ(r.status, 0) << r.Output();
  }
  const CliResult report = RunPoolbench(
      {"report", POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json", "--markdown", "-"}, env);
  EXPECT_EQ(report.status, 0) << report.Output();
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"list"}, kTinyCheck}) {
    EXPECT_REFUSED(RunPoolbench(args, env), "POOLBENCH_PLUGIN_PATH entry '/nonexistent'");
  }
}

TEST(HostileInputCli, CompareOfReportsWithNothingInCommonIsAnError) {
  const testing::TempDir dir("poolbench_hostile_cli");
  Json a = testing::Report(), b = testing::Report();
  testing::AddWrong(a, "one");
  testing::AddWrong(b, "other");
  const std::string pa = dir.Write("a.json", a.dump()), pb = dir.Write("b.json", b.dump());
  EXPECT_REFUSED(RunPoolbench({"compare", pa, pb}), "have no benchmark in common");
}

// A context nested 100,000 deep overflowed the stack of every reader; a duplicated entry doubled
// compare's samples.
TEST(HostileInputCli, CraftedReportsAreRefusedByEveryReader) {
  const testing::TempDir dir("poolbench_hostile_cli");
  const std::string sample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";
  Json deep_report = Json::parse(testing::Slurp(sample));
  const std::string marker = "\"__deep__\"";
  deep_report["context"]["nested"] = "__deep__";
  std::string text = deep_report.dump();
  text.replace(text.find(marker), marker.size(),
               std::string(100000, '[') + std::string(100000, ']'));
  const std::string deep = dir.Write("deep.json", text);
  EXPECT_REFUSED(RunPoolbench({"report", deep}), "nested deeper than 64 levels");
  EXPECT_REFUSED(RunPoolbench({"compare", deep, sample}), "nested deeper than 64 levels");
  EXPECT_REFUSED(RunPoolbench({"report", "merge", sample, deep, "-o", dir.Path("m.json")}),
                 "nested deeper than 64 levels");
  EXPECT_FALSE(std::filesystem::exists(dir.Path("m.json")));

  Json doubled = Json::parse(testing::Slurp(sample));
  doubled["benchmarks"].push_back(doubled["benchmarks"][0]);
  const std::string dup = dir.Write("dup.json", doubled.dump());
  EXPECT_REFUSED(RunPoolbench({"compare", sample, dup}), "repeats an earlier entry");
  EXPECT_REFUSED(RunPoolbench({"report", dup}), "repeats an earlier entry");

  Json huge = Json::parse(testing::Slurp(sample));
  huge["benchmarks"][0]["bytes_moved"] = 1e300;
  EXPECT_REFUSED(RunPoolbench({"report", dir.Write("huge.json", huge.dump()), "--csv", "-"}),
                 "benchmarks[0].bytes_moved (");
}

// A problem larger than the machine was OOM-killed after a minute with no message. Now its
// buffers are estimated first: the entry gets the out-of-memory verdict naming the problem and
// the bytes, nothing is allocated, and the run fails (exit 1) like any other faulty entry.
#define EXPECT_OUT_OF_MEMORY(result, part)                   \
  do {                                                       \
    const CliResult r_ = (result);                           \
    EXPECT_EQ(r_.status, 1) << r_.Output();                  \
    EXPECT_TRUE(Contains(r_.Output(), part)) << r_.Output(); \
  } while (0)

TEST(HostileInputCli, AProblemLargerThanTheMachineIsRefusedBeforeAllocating) {
  EXPECT_OUT_OF_MEMORY(RunPoolbench({"check", "--problem", "max:fwd:f64:nchw:1x1x50000x50000:k2",
                                     "--strategy", "reshape_blocks"}),
                       "max:fwd:f64:nchw:1x1x50000x50000:k2x2 needs about");
  const testing::TempDir dir("poolbench_hostile_cli");
  EXPECT_OUT_OF_MEMORY(
      RunPoolbench({"bench", "--problem", "max:fwd:f32:nchw:1x1x1024x1024:k2", "--strategy",
                    "reshape_blocks", "--bandwidth-seconds", "0", "--out", dir.Path("r.json")},
                   {{"POOLBENCH_MEMORY_LIMIT", "1M"}}),
      "only 1 MiB is available");
}

}  // namespace
}  // namespace poolbench
