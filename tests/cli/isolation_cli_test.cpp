// Strategies that crash, abort, overrun their buffers, throw, exit, hang, compute wrong results
// or exhaust memory, run through the real executable's check and bench next to healthy
// strategies: each fault must end only its own entry, with the right verdict, the strategy and
// the problem named and a repro line that loads the plugin; every healthy result must be there
// and the run must exit 1. Also the exit status of runs that checked or timed nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "support/run_cli.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

using testing::CliResult;
using testing::Contains;
using testing::RunPoolbench;
using testing::TempDir;
using Json = nlohmann::json;

// Healthy strategies (one of them threaded, so OpenMP runs in workers) and the faulty one.
constexpr const char* kStrategies = "^(naive_loops|lookup_table|openmp_parallel|faulty_.*)$";
// The one problem the faulty strategies take, as check's table and bench's report name it.
constexpr const char* kFaultyProblem = "max:fwd:f32:nchw:1x1x4x4:k2x2";
const std::vector<std::string> kBenchProblems = {"max:fwd:f32:nchw:1x1x4x4:k2x2",
                                                 "avg:fwd:f32:nchw:1x1x8x8:k2x2"};

struct Fault {
  const char* strategy;
  const char* plugin;
  const char* check_label;    // in check's failure list
  const char* bench_verdict;  // the report entry's verdict
  const char* message;        // in both
  const char* signal = "";    // the report entry's signal, for a crash
};

// The time limit of these runs. A sanitizer symbolizes its report before it ends a worker (the
// hoarder's out-of-memory report), which can take seconds on a loaded machine.
#if defined(POOLBENCH_SANITIZED)
#define POOLBENCH_TEST_TIMEOUT "15"
#else
#define POOLBENCH_TEST_TIMEOUT "2"
#endif

const Fault kFaults[] = {
    {"faulty_segfault", POOLBENCH_TEST_PLUGIN_FAULTY_SEGFAULT_PLUGIN, "CRASHED", "crashed",
     "crashed with SIGSEGV", "SIGSEGV"},
    {"faulty_abort", POOLBENCH_TEST_PLUGIN_FAULTY_ABORT_PLUGIN, "CRASHED", "crashed",
     "crashed with SIGABRT", "SIGABRT"},
    {"faulty_far_past", POOLBENCH_TEST_PLUGIN_FAULTY_FAR_PAST_PLUGIN, "CRASHED", "crashed",
     "wrote past the output at offset +8192 bytes after its end", "SIGSEGV"},
    {"faulty_before", POOLBENCH_TEST_PLUGIN_FAULTY_BEFORE_PLUGIN, "CRASHED", "crashed",
     "wrote before the output at offset -8192 bytes", "SIGSEGV"},
    {"faulty_input", POOLBENCH_TEST_PLUGIN_FAULTY_INPUT_PLUGIN, "CRASHED", "crashed",
     "wrote into the input at offset 12", "SIGSEGV"},
    {"faulty_throws", POOLBENCH_TEST_PLUGIN_FAULTY_THROWS_PLUGIN, "THREW", "threw",
     "threw: lookup table corrupted"},
    {"faulty_exit", POOLBENCH_TEST_PLUGIN_FAULTY_EXIT_PLUGIN, "EXITED", "exited",
     "exited with status 0"},
    {"faulty_loop", POOLBENCH_TEST_PLUGIN_FAULTY_LOOP_PLUGIN, "TIMED OUT", "timed_out",
     "did not finish within " POOLBENCH_TEST_TIMEOUT " s"},
    {"faulty_oom", POOLBENCH_TEST_PLUGIN_FAULTY_OOM_PLUGIN, "OUT OF MEMORY", "out_of_memory",
     "ran out of memory"},
    {"faulty_wrong", POOLBENCH_TEST_PLUGIN_FAULTY_WRONG_PLUGIN, "FAIL", "FAIL", "elements differ"},
    // Right answers, then a fault that used to pin verdicts on the strategies after them: a
    // forked child answering for the next entry, a thread spinning on or writing late, a
    // grandchild outside the worker's group that outlived the timeout.
    {"faulty_fork", POOLBENCH_TEST_PLUGIN_FAULTY_FORK_PLUGIN, "CRASHED", "crashed",
     "forked a child (PID "},
    // (A thread or process per run of the kernel: check runs it once per input flavour, bench
    // many times.)
    {"faulty_spinner", POOLBENCH_TEST_PLUGIN_FAULTY_THREAD_PLUGIN, "CRASHED", "crashed",
     "running after it returned (a strategy's threads must end with its kernel)"},
    {"faulty_late_writer", POOLBENCH_TEST_PLUGIN_FAULTY_THREAD_PLUGIN, "CRASHED", "crashed",
     "running after it returned (a strategy's threads must end with its kernel)"},
    {"faulty_setsid", POOLBENCH_TEST_PLUGIN_FAULTY_SETSID_PLUGIN, "CRASHED", "crashed",
     "forked a child (PID "},
    {"faulty_spawn", POOLBENCH_TEST_PLUGIN_FAULTY_SETSID_PLUGIN, "CRASHED", "crashed",
     "running after it returned (killed)"},
    {"faulty_spawn_hang", POOLBENCH_TEST_PLUGIN_FAULTY_SETSID_PLUGIN, "TIMED OUT", "timed_out",
     "did not finish within " POOLBENCH_TEST_TIMEOUT " s"},
};

