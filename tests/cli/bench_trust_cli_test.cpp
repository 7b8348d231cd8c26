// What bench says about the trust its numbers deserve: processes, disturbed repetitions, and a
// machine whose counters cannot be read.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/reader.hpp"
#include "support/cpu_competitor.hpp"
#include "support/run_cli.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

using testing::CliResult;
using testing::RunPoolbench;

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::vector<std::string> Bench(const std::string& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      "bench",      "--problem", "max:fwd:f32:nchw:1x4x32x32:k2", "--strategy", "naive|lookup",
      "--min-time", "0.02",      "--bandwidth-seconds",           "0",          "--out",
      out};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(BenchTrustCli, ProcessesAndRetriesOutOfRangeAreRefusedBeforeAnyWork) {
  const testing::TempDir dir("poolbench_trust_cli");
  const std::string out = dir.Path("r.json");
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--processes", "0"},
                                              {"--processes", "-3"},
                                              {"--processes", "1000000"},
                                              {"--retries", "-1"},
                                              {"--retries", "1e9"}}) {
    const CliResult r = RunPoolbench(Bench(out, bad));
    EXPECT_EQ(r.status, 2) << bad[0] << " " << bad[1] << "\n" << r.Output();
    EXPECT_TRUE(Contains(r.err, bad[0])) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
  }
}

// Without the kernel's counters (no /proc), bench still measures, but says on the console and
// in the report that it could not tell disturbed repetitions from clean ones.
TEST(BenchTrustCli, WithoutProcTheRunSaysWhatItCouldNotMeasure) {
  const testing::TempDir dir("poolbench_trust_cli");
  const std::string out = dir.Path("r.json");
  const CliResult r =
      RunPoolbench(Bench(out, {"--processes", "2"}), {{"POOLBENCH_PROC_DIR", dir.Path("no-proc")}});
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "interference could not be measured fully")) << r.Output();
  const report::Run run = report::Read(out, report::Expect::kPoolbench);
  bool warned = false;
  for (const report::Warning& w : run.context.warnings)
    warned |= w.kind == "interference_unmeasured";
  EXPECT_TRUE(warned);
  for (const report::Result& res : run.results) {
    EXPECT_EQ(res.disturbed, "") << res.name;
    for (const report::Sample& s : res.samples) {
      ASSERT_TRUE(s.interference.has_value());
      EXPECT_FALSE(s.interference->run_delay_ns.has_value());
      EXPECT_TRUE(Contains(s.interference->unmeasured, "run-queue delay"));
    }
  }
  // And the Markdown report heads with it.
  const CliResult md = RunPoolbench({"report", out, "--markdown", "-"});
  ASSERT_EQ(md.status, 0) << md.Output();
  EXPECT_TRUE(Contains(md.out.substr(0, md.out.find("\n|")), "could not be measured fully"))
      << md.out;
}

// Everything pinned to one CPU that a busy process shares: every repetition waits for the CPU
// half of the time. With no retries, the results are reported disturbed, never ranked.
TEST(BenchTrustCli, ABusyNeighbourOnTheOnlyCpuLeavesTheRowsDisturbedAndUnranked) {
  const testing::TempDir dir("poolbench_trust_cli");
  const std::string out = dir.Path("r.json");
  CliResult r;
  {
    // poolbench, spawned from this thread, inherits the one CPU.
    const testing::CpuCompetitor competitor;
    r = RunPoolbench(Bench(out, {"--processes", "2", "--retries", "0"}));
  }
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.out, "disturbed")) << r.out;
  EXPECT_TRUE(Contains(r.out, "no answer: every correct result was disturbed by other work"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "DISTURBED (not ranked): naive_loops")) << r.out;
  EXPECT_TRUE(Contains(r.out, "DISTURBED (not ranked): lookup_table")) << r.out;
  const report::Run run = report::Read(out, report::Expect::kPoolbench);
  ASSERT_FALSE(run.results.empty());
  for (const report::Result& res : run.results) {
    EXPECT_NE(res.disturbed, "") << res.name;
    EXPECT_FALSE(res.time_ns.has_value()) << res.name << ": no clean repetition, no time";
    for (const report::Sample& s : res.samples) {
      EXPECT_TRUE(Contains(s.disturbance, "threads waited for a CPU")) << s.disturbance;
    }
  }
}

}  // namespace
}  // namespace poolbench
