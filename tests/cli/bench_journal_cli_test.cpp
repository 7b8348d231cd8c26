// bench's journal through the real executable: a run killed midway (SIGINT, SIGTERM, SIGKILL)
// leaves a valid partial report or the previous one intact, no temporary file, and a journal
// from which `bench --resume` finishes the run with exactly the entries of an uninterrupted run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "report/reader.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

using report::Json;
using testing::CliResult;
using testing::Contains;
using testing::RunPoolbench;
using testing::Slurp;

const std::string kPrevious = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";

// A run of a few seconds: long enough to be interrupted after its first results.
std::vector<std::string> BenchArgs(const std::string& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"bench",
                                   "--suite",
                                   "seeds",
                                   "--strategy",
                                   "naive|lookup",
                                   "--min-time",
                                   "0.05",
                                   "--repetitions",
                                   "2",
                                   "--bandwidth-seconds",
                                   "0",
                                   "--out",
                                   out};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The names of a report's entries, sorted, duplicates kept.
// The results of a report, by name (how many repetitions each has depends on the machine's load:
// a disturbed one is measured again).
std::vector<std::string> Names(const Json& report) {
  std::vector<std::string> names;
  for (const report::Result& r : report::FromJson(report).results) names.push_back(r.name);
  std::sort(names.begin(), names.end());
  return names;
}

size_t Lines(const std::string& path) {
  const std::string text = Slurp(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The entries of an uninterrupted run, measured once for every test.
const std::vector<std::string>& UninterruptedNames() {
  static const std::vector<std::string> names = [] {
    const testing::TempDir dir("poolbench_journal_cli");
    const CliResult r = RunPoolbench(BenchArgs(dir.Path("whole.json")));
    EXPECT_EQ(r.status, 0) << r.Output();
    return Names(report::ReadJson(dir.Path("whole.json"), report::Expect::kPoolbench));
  }();
  return names;
}

// Starts poolbench with `bench_args` in the background, standard output and error to files in
// `logs`; returns its PID, or 0 when it could not be started.
pid_t SpawnBench(const std::vector<std::string>& bench_args, const testing::TempDir& logs) {
  std::vector<std::string> argv = {POOLBENCH_EXE, "--no-default-plugins"};
  argv.insert(argv.end(), bench_args.begin(), bench_args.end());
  io::SpawnOptions to_logs;
  to_logs.stdout_path = logs.Path("out");
  to_logs.stderr_path = logs.Path("err");
  try {
    return io::Spawn(argv, to_logs);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    return 0;
  }
}

// Starts bench writing `out`, waits until its journal holds a finished result, sends `sig`
// (`twice`: again once bench has said it is stopping) and returns the raw wait status. Standard
// output and error go to files in `logs`.
int InterruptBench(const std::string& out, int sig, const testing::TempDir& logs,
                   bool twice = false, std::vector<std::string> bench_args = {},
                   size_t journal_lines = 3) {
  if (bench_args.empty()) bench_args = BenchArgs(out);
  const pid_t pid = SpawnBench(bench_args, logs);
  if (pid == 0) return -1;
  // By default the header, the context and at least one result.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  int status = 0;
  while (Lines(out + ".journal") < journal_lines) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      ADD_FAILURE() << "bench ended before it could be interrupted:\n" << Slurp(logs.Path("err"));
      return status;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      status = io::Wait(pid);
      ADD_FAILURE() << "bench journaled no result in two minutes";
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, sig);
  while (twice && Slurp(logs.Path("err")).find("interrupted;") == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (twice) ::kill(pid, sig);
  return io::Wait(pid);
}

// A run stopped by SIGINT or SIGTERM writes a valid partial report marked incomplete, says how
// to resume, exits 128 + the signal, and leaves no temporary file; --resume finishes it.
void InterruptAndResume(int sig, const std::string& name) {
  const testing::TempDir dir("poolbench_journal_cli"), logs("poolbench_journal_cli_logs");
  const std::string out = dir.Path("r.json");
  std::filesystem::copy_file(kPrevious, out);

  const int status = InterruptBench(out, sig, logs);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status << "\n" << Slurp(logs.Path("err"));
  EXPECT_EQ(WEXITSTATUS(status), 128 + sig) << Slurp(logs.Path("err"));
  const std::string err = Slurp(logs.Path("err"));
  EXPECT_TRUE(Contains(err, "stopped by " + name));
  EXPECT_TRUE(Contains(err, "partial report"));
  EXPECT_TRUE(Contains(err, out));
  EXPECT_TRUE(Contains(err, "--resume"));
  EXPECT_EQ(dir.Files(), (std::vector<std::string>{"r.json", "r.json.journal"}));

  const Json partial = report::ReadJson(out, report::Expect::kPoolbench);
  const Json& incomplete = partial["context"]["incomplete"];
  ASSERT_TRUE(incomplete.is_object()) << partial["context"].dump();
  EXPECT_EQ(incomplete["signal"], name);
  EXPECT_EQ(incomplete["problems"], 8);
  EXPECT_LT(incomplete["problems_done"].get<int>(), 8);
  EXPECT_EQ(incomplete["entries"], report::FromJson(partial).results.size());
  EXPECT_GT(Names(partial).size(), 0u);
  EXPECT_LT(Names(partial).size(), UninterruptedNames().size());

  const CliResult resumed = RunPoolbench(BenchArgs(out, {"--resume"}));
  ASSERT_EQ(resumed.status, 0) << resumed.Output();
  EXPECT_TRUE(Contains(resumed.err, "resuming from " + out + ".journal"));
  const Json complete = report::ReadJson(out, report::Expect::kPoolbench);
  EXPECT_FALSE(complete["context"].contains("incomplete"));
  EXPECT_EQ(Names(complete), UninterruptedNames());
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"r.json"}) << "the journal is removed";
}

