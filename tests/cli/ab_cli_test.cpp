// End-to-end tests of `poolbench ab` through the real executable: two copies of the same
// build measured interleaved on a tiny problem set, the structure of what it writes, and its
// errors. Whether an A/A run passes is a property of the machine's noise (measured by
// scripts/gate_measure.sh), so the tests assert the mechanics, not the verdicts.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ab/interleave.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

using testing::CliResult;
using testing::RunPoolbench;
using testing::Slurp;

class AbCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Two copies of the executable, as a base build and a new build would be.
    base_ = dir_.Path("base_poolbench");
    new_ = dir_.Path("new_poolbench");
    fs::copy_file(POOLBENCH_EXE, base_);
    fs::copy_file(POOLBENCH_EXE, new_);
  }

  // ab on two small problems and two strategies, 3 rounds of 2 quick repetitions.
  CliResult RunAb(const std::string& base, const std::string& head,
                  std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"ab",
                                     base,
                                     head,
                                     "--problem",
                                     "max:fwd:f32:nchw:1x2x8x8:k2x2:s2x2",
                                     "--problem",
                                     "avg:fwd:f32:nchw:1x1x6x6:k3x3",
                                     "--strategy",
                                     "naive_loops|lookup_table",
                                     "--rounds",
                                     "3",
                                     "--repetitions",
                                     "2",
                                     "--min-time",
                                     "0.001",
                                     "--bandwidth-seconds",
                                     "0",
                                     "--json",
                                     dir_.Path("ab.json"),
                                     "--markdown",
                                     dir_.Path("ab.md")};
    // An option given in `extra` replaces the one above (CLI11 refuses one given twice).
    for (size_t i = 0; i < extra.size(); ++i) {
      const auto given = std::find(args.begin(), args.end(), extra[i]);
      if (extra[i].starts_with("--") && i + 1 < extra.size() && given != args.end() &&
          extra[i] != "--problem") {
        *(given + 1) = extra[++i];
      } else {
        args.push_back(extra[i]);
      }
    }
    return RunPoolbench(args);
  }

  testing::TempDir dir_{"poolbench_ab_cli"};
  std::string base_, new_;
};

TEST_F(AbCliTest, TwoCopiesOfOneBuildRunInterleavedAndCompareRoundPaired) {
  const CliResult r = RunAb(base_, new_);
  ASSERT_TRUE(r.status == 0 || r.status == 1) << r.out << r.err;
  // Progress names each round, problem and side; the order alternates from problem to
  // problem and from round to round.
  for (const char* line : {"[round 1/3] part 1/2 base, new", "[round 1/3] part 2/2 new, base",
                           "[round 2/3] part 1/2 new, base", "[round 2/3] part 2/2 base, new"}) {
    EXPECT_NE(r.err.find(line), std::string::npos) << line << "\n" << r.err;
  }

  const Json j = Json::parse(Slurp(dir_.Path("ab.json")));
  EXPECT_EQ(j["method"], "paired_rounds");
  EXPECT_EQ(j["rounds"], 3);
  EXPECT_EQ(j["correction"], "bh");
  ASSERT_EQ(j["benchmarks"].size(), 4u) << j.dump(1);  // both problems' reports joined
  for (const Json& row : j["benchmarks"]) {
    EXPECT_EQ(row["rounds"], 3) << row.dump();
    EXPECT_EQ(row["test"], "paired_t") << row.dump();
    // 3 rounds x 2 repetitions, less those other work disturbed, more those measured again.
    EXPECT_GE(row["base"]["samples"], 2) << row.dump();
    EXPECT_LE(row["base"]["samples"], 3 * 2 * 3) << row.dump();
    EXPECT_TRUE(row.contains("p_adjusted")) << row.dump();
    EXPECT_TRUE(row.contains("spread")) << row.dump();
    EXPECT_GE(row["noise_floor"].get<double>(), 0.05) << row.dump();
  }
  ASSERT_EQ(j["round_reports"]["base"].size(), 3u);
  for (const Json& path : j["round_reports"]["new"])
    EXPECT_TRUE(fs::exists(path.get<std::string>()));
  // The settings were the same on both sides, so there is nothing to note.
  EXPECT_TRUE(j["settings_differences"].empty()) << j["settings_differences"].dump();

  const std::string md = Slurp(dir_.Path("ab.md"));
  EXPECT_EQ(md.rfind("## poolbench ab: ", 0), 0u) << md;
  EXPECT_LT(md.find("**Summary:**"), md.find("**Method:**")) << md;
  EXPECT_NE(md.find("interleaved over 3 rounds"), std::string::npos) << md;
  EXPECT_NE(md.find("Benjamini-Hochberg"), std::string::npos) << md;
  EXPECT_EQ(r.out, md);

  // The round reports can be compared again without running anything.
  const CliResult again = RunAb(base_, new_, {"--reuse", "--correction", "holm"});
  ASSERT_TRUE(again.status == 0 || again.status == 1) << again.out << again.err;
  EXPECT_EQ(again.err.find("[round"), std::string::npos) << again.err;
  EXPECT_EQ(Json::parse(Slurp(dir_.Path("ab.json")))["correction"], "holm");
}

TEST_F(AbCliTest, TheBenchReportsRecordSettingsOriginsAndConditions) {
  const CliResult r = RunAb(base_, new_);
  ASSERT_TRUE(r.status == 0 || r.status == 1) << r.out << r.err;
  const Json report = Json::parse(Slurp(dir_.Path("ab.rounds/round-01-base.json")));
  const Json& c = report["context"];
  EXPECT_EQ(c["bench_settings"]["repetitions"], 2);
  EXPECT_EQ(c["bench_settings"]["min_time"], 0.001);
  EXPECT_EQ(c["bench_settings"]["seed"], 1);
  EXPECT_EQ(c["bench_settings"]["strategy"], "naive_loops|lookup_table");
  EXPECT_EQ(c["bench_settings"]["problems"].size(), 2u);  // the round's, from both processes
  EXPECT_EQ(c["strategy_origins"]["naive_loops"]["origin"], "in-tree");
  EXPECT_TRUE(c["cpu_governor"].is_string());
  EXPECT_EQ(c["load_avg_end"].size(), 3u);
  EXPECT_TRUE(c["warnings"].is_array());
}

