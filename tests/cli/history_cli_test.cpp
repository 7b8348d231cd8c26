// End-to-end tests of `poolbench history` through the real executable: a history built from
// reports of ten commits, the step it shows, the page it writes, and the errors of bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

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
  EXPECT_TRUE(Contains(
      r.out,
      "2 benchmarks over 10 commits (2026-11-01 to 2026-11-10) on 1 machine; 1 step found."));
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
  EXPECT_TRUE(Contains(
      r.out, "wrote " + Path("h.html") + " (2 benchmarks, 10 commits, 1 machines, 1 steps)"));
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

// history html used to write its page over the database it read, through a link too: the
// whole history was gone. Every output is checked against the command's inputs.
TEST_F(HistoryCliTest, NoCommandWritesOverTheDatabaseOrTheReportItReads) {
  AddTen();
  const std::string db = Path("h.sqlite");
  const std::string before = testing::Slurp(db);
  fs::create_symlink(db, Path("link.html"));
  for (const std::string& out : {db, Path("link.html")}) {
    const CliResult r = RunPoolbench({"history", "html", "--db", db, "--out", out});
    EXPECT_EQ(r.status, 2) << r.Output();
    EXPECT_TRUE(Contains(r.err, ": is the input " + db)) << r.err;
  }
  EXPECT_EQ(testing::Slurp(db), before);
  EXPECT_TRUE(fs::is_symlink(Path("link.html")));

  const std::string report = ReportOf(0);
  const std::string report_text = testing::Slurp(report);
  const CliResult add =
      RunPoolbench({"history", "add", report, "--db", report, "--commit", "c0ffee"});
  EXPECT_EQ(add.status, 2) << add.Output();
  EXPECT_TRUE(Contains(add.err, ": is the input " + report));
  EXPECT_EQ(testing::Slurp(report), report_text);
}

// Two `history add` into one new database at once used to fail one time in eight with "table
// schema_version already exists": the schema is made in one transaction now.
TEST_F(HistoryCliTest, ConcurrentAddsToANewDatabaseAllSucceed) {
  const std::string a = ReportOf(0), b = ReportOf(1);
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::string db = Path("new" + std::to_string(attempt) + ".sqlite");
    std::vector<std::string> base = {POOLBENCH_EXE, "--no-default-plugins", "history", "add"};
    std::vector<pid_t> pids;
    for (const auto& [report, commit] : {std::pair{a, Commit(0)}, std::pair{b, Commit(1)}}) {
      std::vector<std::string> argv = base;
      argv.insert(argv.end(), {report, "--db", db, "--commit", commit});
      pids.push_back(io::Spawn(argv));
    }
    for (pid_t pid : pids) {
      const int status = io::Wait(pid);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "attempt " << attempt;
    }
    const CliResult show = RunPoolbench({"history", "show", "--db", db});
    EXPECT_EQ(show.status, 0) << show.Output();
  }
}

