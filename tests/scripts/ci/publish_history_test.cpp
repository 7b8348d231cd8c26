// Tests of scripts/ci/publish_history.sh with the real poolbench against a local bare
// repository as `origin`: the first run creates the branch poolbench-history, later runs add
// their commit to it, a commit measured again replaces its results, every machine's report of a
// commit is added in one transaction, and one bad report leaves the branch as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/history_reports.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

using testing::CliResult;
using testing::Contains;
using testing::RunProgram;

const std::string kScript = std::string(POOLBENCH_SOURCE_DIR) + "/scripts/ci/publish_history.sh";

class PublishHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Git({"init", "-q", "--bare", dir_.Path("origin.git")}, dir_.path());
    Git({"clone", "-q", dir_.Path("origin.git"), Clone()}, dir_.path());
    nlohmann::json r = testing::Report();
    testing::AddTimed(r, "simd", {10, 11, 12});
    report_ = r.dump();
    Machine("x86-64", report_);
  }

  // Lays out one machine's artifact as the fan-in job downloads it: REPORTS/<artifact>/report.json
  // and REPORTS/<artifact>/machine.
  void Machine(const std::string& machine, const std::string& report) const {
    std::filesystem::create_directories(dir_.Path("reports/history-" + machine));
    dir_.Write("reports/history-" + machine + "/report.json", report);
    dir_.Write("reports/history-" + machine + "/machine", machine + "\n");
  }

  std::string Clone() const { return dir_.Path("clone"); }

  CliResult Git(std::vector<std::string> args, const std::string& where) const {
    args.insert(args.begin(), {"git", "-C", where, "-c", "user.name=t", "-c", "user.email=t@t"});
    const CliResult r = RunProgram(args);
    EXPECT_EQ(r.status, 0) << r.Output();
    return r;
  }

  // Commits on the clone's main branch and returns the commit's SHA.
  std::string Commit(const std::string& message) const {
    Git({"commit", "-q", "--allow-empty", "-m", message}, Clone());
    std::string sha = Git({"rev-parse", "HEAD"}, Clone()).out;
    return sha.substr(0, sha.find('\n'));
  }

  CliResult Publish(const std::string& sha) const {
    return RunProgram({"bash", "-c", "cd \"$0\" && exec bash \"$1\" \"$2\" \"$3\" \"$4\"", Clone(),
                       kScript, POOLBENCH_EXE, dir_.Path("reports"), sha});
  }

  std::string OnBranch(const std::string& file) const {
    return Git({"show", "poolbench-history:" + file}, dir_.Path("origin.git")).out;
  }

  testing::TempDir dir_{"publish_history"};
  std::string report_;
};

TEST_F(PublishHistoryTest, CreatesTheBranchThenAddsEachCommit) {
  const std::string first = Commit("first");
  CliResult r = Publish(first);
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.out, "added " + first + " (x86-64) to poolbench-history"));
  EXPECT_TRUE(Contains(OnBranch("history.txt"), "1 benchmark over 1 commit"));
  EXPECT_TRUE(Contains(OnBranch("index.html"), "<!DOCTYPE html>"));

  const std::string second = Commit("second");
  r = Publish(second);
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(OnBranch("history.txt"), "1 benchmark over 2 commits"));
  EXPECT_TRUE(Contains(OnBranch("history.txt"), second.substr(0, 12)));

  // The same commit again (a re-run) replaces its results instead of failing.
  r = Publish(second);
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(OnBranch("history.txt"), "1 benchmark over 2 commits"));
  // main was never touched: the history lives on its own branch.
  EXPECT_FALSE(
      Contains(Git({"ls-tree", "-r", "--name-only", "HEAD"}, Clone()).out, "history.sqlite"));
}

TEST_F(PublishHistoryTest, AddsEveryMachinesReportOfACommitInOneTransaction) {
  Machine("arm64", report_);
  const std::string first = Commit("first");
  CliResult r = Publish(first);
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.out, "added " + first + " (arm64 x86-64) to poolbench-history"));
  const std::string text = OnBranch("history.txt");
  EXPECT_TRUE(Contains(text, "1 benchmark over 1 commit")) << text;
  EXPECT_TRUE(Contains(text, "on 2 machines"));
  EXPECT_TRUE(Contains(text, "\n== machine arm64 ("));
  EXPECT_TRUE(Contains(text, "\n== machine x86-64 ("));
  const std::string before = Git({"rev-parse", "poolbench-history"}, dir_.Path("origin.git")).out;

  // One machine's report is bad: the script fails naming it, and nothing reaches the branch.
  dir_.Write("reports/history-arm64/report.json", testing::Report().dump());
  const std::string second = Commit("second");
  r = Publish(second);
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(Contains(r.err,
                       "history-arm64/report.json: the report has no benchmarks to add "
                       "(nothing was added)"))
      << r.Output();
  EXPECT_EQ(Git({"rev-parse", "poolbench-history"}, dir_.Path("origin.git")).out, before);

  // An artifact without its machine's name is refused before anything is added.
  std::filesystem::remove(dir_.Path("reports/history-arm64/machine"));
  r = Publish(second);
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(Contains(r.err, "history-arm64 has no report.json or no file machine")) << r.Output();
  EXPECT_EQ(Git({"rev-parse", "poolbench-history"}, dir_.Path("origin.git")).out, before);
}

}  // namespace
}  // namespace poolbench