TEST_F(AbCliTest, AMissingExecutableIsNamed) {
  const CliResult r = RunAb(base_, dir_.Path("nowhere/poolbench"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("new executable " + dir_.Path("nowhere/poolbench") + " does not exist"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_.Path("ab.json")));
}

TEST_F(AbCliTest, AFailingBenchProcessStopsWithItsRoundAndLog) {
  const CliResult r = RunAb(base_, "false");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("round 1, new (false) exited with status 1"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_.Path("ab.json")));
}

// A side whose reports share no benchmark with the other's compares nothing: refused like
// compare refuses it, instead of passing with "0 same, 1 added, 14 removed".
TEST_F(AbCliTest, ABaseThatBenchesSomethingElseIsRefused) {
  const std::string other = dir_.Path("other.sh");
  std::ofstream(other) << "#!/bin/sh\nfor a; do out=$a; done\nexec " << POOLBENCH_EXE
                       << " bench --problem max:fwd:f32:nchw:1x1x6x6:k3x3 --strategy naive_loops"
                          " --min-time 0.001 --bandwidth-seconds 0 -o \"$out\"\n";
  fs::permissions(other, fs::perms::owner_all);
  const CliResult r = RunAb(other, new_, {"--rounds", "2", "--problems-per-process", "0"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(testing::Contains(r.err, "round 1: " + dir_.Path("ab.rounds/round-01-base.json") +
                                           " and " + dir_.Path("ab.rounds/round-01-new.json") +
                                           " have no benchmark in common"));
  EXPECT_FALSE(fs::exists(dir_.Path("ab.json")));
  EXPECT_FALSE(fs::exists(dir_.Path("ab.md")));
}

// A side that hangs is stopped at its limit, with whatever it started, instead of hanging the
// gate for ever.
TEST_F(AbCliTest, ASideThatHangsIsKilledAtItsTimeLimit) {
  const std::string hang = dir_.Path("hang.sh");
  const std::string pid_file = dir_.Path("sleep.pid");
  std::ofstream(hang) << "#!/bin/sh\nsleep 600 &\necho $! > " << pid_file << "\nwait\n";
  fs::permissions(hang, fs::perms::owner_all);
  const auto start = std::chrono::steady_clock::now();
  const CliResult r = RunAb(hang, new_, {"--process-timeout", "2"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(testing::Contains(r.err, "round 1, base (" + hang +
                                           ") did not finish within 2 s (--process-timeout) and "
                                           "was killed"));
  const pid_t sleeper = std::stoi(Slurp(pid_file));
  EXPECT_NE(::kill(sleeper, 0), 0) << "the hung side's child outlived ab";
  EXPECT_FALSE(fs::exists(dir_.Path("ab.json")));
}

// A limit learnt from the other side: ten times what it took, at least a minute, never beyond
// --process-timeout.
TEST(AbTimeLimit, IsTenTimesTheOtherSideWithinTheBounds) {
  ab::Plan plan;
  plan.process_timeout = 3600;
  EXPECT_EQ(ab::TimeLimit(plan, -1).seconds, 3600);
  EXPECT_EQ(ab::TimeLimit(plan, 30).seconds, 300);
  EXPECT_EQ(ab::TimeLimit(plan, 1).seconds, 60);
  EXPECT_EQ(ab::TimeLimit(plan, 1000).seconds, 3600);
  plan.process_timeout = 0;
  EXPECT_EQ(ab::TimeLimit(plan, -1).seconds, 0);
  EXPECT_EQ(ab::TimeLimit(plan, 1000).seconds, 10000);
}

// Options are checked before any round runs: bad values, and outputs that would overwrite each
// other or what ab runs.
TEST_F(AbCliTest, BadOptionsAndOutputsAreRefusedBeforeAnyRound) {
  for (const std::vector<std::string>& extra : {std::vector<std::string>{"--seed", "-1"},
                                                {"--threads", "1,,2"},
                                                {"--threads", "2,2"},
                                                {"--threshold", "nan"},
                                                {"--problems-per-process", "-1"},
                                                {"--markdown", dir_.Path("ab.json")},
                                                {"--json", new_},
                                                {"--out", dir_.Path("old-name.json")}}) {
    const CliResult r = RunAb(base_, new_, extra);
    EXPECT_EQ(r.status, 2) << extra[0] << " " << extra[1] << ":\n" << r.Output();
    EXPECT_EQ(r.err.find("[round"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(testing::Contains(RunAb(base_, new_, {"--markdown", dir_.Path("ab.json")}).err,
                                "names the same file as --json"));
  EXPECT_TRUE(testing::Contains(RunAb(base_, new_, {"--out", dir_.Path("old-name.json")}).err,
                                "--out: is the old name of --json: give one of them"));
  EXPECT_TRUE(testing::Contains(RunAb(base_, new_, {"--seed", "-1"}).err,
                                "'-1' is out of range: expected an integer in [0, "));
  EXPECT_FALSE(fs::exists(dir_.Path("ab.rounds")));
  EXPECT_EQ(Slurp(new_), Slurp(POOLBENCH_EXE));
}

TEST_F(AbCliTest, OneRoundIsRefused) {
  const CliResult r = RunAb(base_, new_, {"--rounds", "1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--rounds"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace poolbench