// Short limits keep the test quick: the endless loop is killed after POOLBENCH_TEST_TIMEOUT
// seconds, and the hoarder stops at 1 GiB.
const std::vector<std::string> kLimits = {"--timeout", POOLBENCH_TEST_TIMEOUT, "--memory-limit",
                                          "1G"};

std::vector<std::string> CheckArgs(const std::string& plugin) {
  std::vector<std::string> args;
  if (!plugin.empty()) args = {"--plugin", plugin};
  for (const char* a : {"check", "--suite", "seeds", "-q", "--strategy", kStrategies}) {
    args.push_back(a);
  }
  args.insert(args.end(), kLimits.begin(), kLimits.end());
  return args;
}

std::vector<std::string> BenchArgs(const std::string& plugin, const std::string& out) {
  std::vector<std::string> args;
  if (!plugin.empty()) args = {"--plugin", plugin};
  for (const char* a : {"bench", "--strategy", kStrategies, "--min-time", "0.001",
                        "--bandwidth-seconds", "0", "--threads", "1,2"}) {
    args.push_back(a);
  }
  for (const std::string& p : kBenchProblems) args.insert(args.end(), {"--problem", p});
  args.insert(args.end(), {"--out", out});
  args.insert(args.end(), kLimits.begin(), kLimits.end());
  return args;
}

// check's summary line of each strategy ("  lookup_table  84 pass, 0 FAIL, 12 skipped").
std::map<std::string, std::string> SummaryLines(const std::string& out) {
  std::map<std::string, std::string> lines;
  std::istringstream in(out.substr(out.find("Summary over")));
  for (std::string line; std::getline(in, line);) {
    if (line.find(" pass, ") == std::string::npos) continue;
    // Words only: the column's width depends on the longest strategy name of the run.
    std::istringstream words(line);
    std::string name, normal;
    words >> name;
    normal = name;
    for (std::string w; words >> w;) normal += " " + w;
    lines[name] = normal;
  }
  return lines;
}

// The results of a report: (strategy, descriptor, threads, run_type, aggregate) -> verdict.
using Key = std::tuple<std::string, std::string, int, std::string>;
std::map<Key, std::string> Entries(const Json& report) {
  std::map<Key, std::string> out;
  for (const Json& e : report.at("benchmarks")) {
    out[{e.at("strategy"), e.at("descriptor"), e.at("threads"), e.value("aggregate_name", "")}] =
        e.at("verdict");
  }
  return out;
}

// What the healthy strategies do, without any faulty plugin: computed once.
struct Baseline {
  std::map<std::string, std::string> summary;
  std::map<Key, std::string> entries;
};
const Baseline& HealthyBaseline() {
  static const Baseline baseline = [] {
    Baseline b;
    const CliResult check = RunPoolbench(CheckArgs(""));
    EXPECT_EQ(check.status, 0) << check.Output();
    b.summary = SummaryLines(check.out);
    TempDir dir("pb_isolation_baseline");
    const CliResult bench = RunPoolbench(BenchArgs("", dir.Path("r.json")));
    EXPECT_EQ(bench.status, 0) << bench.Output();
    b.entries = Entries(Json::parse(testing::Slurp(dir.Path("r.json"))));
    return b;
  }();
  return baseline;
}

class FaultyPlugin : public ::testing::TestWithParam<Fault> {};