// SQLite stores any type in any column and reads text as 0 where a number is asked for: a
// database edited by hand showed "0.00 ns". It is refused, naming the row and the column.
TEST_F(HistoryCliTest, AValueOfTheWrongTypeIsRefusedNotShownAsZero) {
  AddTen();
  {
    const CliResult r = RunPoolbench({"history", "show", "--db", Path("h.sqlite")});
    ASSERT_EQ(r.status, 0) << r.Output();
  }
  ASSERT_EQ(testing::RunProgram({"/usr/bin/python3", "-c",
                                 "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                                 "c.execute(\"UPDATE results SET time_ns='fast' WHERE id=3\"); "
                                 "c.commit()",
                                 Path("h.sqlite")})
                .status,
            0);
  for (const char* view : {"show", "html"}) {
    std::vector<std::string> args = {"history", view, "--db", Path("h.sqlite")};
    if (std::string(view) == "html") args.insert(args.end(), {"--out", Path("h.html")});
    const CliResult r = RunPoolbench(args);
    EXPECT_EQ(r.status, 2) << r.Output();
    EXPECT_TRUE(Contains(r.err,
                         "results row 3, column time_ns: text where a number belongs (the "
                         "row holds 'fast')"));
    EXPECT_FALSE(Contains(r.out, "0.00 ns"));
  }
  EXPECT_FALSE(fs::exists(Path("h.html")));
}

// A CI matrix measures each commit on several machines: every machine's run is kept, and each
// machine's series is shown (and tested for steps) on its own.
TEST_F(HistoryCliTest, TwoMachinesReportsOfOneCommitAreKeptAndShownSeparately) {
  AddTen();  // on the reports' host, ci-1
  for (int i = 0; i < 10; ++i) {
    const CliResult r = Add(i, {"--machine", "arm-1"});
    ASSERT_EQ(r.status, 0) << r.Output();
    EXPECT_TRUE(Contains(r.out, "added 2 benchmarks of commit " + Commit(i) +
                                    " on machine arm-1 to " + Path("h.sqlite")));
  }
  const CliResult all = RunPoolbench({"history", "show", "--db", Path("h.sqlite")});
  ASSERT_EQ(all.status, 0) << all.Output();
  EXPECT_TRUE(Contains(all.out,
                       "2 benchmarks over 10 commits (2026-11-01 to 2026-11-10) on 2 "
                       "machines; 2 steps found."));
  EXPECT_TRUE(Contains(all.out, "at commit601234 (2026-11-07) on arm-1, p = "));
  EXPECT_TRUE(Contains(all.out, "at commit601234 (2026-11-07) on ci-1, p = "));
  EXPECT_TRUE(Contains(all.out, "\n== machine arm-1 ("));
  EXPECT_TRUE(Contains(all.out, "\n== machine ci-1 ("));

  const CliResult one =
      RunPoolbench({"history", "show", "--db", Path("h.sqlite"), "--machine", "arm-1"});
  ASSERT_EQ(one.status, 0) << one.Output();
  EXPECT_TRUE(Contains(one.out, "over 10 commits (2026-11-01 to 2026-11-10) on 1 machine; 1 step"));
  EXPECT_FALSE(Contains(one.out, "ci-1 ("));

  const std::string simd = "simd/" + testing::kDescriptor + "/threads:1";
  const CliResult side =
      RunPoolbench({"history", "show", "--db", Path("h.sqlite"), "--benchmark", simd});
  ASSERT_EQ(side.status, 0) << side.Output();
  EXPECT_TRUE(Contains(side.out, simd + " on 2 machines, side by side"));
  EXPECT_TRUE(Contains(side.out, "  commit        date        arm-1       ci-1\n"));
  EXPECT_TRUE(Contains(side.out, "  * step on arm-1: +"));
  EXPECT_TRUE(Contains(side.out, "  * step on ci-1: +"));

  const CliResult html =
      RunPoolbench({"history", "html", "--db", Path("h.sqlite"), "--out", Path("h.html")});
  ASSERT_EQ(html.status, 0) << html.Output();
  EXPECT_TRUE(Contains(html.out, "(2 benchmarks, 10 commits, 2 machines, 2 steps)"));
  EXPECT_TRUE(Contains(testing::Slurp(Path("h.html")), "<br>on <b>arm-1</b></figcaption>"));
  const CliResult arm_page = RunPoolbench({"history", "html", "--db", Path("h.sqlite"), "--out",
                                           Path("arm.html"), "--machine", "arm-1"});
  ASSERT_EQ(arm_page.status, 0) << arm_page.Output();
  EXPECT_FALSE(Contains(testing::Slurp(Path("arm.html")), "<b>ci-1</b>"));

  const CliResult unknown =
      RunPoolbench({"history", "show", "--db", Path("h.sqlite"), "--machine", "sparc"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_TRUE(Contains(unknown.err,
                       "'sparc' is no machine of " + Path("h.sqlite") + " (it has arm-1, ci-1)"));
  const CliResult no_benchmark =
      RunPoolbench({"history", "show", "--db", Path("h.sqlite"), "--benchmark", "simd"});
  EXPECT_EQ(no_benchmark.status, 2);
  EXPECT_TRUE(Contains(no_benchmark.err, "'simd' is no benchmark in"));
}

TEST_F(HistoryCliTest, AMachineAndCommitAddedTwiceIsRefusedUnlessReplaced) {
  ASSERT_EQ(Add(0, {"--machine", "x86"}).status, 0);
  ASSERT_EQ(Add(0, {"--machine", "arm"}).status, 0);
  const CliResult again = Add(0, {"--machine", "arm"});
  EXPECT_EQ(again.status, 2);
  EXPECT_TRUE(Contains(again.err, "commit " + Commit(0) + " is already in " + Path("h.sqlite") +
                                      " for machine arm (give --replace"));
  EXPECT_EQ(Add(0, {"--machine", "arm", "--replace"}).status, 0);
  const CliResult show = RunPoolbench({"history", "show", "--db", Path("h.sqlite")});
  EXPECT_TRUE(Contains(show.out, "over 1 commit (2026-11-01 to 2026-11-01) on 2 machines"))
      << show.Output();
}

// The CI fan-in job: every machine's report of a commit in one `history add`, one transaction.
TEST_F(HistoryCliTest, SeveralReportsAreAddedInOneTransactionOrNotAtAll) {
  const std::string db = Path("h.sqlite");
  const CliResult fan_in = RunPoolbench(
      {"history", "add", ReportOf(0), ReportOf(1), ReportOf(2), "--db", db, "--commit", Commit(0),
       "--machine", "x86", "--machine", "avx512", "--machine", "arm", "--date", "2026-11-01"});
  ASSERT_EQ(fan_in.status, 0) << fan_in.Output();
  for (const char* machine : {"x86", "avx512", "arm"}) {
    EXPECT_TRUE(Contains(fan_in.out, "added 2 benchmarks of commit " + Commit(0) + " on machine " +
                                         machine + " to " + db));
  }
  const std::string before = testing::Slurp(db);

  // A bad report among good ones: nothing is added, and the error names it.
  const std::string empty = dir_.Write("empty.json", testing::Report().dump());
  const CliResult bad = RunPoolbench({"history", "add", ReportOf(3), empty, "--db", db, "--commit",
                                      Commit(1), "--machine", "x86", "--machine", "arm"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_TRUE(
      Contains(bad.err, empty + ": the report has no benchmarks to add (nothing was added)"))
      << bad.err;
  const std::string broken = dir_.Write("broken.json", "{\"context\": ");
  const CliResult unreadable =
      RunPoolbench({"history", "add", ReportOf(3), broken, "--db", db, "--commit", Commit(1),
                    "--machine", "x86", "--machine", "arm"});
  EXPECT_EQ(unreadable.status, 2);
  EXPECT_TRUE(Contains(unreadable.err, broken)) << unreadable.err;
  // A run already stored, found inside the transaction, rolls back the others too.
  const CliResult stored =
      RunPoolbench({"history", "add", ReportOf(3), ReportOf(4), "--db", db, "--commit", Commit(0),
                    "--machine", "new", "--machine", "arm"});
  EXPECT_EQ(stored.status, 2);
  EXPECT_TRUE(Contains(stored.err, "is already in " + db + " for machine arm")) << stored.err;
  // Machines must be one per report.
  const CliResult count = RunPoolbench({"history", "add", ReportOf(3), ReportOf(4), "--db", db,
                                        "--commit", Commit(1), "--machine", "x86"});
  EXPECT_EQ(count.status, 2);
  EXPECT_TRUE(Contains(count.err,
                       "give one --machine per report, in their order (2 reports, 1 "
                       "machines)"));
  EXPECT_EQ(testing::Slurp(db), before);
  const CliResult show = RunPoolbench({"history", "show", "--db", db});
  EXPECT_TRUE(Contains(show.out, "over 1 commit (2026-11-01 to 2026-11-01) on 3 machines"))
      << show.Output();
}

// tests/data/history_v1.sqlite was written by poolbench before runs were kept per machine
// (schema version 1: two commits of tests/data/sample_report.json, host ci-1). It is copied,
// never changed in place.
TEST_F(HistoryCliTest, AVersion1HistoryIsRefusedByReadersAndMigratedByWriters) {
  const std::string old = std::string(POOLBENCH_SOURCE_DIR) + "/tests/data/history_v1.sqlite";
  const std::string db = Path("old.sqlite");
  fs::copy_file(old, db);
  const std::string before = testing::Slurp(db);
  const CliResult refused = RunPoolbench({"history", "show", "--db", db});
  EXPECT_EQ(refused.status, 2);
  EXPECT_TRUE(Contains(refused.err, db + " has schema version 1 (one run per commit"));
  EXPECT_TRUE(Contains(refused.err, "`poolbench history migrate --db " + db + "` converts it"));
  EXPECT_EQ(testing::Slurp(db), before);

  const CliResult migrated = RunPoolbench({"history", "migrate", "--db", db});
  ASSERT_EQ(migrated.status, 0) << migrated.Output();
  EXPECT_TRUE(
      Contains(migrated.out, "migrated " + db + " from schema version 1 to 2 (2 runs kept"));
  const CliResult show = RunPoolbench({"history", "show", "--db", db});
  ASSERT_EQ(show.status, 0) << show.Output();
  EXPECT_TRUE(Contains(show.out,
                       "11 benchmarks over 2 commits (2026-11-01 to 2026-11-02) on 1 "
                       "machine; 0 steps found."));
  EXPECT_TRUE(Contains(show.out, "\n== machine ci-1 (Intel(R) Xeon(R) Processor): 2 commits ==\n"));
  EXPECT_TRUE(Contains(show.out, "  111111111111  2026-11-01  51.0 ms    1.65\n"));
  const CliResult again = RunPoolbench({"history", "migrate", "--db", db});
  EXPECT_TRUE(Contains(again.out, db + " is already at schema version 2")) << again.Output();

  // history add migrates by itself, then adds the commit on a second machine.
  const std::string db2 = Path("old2.sqlite");
  fs::copy_file(old, db2);
  const CliResult add =
      RunPoolbench({"history", "add", ReportOf(0), "--db", db2, "--commit",
                    "1111111111111111111111111111111111111111", "--machine", "arm-1"});
  ASSERT_EQ(add.status, 0) << add.Output();
  EXPECT_TRUE(Contains(add.out, "migrated " + db2 + " from schema version 1 to 2\n"));
  const CliResult show2 = RunPoolbench({"history", "show", "--db", db2});
  EXPECT_TRUE(Contains(show2.out, "13 benchmarks over 2 commits")) << show2.Output();
  EXPECT_TRUE(Contains(show2.out, "on 2 machines"));

  const CliResult missing = RunPoolbench({"history", "migrate", "--db", Path("none.sqlite")});
  EXPECT_EQ(missing.status, 2);
  EXPECT_TRUE(Contains(missing.err, "does not exist"));
  EXPECT_FALSE(fs::exists(Path("none.sqlite")));
}

// Numeric options are refused with their range in words, not "Value 0 not in range 0.000000 to
// 1.79e308".
TEST_F(HistoryCliTest, OptionsOutOfRangeSayTheirRange) {
  AddTen();
  const CliResult r =
      RunPoolbench({"history", "show", "--db", Path("h.sqlite"), "--min-commits", "0"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, "'0' is out of range: expected an integer in [1, 1000000]"));
  EXPECT_FALSE(Contains(r.err, "1.79e308"));
  EXPECT_EQ(RunPoolbench({"history", "show", "--db", Path("h.sqlite"), "--alpha", "nan"}).status,
            2);
}

}  // namespace
}  // namespace poolbench