TEST(BenchJournalCli, SigintLeavesAPartialReportThatResumeCompletes) {
  InterruptAndResume(SIGINT, "SIGINT");
}

TEST(BenchJournalCli, SigtermLeavesAPartialReportThatResumeCompletes) {
  InterruptAndResume(SIGTERM, "SIGTERM");
}

// SIGKILL cannot be caught: the previous report stays as it was, no temporary file exists (the
// report is staged only at the end), and the journal holds the finished results. A last line
// cut short by the kill is measured again; a resume with other settings is refused.
TEST(BenchJournalCli, SigkillLeavesThePreviousReportAndAJournalThatResumeCompletes) {
  const testing::TempDir dir("poolbench_journal_cli"), logs("poolbench_journal_cli_logs");
  const std::string out = dir.Path("r.json");
  std::filesystem::copy_file(kPrevious, out);

  const int status = InterruptBench(out, SIGKILL, logs);
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_EQ(Slurp(out), Slurp(kPrevious));
  EXPECT_EQ(dir.Files(), (std::vector<std::string>{"r.json", "r.json.journal"}));

  std::ofstream(out + ".journal", std::ios::app) << R"({"benchmarks":[{"name":"naive_lo)";
  const std::string journal = Slurp(out + ".journal");
  const CliResult other = RunPoolbench(BenchArgs(out, {"--resume", "--seed", "2"}));
  EXPECT_EQ(other.status, 2);
  EXPECT_TRUE(Contains(other.err, "is of a run with other settings"));
  EXPECT_TRUE(Contains(other.err, "seed: 1 in the journal, 2 now"));
  EXPECT_EQ(Slurp(out + ".journal"), journal) << "a refused resume leaves the journal alone";
  EXPECT_EQ(Slurp(out), Slurp(kPrevious));

  const CliResult resumed = RunPoolbench(BenchArgs(out, {"--resume"}));
  ASSERT_EQ(resumed.status, 0) << resumed.Output();
  EXPECT_TRUE(Contains(resumed.err, "was cut short; it is measured again"));
  EXPECT_EQ(Names(report::ReadJson(out, report::Expect::kPoolbench)), UninterruptedNames());
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"r.json"});
}

