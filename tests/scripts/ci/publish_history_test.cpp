// Tests of scripts/ci/publish_history.sh with the real poolbench against a local bare
// repository as `origin`: the first run creates the branch poolbench-history, later runs add
// their commit to it, and a commit measured again replaces its results.
#include <gtest/gtest.h>

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
    report_ = dir_.Write("report.json", r.dump());
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
                       kScript, POOLBENCH_EXE, report_, sha});
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
  EXPECT_TRUE(Contains(r.out, "added " + first + " to poolbench-history"));
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

}  // namespace
}  // namespace poolbench