TEST_P(FaultyPlugin, CheckNamesTheCulpritAndChecksEveryOtherStrategy) {
  const Fault& f = GetParam();
  const CliResult r = RunPoolbench(CheckArgs(f.plugin));
  EXPECT_EQ(r.status, 1) << r.Output();
  EXPECT_TRUE(Contains(r.out, std::string(f.strategy) + " on " + kFaultyProblem));
  if (std::string(f.check_label) != "FAIL") {
    EXPECT_TRUE(Contains(r.out, std::string(f.check_label) + ": "));
  }
  EXPECT_TRUE(Contains(r.out, f.message));
  EXPECT_TRUE(Contains(r.out, std::string("repro: poolbench --plugin ") + f.plugin +
                                  " check --problem " + kFaultyProblem));
  // Every healthy strategy was checked on every problem, exactly as without the plugin.
  const auto lines = SummaryLines(r.out);
  for (const auto& [name, line] : HealthyBaseline().summary) {
    ASSERT_TRUE(lines.count(name)) << name << " is missing from:\n" << r.out;
    EXPECT_EQ(lines.at(name), line);
  }
  EXPECT_TRUE(Contains(lines.at(f.strategy), " 0 pass, 1 FAIL"));
}

TEST_P(FaultyPlugin, BenchReportsTheCulpritAndTimesEveryOtherStrategy) {
  const Fault& f = GetParam();
  TempDir dir("pb_isolation");
  const std::string out = dir.Path("r.json");
  const CliResult r = RunPoolbench(BenchArgs(f.plugin, out));
  EXPECT_EQ(r.status, 1) << r.Output();
  const Json report = Json::parse(testing::Slurp(out));
  // The healthy strategies' entries are all there, and passed.
  const auto entries = Entries(report);
  for (const auto& [key, verdict] : HealthyBaseline().entries) {
    ASSERT_TRUE(entries.count(key)) << std::get<0>(key) << " " << std::get<1>(key);
    EXPECT_EQ(entries.at(key), "pass");
  }
  // The culprit has one error entry with its verdict, on its one problem.
  int culprit = 0;
  for (const Json& e : report["benchmarks"]) {
    if (e["strategy"] != f.strategy) continue;
    ++culprit;
    EXPECT_EQ(e["descriptor"], kFaultyProblem);
    EXPECT_EQ(e["verdict"], f.bench_verdict);
    EXPECT_TRUE(e.value("error_occurred", false));
    EXPECT_TRUE(Contains(e.value("error_message", ""), f.message));
    if (*f.signal) {
      EXPECT_EQ(e.value("signal", ""), f.signal);
    }
    if (std::string(f.bench_verdict) != "FAIL") {
      EXPECT_TRUE(Contains(e.value("repro", ""), std::string("poolbench --plugin ") + f.plugin +
                                                     " bench --problem " + kFaultyProblem));
    } else {
      EXPECT_TRUE(Contains(e.value("error_message", ""), std::string("--plugin ") + f.plugin));
    }
  }
  EXPECT_EQ(culprit, 1) << report.dump(1);
  // The report reads back, and its rendering lists the culprit with its verdict.
  const CliResult rendered = RunPoolbench({"report", out, "--markdown", "-"});
  EXPECT_EQ(rendered.status, 0) << rendered.Output();
  const std::string label = std::string(f.check_label) == "FAIL" ? "WRONG" : f.check_label;
  EXPECT_TRUE(Contains(rendered.out, "**" + label + "** `" + f.strategy + "`"));
  // compare reads it too (2 would be a report it refuses).
  EXPECT_NE(RunPoolbench({"compare", out, out}).status, 2);
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultyPlugin, ::testing::ValuesIn(kFaults),
                         [](const auto& info) { return std::string(info.param.strategy); });

// A grandchild that left the worker's process group and session neither keeps the run waiting
// (it holds the worker's pipe open) nor outlives it, whether its strategy returned or hung.
TEST(Isolation, GrandchildrenOutsideTheWorkersGroupAreKilled) {
  TempDir dir("pb_isolation_setsid");
  const std::string pids = dir.Path("pids");
  const auto start = std::chrono::steady_clock::now();
  const CliResult r = RunPoolbench(CheckArgs(POOLBENCH_TEST_PLUGIN_FAULTY_SETSID_PLUGIN),
                                   {{"POOLBENCH_TEST_PID_FILE", pids}});
  EXPECT_EQ(r.status, 1) << r.Output();
  // The grandchildren sleep 60 s; the run waits for neither.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(45));
  for (const char* strategy : {"faulty_setsid", "faulty_spawn", "faulty_spawn_hang"}) {
    EXPECT_TRUE(Contains(r.out, strategy + (" on " + std::string(kFaultyProblem))));
  }
  // The spawned ones always record their PIDs; the forked one may be killed before it does.
  std::istringstream in(testing::Slurp(pids));
  int killed = 0;
  for (pid_t pid = 0; in >> pid;) {
    EXPECT_NE(::kill(pid, 0), 0) << "grandchild " << pid << " outlived the run";
    ++killed;
  }
  EXPECT_GE(killed, 2);
}