// A second SIGINT stops at once: the process dies of the signal without writing a report, so
// the previous one stays, and no temporary file is left; the journal is there to resume from.
TEST(BenchJournalCli, ASecondSigintStopsAtOnceKeepingThePreviousReportAndTheJournal) {
  const testing::TempDir dir("poolbench_journal_cli"), logs("poolbench_journal_cli_logs");
  const std::string out = dir.Path("r.json");
  std::filesystem::copy_file(kPrevious, out);
  const int status = InterruptBench(out, SIGINT, logs, /*twice=*/true);
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status << "\n" << Slurp(logs.Path("err"));
  EXPECT_EQ(WTERMSIG(status), SIGINT);
  EXPECT_EQ(Slurp(out), Slurp(kPrevious));
  EXPECT_EQ(dir.Files(), (std::vector<std::string>{"r.json", "r.json.journal"}));
  const CliResult resumed = RunPoolbench(BenchArgs(out, {"--resume"}));
  ASSERT_EQ(resumed.status, 0) << resumed.Output();
  EXPECT_EQ(Names(report::ReadJson(out, report::Expect::kPoolbench)), UninterruptedNames());
}

// Stopped while it measures the bandwidth, before any result: there is nothing to put in a
// partial report, so the previous report stays.
TEST(BenchJournalCli, StoppedBeforeAnyResultTheRunLeavesThePreviousReport) {
  const testing::TempDir dir("poolbench_journal_cli"), logs("poolbench_journal_cli_logs");
  const std::string out = dir.Path("r.json");
  std::filesystem::copy_file(kPrevious, out);
  std::vector<std::string> args = BenchArgs(out);
  *(std::find(args.begin(), args.end(), "--bandwidth-seconds") + 1) = "1";
  const int status = InterruptBench(out, SIGTERM, logs, false, args, /*journal_lines=*/1);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 143);
  EXPECT_TRUE(Contains(Slurp(logs.Path("err")),
                       "stopped by SIGTERM before any result; " + out + " is left as it was"));
  EXPECT_EQ(Slurp(out), Slurp(kPrevious));
  EXPECT_EQ(dir.Files(), (std::vector<std::string>{"r.json", "r.json.journal"}));

  // A fresh run replaces the unfinished run's journal, saying so, and removes it at the end.
  const CliResult fresh = RunPoolbench(BenchArgs(out));
  ASSERT_EQ(fresh.status, 0) << fresh.Output();
  EXPECT_TRUE(Contains(fresh.err, "replacing " + out + ".journal, the journal of an unfinished"));
  EXPECT_EQ(Names(report::ReadJson(out, report::Expect::kPoolbench)), UninterruptedNames());
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"r.json"});
}

