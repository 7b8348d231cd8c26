// End-to-end tests of `poolbench history` through the real executable: a history built from
// reports of ten commits, the step it shows, the page it writes, and the errors of bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/history_reports.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::Contains;
using testing::RunPoolbench;

class HistoryCliTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Path(name); }

  // The report of commit `i`: simd takes 100 us before commit 6 and 130 us from it on,
  // lookup_table 200 us throughout, both with a little noise.
  std::string ReportOf(int i) const {
    nlohmann::json r = testing::Report();
    std::string date = i < 9 ? "2026-11-0" : "2026-11-";
    date += std::to_string(i + 1);
    date += "T12:00:00+00:00";
    r["context"]["date"] = date;
    const double simd = (i < 6 ? 100.0 : 130.0) + i % 3;
    testing::AddTimed(r, "simd", {simd, simd + 1, simd - 1});
    testing::AddTimed(r, "lookup_table", {200.0 + i % 2, 201, 199});
    return dir_.Write("r" + std::to_string(i) + ".json", r.dump(1));
  }

  static std::string Commit(int i) {
    std::string commit = "commit";
    commit += std::to_string(i);
    return commit + "0123456789abcdef";
  }

  CliResult Add(int i, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"history",        "add",      ReportOf(i), "--db",
                                     Path("h.sqlite"), "--commit", Commit(i)};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunPoolbench(args);
  }

  void AddTen() const {
    for (int i = 0; i < 10; ++i) {
      const CliResult r = Add(i);
      ASSERT_EQ(r.status, 0) << r.Output();
      ASSERT_TRUE(Contains(r.out, "added 2 benchmarks of commit " + Commit(i)));
    }
  }

  testing::TempDir dir_{"history_cli"};
};

TEST_F(HistoryCliTest, ShowNamesTheFirstCommitAfterTheStep) {
  AddTen();
  const CliResult r = RunPoolbench({"history", "show", "--db", Path("h.sqlite")});
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(
      Contains(r.out, "2 benchmarks over 10 commits (2026-11-01 to 2026-11-10); 1 step found."));
  EXPECT_TRUE(
      Contains(r.out, "slower  simd/" + testing::kDescriptor + "/threads:1  at commit601234"));
  EXPECT_TRUE(Contains(r.out, "  commit601234  2026-11-07  130 µs"));
  EXPECT_TRUE(Contains(r.out, "<- step +"));
  EXPECT_TRUE(Contains(r.out, "\nlookup_table/" + testing::kDescriptor + "/threads:1\n"));

  const CliResult only =
      RunPoolbench({"history", "show", "--db", Path("h.sqlite"), "--filter", "^lookup"});
  ASSERT_EQ(only.status, 0) << only.Output();
  EXPECT_TRUE(Contains(only.out, "1 benchmark over 10 commits"));
  EXPECT_TRUE(Contains(only.out, "0 steps found."));

  // A stricter minimum effect than the step's 30% leaves it out.
  const CliResult strict =
      RunPoolbench({"history", "show", "--db", Path("h.sqlite"), "--min-effect", "0.5"});
  EXPECT_TRUE(Contains(strict.out, "0 steps found.")) << strict.Output();
}

TEST_F(HistoryCliTest, HtmlWritesASelfContainedPage) {
  AddTen();
  const CliResult r =
      RunPoolbench({"history", "html", "--db", Path("h.sqlite"), "--out", Path("h.html")});
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.out, "wrote " + Path("h.html") + " (2 benchmarks, 10 commits, 1 steps)"));
  const std::string html = testing::Slurp(Path("h.html"));
  EXPECT_TRUE(Contains(html, "<svg "));
  EXPECT_TRUE(Contains(html, "at commit6"));
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);

  // An output that cannot be written: a clear error, and no page.
  const CliResult bad =
      RunPoolbench({"history", "html", "--db", Path("h.sqlite"), "--out", Path("missing/h.html")});
  EXPECT_EQ(bad.status, 2);
  EXPECT_TRUE(Contains(bad.err, "missing/h.html"));
}

TEST_F(HistoryCliTest, ACommitAddedTwiceIsRefusedUnlessReplaced) {
  ASSERT_EQ(Add(0).status, 0);
  const CliResult again = Add(0);
  EXPECT_EQ(again.status, 2);
  EXPECT_TRUE(Contains(again.err, "commit " + Commit(0) + " is already in"));
  EXPECT_TRUE(Contains(again.err, "--replace"));
  const CliResult replaced = Add(0, {"--replace"});
  EXPECT_EQ(replaced.status, 0) << replaced.Output();
}

TEST_F(HistoryCliTest, ANonSqliteFileIsAClearErrorAndIsLeftAlone) {
  const std::string junk = std::string(2048, 'j');
  const std::string db = dir_.Write("junk.sqlite", junk);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"history", "add", ReportOf(0), "--db", db, "--commit", "c"},
        std::vector<std::string>{"history", "show", "--db", db}}) {
    const CliResult r = RunPoolbench(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(Contains(r.err, db + " is not a poolbench history: it cannot be read as a SQLite "
                                     "database"));
  }
  EXPECT_EQ(testing::Slurp(db), junk);
}

TEST_F(HistoryCliTest, BadInputIsRefusedWithoutCreatingADatabase) {
  const std::string bad = dir_.Write("bad.json", "{\"context\": {}}");
  const CliResult r =
      RunPoolbench({"history", "add", bad, "--db", Path("h.sqlite"), "--commit", "c1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(Contains(r.err, "bad.json"));
  EXPECT_FALSE(fs::exists(Path("h.sqlite")));

  // A report without benchmarks adds nothing, and a history without commits shows nothing.
  const std::string empty = dir_.Write("empty.json", testing::Report().dump());
  const CliResult none =
      RunPoolbench({"history", "add", empty, "--db", Path("empty.sqlite"), "--commit", "c1"});
  EXPECT_EQ(none.status, 2);
  EXPECT_TRUE(Contains(none.err, "the report has no benchmarks to add"));
  const CliResult nothing = RunPoolbench({"history", "show", "--db", Path("empty.sqlite")});
  EXPECT_EQ(nothing.status, 2);
  EXPECT_TRUE(Contains(nothing.err, "has no commits yet"));

  const CliResult missing = RunPoolbench({"history", "show", "--db", Path("none.sqlite")});
  EXPECT_EQ(missing.status, 2);
  EXPECT_TRUE(Contains(missing.err, "does not exist"));

  ASSERT_EQ(Add(0).status, 0);
  const CliResult filter =
      RunPoolbench({"history", "show", "--db", Path("h.sqlite"), "--filter", "nothing"});
  EXPECT_EQ(filter.status, 2);
  EXPECT_TRUE(Contains(filter.err, "'nothing' matches no benchmark"));
  const CliResult date = Add(1, {"--date", "last tuesday"});
  EXPECT_EQ(date.status, 2);
  EXPECT_TRUE(Contains(date.err, "'last tuesday' is not an ISO 8601 date"));
}

}  // namespace
}  // namespace poolbench
