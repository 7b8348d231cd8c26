// Tests of scripts/ci/post_comment.sh against a fake `gh` on PATH (tests/scripts/ci/fake_gh.py)
// that keeps a pull request's comments in a file: the script creates poolbench's comment once
// and edits it in place afterwards, leaves others' comments alone, and refuses bad input.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/run_cli.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::CliResult;
using testing::Contains;

const std::string kScript = std::string(POOLBENCH_SOURCE_DIR) + "/scripts/ci/post_comment.sh";
const std::string kMarker = "<!-- poolbench -->";

class PostCommentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directory(dir_.Path("bin"));
    const std::string gh = dir_.Path("bin/gh");
    fs::copy_file(std::string(POOLBENCH_SOURCE_DIR) + "/tests/scripts/ci/fake_gh.py", gh);
    ::chmod(gh.c_str(), 0755);
    // Someone else's comments, one of which quotes the marker, on this pull request and another.
    SaveState(
        {{"login", "github-actions[bot]"},
         {"head_sha", "abc123"},
         {"calls", Json::array()},
         {"comments",
          {{{"id", 1}, {"pr", 7}, {"body", "looks good"}, {"user", {{"login", "alice"}}}},
           {{"id", 2}, {"pr", 7}, {"body", "quoting " + kMarker}, {"user", {{"login", "bob"}}}},
           {{"id", 3},
            {"pr", 8},
            {"body", kMarker + "\nother"},
            {"user", {{"login", "github-actions[bot]"}}}}}}});
    dir_.Write("pr_number", "7\n");
  }

  void SaveState(const Json& state) const { dir_.Write("state.json", state.dump()); }
  Json State() const { return Json::parse(testing::Slurp(dir_.Path("state.json"))); }

  CliResult Post(const std::string& body, std::vector<std::string> extra = {},
                 testing::Environment env = {}) const {
    const std::string body_file = dir_.Write("body.md", body);
    std::vector<std::string> argv = {
        "bash", kScript, "--repo", "o/r", "--pr-file", dir_.Path("pr_number"), "--body", body_file};
    argv.insert(argv.end(), extra.begin(), extra.end());
    env.emplace_back("FAKE_GH_STATE", dir_.Path("state.json"));
    env.emplace_back("PATH", dir_.Path("bin") + ":" + std::getenv("PATH"));
    return testing::RunProgram(argv, env);
  }

  // The comments of pull request 7 by the workflow's account.
  std::vector<Json> Ours() const {
    std::vector<Json> out;
    const Json state = State();  // kept alive: the loop runs over a part of it
    for (const Json& c : state["comments"]) {
      if (c["pr"] == 7 && c["user"]["login"] == "github-actions[bot]") out.push_back(c);
    }
    return out;
  }

  testing::TempDir dir_{"post_comment"};
};

TEST_F(PostCommentTest, CreatesOneCommentThenUpdatesItInPlace) {
  const CliResult first = Post("## poolbench\nfirst run\n");
  ASSERT_EQ(first.status, 0) << first.Output();
  EXPECT_TRUE(Contains(first.out, "created the comment on pull request #7"));
  ASSERT_EQ(Ours().size(), 1u);
  EXPECT_EQ(Ours()[0]["body"], kMarker + "\n## poolbench\nfirst run\n");
  const int id = Ours()[0]["id"];

  const CliResult second = Post("## poolbench\nsecond run\n");
  ASSERT_EQ(second.status, 0) << second.Output();
  EXPECT_TRUE(Contains(second.out, "updated comment " + std::to_string(id)));
  ASSERT_EQ(Ours().size(), 1u);
  EXPECT_EQ(Ours()[0]["id"], id);
  EXPECT_EQ(Ours()[0]["body"], kMarker + "\n## poolbench\nsecond run\n");

  // Everyone else's comments, and the one on another pull request, are untouched.
  const Json state = State();
  EXPECT_EQ(state["comments"].size(), 4u);
  EXPECT_EQ(state["comments"][1]["body"], "quoting " + kMarker);
  EXPECT_EQ(state["comments"][2]["body"], kMarker + "\nother");
}

TEST_F(PostCommentTest, FindsItsCommentOnALaterPage) {
  Json state = State();
  for (int i = 0; i < 5; ++i) {
    state["comments"].push_back(
        {{"id", 10 + i}, {"pr", 7}, {"body", "chatter"}, {"user", {{"login", "carol"}}}});
  }
  state["comments"].push_back({{"id", 20},
                               {"pr", 7},
                               {"body", kMarker + "\nold"},
                               {"user", {{"login", "github-actions[bot]"}}}});
  SaveState(state);
  const CliResult r = Post("new");
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.out, "updated comment 20"));
  ASSERT_EQ(Ours().size(), 1u);
  EXPECT_EQ(Ours()[0]["body"], kMarker + "\nnew");
}

TEST_F(PostCommentTest, PostsNothingWhenThePullRequestMovedOn) {
  const CliResult r = Post("result", {"--head-sha", "old456"});
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.out, "not posting: pull request #7 is at abc123"));
  EXPECT_TRUE(Ours().empty());
  const CliResult current = Post("result", {"--head-sha", "abc123"});
  ASSERT_EQ(current.status, 0) << current.Output();
  EXPECT_EQ(Ours().size(), 1u);
}

TEST_F(PostCommentTest, ALongBodyIsCutWithANote) {
  const CliResult r = Post(std::string(70000, 'x'));
  ASSERT_EQ(r.status, 0) << r.Output();
  const std::string body = Ours().at(0)["body"];
  EXPECT_LT(body.size(), 65536u);
  EXPECT_TRUE(Contains(body, "(cut: the full comparison is in the workflow run's artifacts)"));
}

TEST_F(PostCommentTest, BadInputAndApiFailuresFailLoudly) {
  dir_.Write("pr_number", "7; rm -rf /\n");
  CliResult r = Post("x");
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(Contains(r.err, "does not hold a pull request number"));
  dir_.Write("pr_number", "7");

  r = Post("x", {"--repo", "not a repo"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(Contains(r.err, "--repo must be OWNER/NAME"));

  r = Post("x", {}, {{"FAKE_GH_FAIL", "1"}});
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(Contains(r.err, "HTTP 403"));
  EXPECT_TRUE(Ours().empty());
}

}  // namespace
}  // namespace poolbench