TEST(BenchJournalCli, ResumeWithoutAJournalOrWithACorruptedOneExitsTwo) {
  const testing::TempDir dir("poolbench_journal_cli");
  const std::string out = dir.Path("r.json");
  CliResult r = RunPoolbench(BenchArgs(out, {"--resume"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(Contains(r.err, "there is no journal " + out + ".journal to resume"));

  dir.Write("r.json.journal", R"({"poolbench_journal":1,"settings":{}})"
                              "\nnot json\n"
                              R"({"skipped":{}})"
                              "\n");
  r = RunPoolbench(BenchArgs(out, {"--resume"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(Contains(r.err, out + ".journal:2: corrupted"));
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(BenchJournalCli, AnOutputThatIsASuiteFileIsRefused) {
  const testing::TempDir dir("poolbench_journal_cli");
  const std::string suite = dir.Write("mine.txt", "max:fwd:f32:nchw:1x1x4x4:k2\n");
  const CliResult r = RunPoolbench({"bench", "--suite", "seeds," + suite, "--out", suite});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(Contains(r.err, suite + ": is the input " + suite));
  EXPECT_EQ(Slurp(suite), "max:fwd:f32:nchw:1x1x4x4:k2\n");
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"mine.txt"});
}

TEST(BenchJournalCli, AnOutputThatIsNotARegularFileIsRefusedBeforeAnyTiming) {
  const testing::TempDir dir("poolbench_journal_cli");
  std::filesystem::create_directory(dir.Path("folder"));
  const CliResult r = RunPoolbench(BenchArgs(dir.Path("folder")));
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(Contains(r.err, dir.Path("folder") + " is a directory"));
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"folder"});
}

// A journal path that is a link is refused: writing through it destroyed the file it pointed
// to, and the run then removed the link.
TEST(BenchJournalCli, AJournalThatIsALinkIsRefusedAndTheTargetKept) {
  const testing::TempDir dir("poolbench_journal_cli");
  const std::string out = dir.Path("r.json");
  const std::string victim = dir.Write("victim", "precious\n");
  std::filesystem::create_symlink(victim, out + ".journal");
  for (bool resume : {false, true}) {
    const CliResult r = RunPoolbench(
        BenchArgs(out, resume ? std::vector<std::string>{"--resume"} : std::vector<std::string>{}));
    EXPECT_EQ(r.status, 2) << r.Output();
    EXPECT_TRUE(Contains(r.err, out + ".journal: is a symbolic link")) << r.err;
  }
  EXPECT_EQ(Slurp(victim), "precious\n");
  EXPECT_TRUE(std::filesystem::is_symlink(out + ".journal"));
  EXPECT_FALSE(std::filesystem::exists(out));
}

// Two runs on one report at once: the second is refused with the first's PID instead of
// replacing its live journal (which the first then deleted, leaving nothing to resume).
TEST(BenchJournalCli, ASecondRunOnTheSameReportIsRefusedWithTheFirstsPid) {
  const testing::TempDir dir("poolbench_journal_cli"), logs("poolbench_journal_cli_logs");
  const std::string out = dir.Path("r.json");
  const pid_t first = SpawnBench(BenchArgs(out), logs);
  ASSERT_NE(first, 0);
  while (Lines(out + ".journal") < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string journal = Slurp(out + ".journal");

  const CliResult second = RunPoolbench(BenchArgs(out));
  EXPECT_EQ(second.status, 2) << second.Output();
  EXPECT_TRUE(Contains(second.err, out +
                                       ".journal: is in use by another run of poolbench bench "
                                       "(PID " +
                                       std::to_string(first) + ")"));
  EXPECT_EQ(Slurp(out + ".journal").rfind(journal, 0), 0u) << "the live journal was replaced";

  const int status = io::Wait(first);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << Slurp(logs.Path("err"));
  EXPECT_EQ(Names(report::ReadJson(out, report::Expect::kPoolbench)), UninterruptedNames());
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"r.json"});
}

// A plugin that ignores SIGINT and SIGTERM while loading (as a Python file can at import) gets
// the harness's handling back: the run still stops gracefully with its partial report.
TEST(BenchJournalCli, APluginThatIgnoresInterruptsDoesNotTakeAwayTheGracefulStop) {
  const testing::TempDir dir("poolbench_journal_cli"), logs("poolbench_journal_cli_logs");
  const std::string out = dir.Path("r.json");
  std::vector<std::string> args = {"--plugin", POOLBENCH_TEST_PLUGIN_LOAD_SIGNALS_PLUGIN};
  for (const std::string& a : BenchArgs(out)) args.push_back(a);
  const int status = InterruptBench(out, SIGINT, logs, false, args);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status << "\n" << Slurp(logs.Path("err"));
  EXPECT_EQ(WEXITSTATUS(status), 130) << Slurp(logs.Path("err"));
  EXPECT_TRUE(Contains(Slurp(logs.Path("err")), "changed the handling of SIGINT, SIGTERM"));
  const Json partial = report::ReadJson(out, report::Expect::kPoolbench);
  EXPECT_TRUE(partial["context"]["incomplete"].is_object());
}

}  // namespace
}  // namespace poolbench