TEST(Isolation, AReportWithACrashMergesWithAnotherShard) {
  TempDir dir("pb_isolation_merge");
  const CliResult a =
      RunPoolbench(BenchArgs(POOLBENCH_TEST_PLUGIN_FAULTY_SEGFAULT_PLUGIN, dir.Path("a.json")));
  ASSERT_EQ(a.status, 1) << a.Output();
  // Another shard: a problem of its own.
  const CliResult b = RunPoolbench({"bench", "--strategy", "^lookup_table$", "--problem",
                                    "max:fwd:f32:nchw:1x1x6x6:k2x2", "--min-time", "0.001",
                                    "--bandwidth-seconds", "0", "--out", dir.Path("b.json")});
  ASSERT_EQ(b.status, 0) << b.Output();
  const CliResult m = RunPoolbench(
      {"report", "merge", dir.Path("a.json"), dir.Path("b.json"), "-o", dir.Path("m.json")});
  EXPECT_EQ(m.status, 0) << m.Output();
  EXPECT_TRUE(Contains(testing::Slurp(dir.Path("m.json")), "\"signal\": \"SIGSEGV\""));
}

TEST(Isolation, ACrashIsAFailureWithItsVerdictInCheckJson) {
  TempDir dir("pb_isolation_json");
  std::vector<std::string> args = CheckArgs(POOLBENCH_TEST_PLUGIN_FAULTY_SEGFAULT_PLUGIN);
  args.insert(args.end(), {"--json", dir.Path("c.json")});
  const CliResult r = RunPoolbench(args);
  EXPECT_EQ(r.status, 1) << r.Output();
  const Json checks = Json::parse(testing::Slurp(dir.Path("c.json"))).at("checks");
  int crashed = 0;
  for (const Json& c : checks) {
    if (c.at("strategy") != "faulty_segfault" || c.at("verdict") == "skipped") continue;
    ++crashed;
    EXPECT_EQ(c.at("verdict"), "crashed");
    EXPECT_TRUE(Contains(c.at("message"), "crashed with SIGSEGV"));
    EXPECT_TRUE(Contains(c.at("repro"), "--plugin " POOLBENCH_TEST_PLUGIN_FAULTY_SEGFAULT_PLUGIN));
  }
  EXPECT_EQ(crashed, 1);
}

TEST(Isolation, WithoutIsolationAThrowIsStillItsOwnVerdict) {
  std::vector<std::string> args = CheckArgs(POOLBENCH_TEST_PLUGIN_FAULTY_THROWS_PLUGIN);
  args.push_back("--no-isolation");
  const CliResult r = RunPoolbench(args);
  EXPECT_EQ(r.status, 1) << r.Output();
  EXPECT_TRUE(Contains(r.out, "THREW: threw: lookup table corrupted"));
}

TEST(Isolation, OutputSurvivesACrashWhenRedirected) {
  // RunPoolbench redirects stdout to a file: the table's rows before the crash are there.
  std::vector<std::string> args = CheckArgs(POOLBENCH_TEST_PLUGIN_FAULTY_SEGFAULT_PLUGIN);
  args.erase(std::find(args.begin(), args.end(), "-q"));
  const CliResult r = RunPoolbench(args);
  EXPECT_EQ(r.status, 1) << r.Output();
  EXPECT_TRUE(Contains(r.out, "max:fwd:i32:nchw:1x1x4x4:k2x2:idx"));
  EXPECT_TRUE(Contains(r.out, "CRASH"));
}

TEST(ExitStatus, CheckThatChecksNothingExitsTwo) {
  // The reference is never checked against itself: nothing is checked.
  const CliResult r = RunPoolbench({"check", "--suite", "seeds", "--strategy", "^naive_loops$"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, "nothing was checked: every selected strategy skipped every"));
}

TEST(ExitStatus, CheckOfAnEmptySuiteExitsTwo) {
  TempDir dir("pb_empty_suite");
  const std::string suite = dir.Write("empty.txt", "# nothing here\n");
  const CliResult r = RunPoolbench({"check", "--suite", suite});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, "has no problems")) << r.err;
}

TEST(ExitStatus, BenchThatTimesNothingExitsTwoAndKeepsThePreviousReport) {
  TempDir dir("pb_bench_nothing");
  const std::string out = dir.Write("r.json", "previous");
  const CliResult r =
      RunPoolbench({"--plugin", POOLBENCH_TEST_PLUGIN_FAULTY_WRONG_PLUGIN, "bench", "--strategy",
                    "^faulty_wrong$", "--problem", "avg:fwd:f32:nchw:1x1x8x8:k2x2",
                    "--bandwidth-seconds", "0", "--out", out});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, "nothing was timed: every selected strategy skipped every problem"));
  EXPECT_EQ(testing::Slurp(out), "previous");
}

}  // namespace
}  // namespace poolbench
