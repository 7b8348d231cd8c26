#include "history/store.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "history/sqlite.hpp"
#include "support/history_reports.hpp"
#include "support/report_model.hpp"
#include "support/temp_dir.hpp"

namespace poolbench::history {
namespace {

using testing::AddTimed;
using testing::AddWrong;
using testing::BenchmarkName;
using testing::Contains;
using testing::TempDir;

report::Run M(const report::Json& j) { return testing::Model(j); }

report::Json TwoBenchmarks(double scale = 1) {
  report::Json r = testing::Report();
  AddTimed(r, "lookup_table", {10 * scale, 30 * scale, 20 * scale});
  AddWrong(r, "strided_view");
  return r;
}

std::string Message(const std::function<void()>& f) {
  try {
    f();
  } catch (const HistoryError& e) {
    return e.what();
  }
  return "(no HistoryError)";
}

TEST(HistoryStore, RoundTripKeepsEveryBenchmarkWithItsCommitContextAndSamples) {
  TempDir dir("history_store");
  const std::string db = dir.Path("h.sqlite");
  {
    Store store(db, Store::Mode::kCreate);
    EXPECT_EQ(store.Add(M(TwoBenchmarks()), {"aaa111", "2026-11-02T10:00:00+02:00", "main"}, false),
              2u);
    EXPECT_EQ(store.Add(M(TwoBenchmarks(2)), {"bbb222", "2026-11-03", "main"}, false), 2u);
  }
  Store store(db, Store::Mode::kRead);
  const std::vector<history::Run> runs = store.Runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].commit, "aaa111");
  EXPECT_EQ(runs[0].date, "2026-11-02T08:00:00Z");  // stored in UTC
  EXPECT_EQ(runs[0].machine, "ci-1");
  EXPECT_EQ(runs[0].cpu, "Intel(R) Xeon(R) Processor");
  EXPECT_EQ(runs[0].benchmarks, 2);

  const std::vector<Series> series = store.Load();
  ASSERT_EQ(series.size(), 2u);
  const Series& timed = series[0];
  EXPECT_EQ(timed.name, BenchmarkName("lookup_table"));
  EXPECT_EQ(timed.strategy, "lookup_table");
  EXPECT_EQ(timed.descriptor, testing::kDescriptor);
  EXPECT_EQ(timed.threads, 1);
  ASSERT_EQ(timed.points.size(), 2u);
  // The median of the repetitions (20 us), not the aggregate entry's time.
  EXPECT_DOUBLE_EQ(*timed.points[0].time_ns, 20000);
  EXPECT_DOUBLE_EQ(*timed.points[1].time_ns, 40000);
  EXPECT_DOUBLE_EQ(*timed.points[0].gbps, 50);
  EXPECT_EQ(timed.points[0].samples_ns, (std::vector<double>{10000, 30000, 20000}));
  EXPECT_EQ(timed.points[1].commit, "bbb222");
  EXPECT_EQ(timed.points[1].branch, "main");

  const Series& wrong = series[1];
  EXPECT_EQ(wrong.strategy, "strided_view");
  EXPECT_TRUE(wrong.points[0].wrong);
  EXPECT_FALSE(wrong.points[0].time_ns.has_value());
}

TEST(HistoryStore, AggregatesOnlyReportsStoreTheMedianAggregate) {
  TempDir dir("history_store");
  report::Json r = testing::Report();
  AddTimed(r, "simd", {1, 2, 3});
  // Only the median aggregate (12345 us) is left.
  r["benchmarks"] = report::Json::array({r["benchmarks"].back()});
  Store store(dir.Path("h.sqlite"), Store::Mode::kCreate);
  store.Add(M(r), {"c1", "2026-11-01", "main"}, false);
  const std::vector<Series> series = store.Load();
  ASSERT_EQ(series.size(), 1u);
  EXPECT_DOUBLE_EQ(*series[0].points[0].time_ns, 12345e3);
  EXPECT_TRUE(series[0].points[0].samples_ns.empty());
}

TEST(HistoryStore, PointsAreOrderedByDateNotByWhenTheyWereAdded) {
  TempDir dir("history_store");
  Store store(dir.Path("h.sqlite"), Store::Mode::kCreate);
  store.Add(M(TwoBenchmarks()), {"later", "2026-11-05T00:00:00Z", "main"}, false);
  store.Add(M(TwoBenchmarks()), {"earlier", "2026-11-05T01:00:00+02:00", "main"}, false);
  const std::vector<history::Run> runs = store.Runs();
  EXPECT_EQ(runs[0].commit, "earlier");
  EXPECT_EQ(runs[1].commit, "later");
}

TEST(HistoryStore, TheReportDateIsTheDefault) {
  TempDir dir("history_store");
  Store store(dir.Path("h.sqlite"), Store::Mode::kCreate);
  store.Add(M(TwoBenchmarks()), {"c1", "", "main"}, false);
  EXPECT_EQ(store.Runs()[0].date, "2026-11-22T03:30:00Z");
}

TEST(HistoryStore, ACommitAlreadyStoredIsRefusedUnlessReplaced) {
  TempDir dir("history_store");
  Store store(dir.Path("h.sqlite"), Store::Mode::kCreate);
  store.Add(M(TwoBenchmarks()), {"c1", "2026-11-01", "main"}, false);
  EXPECT_TRUE(Contains(Message([&] {
                         store.Add(M(TwoBenchmarks(3)), {"c1", "2026-11-01", "main"}, false);
                       }),
                       "commit c1 is already in"));
  // Refused without a trace: still the first report's time.
  EXPECT_DOUBLE_EQ(*store.Load()[0].points.at(0).time_ns, 20000);
  ASSERT_EQ(store.Load()[0].points.size(), 1u);

  store.Add(M(TwoBenchmarks(3)), {"c1", "2026-11-01", "main"}, true);
  const std::vector<Series> series = store.Load();
  ASSERT_EQ(series[0].points.size(), 1u);
  EXPECT_DOUBLE_EQ(*series[0].points[0].time_ns, 60000);
  EXPECT_EQ(series[0].points[0].samples_ns.size(), 3u);  // the old samples went with the old run
}

TEST(HistoryStore, BadInputIsRefusedAndAddsNothing) {
  TempDir dir("history_store");
  Store store(dir.Path("h.sqlite"), Store::Mode::kCreate);
  EXPECT_TRUE(Contains(Message([&] {
                         store.Add(M(testing::Report()), {"c1", "2026-11-01", "main"}, false);
                       }),
                       "no benchmarks"));
  EXPECT_TRUE(Contains(Message([&] {
                         store.Add(M(TwoBenchmarks()), {"c 1", "2026-11-01", "main"}, false);
                       }),
                       "without spaces"));
  EXPECT_TRUE(Contains(Message([&] {
                         store.Add(M(TwoBenchmarks()), {"c1", "yesterday", "main"}, false);
                       }),
                       "'yesterday' is not an ISO 8601 date"));
  EXPECT_TRUE(Contains(Message([&] {
                         store.Add(M(TwoBenchmarks()), {"c1", "2026-13-01", "main"}, false);
                       }),
                       "not a valid date"));
  EXPECT_TRUE(store.Runs().empty());
}

TEST(HistoryStore, AFailureHalfWayRollsTheReportBack) {
  TempDir dir("history_store");
  Store store(dir.Path("h.sqlite"), Store::Mode::kCreate);
  report::Json r = TwoBenchmarks();
  // A repetition whose time SQLite cannot store is not possible with a validated report, so
  // make the second benchmark collide with a trigger that fails its insert.
  {
    Database db(dir.Path("h.sqlite"), false);
    db.Execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON results WHEN NEW.strategy = 'strided_view' "
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  }
  EXPECT_TRUE(Contains(Message([&] {
                         store.Add(M(r), {"c1", "2026-11-01", "main"}, false);
                       }),
                       "refused by the test"));
  EXPECT_TRUE(store.Runs().empty());
  EXPECT_TRUE(store.Load().empty());
}

TEST(HistoryStore, AnotherSchemaVersionIsRefused) {
  TempDir dir("history_store");
  const std::string db = dir.Path("h.sqlite");
  { Store store(db, Store::Mode::kCreate); }
  {
    Database raw(db, false);
    raw.Execute("UPDATE schema_version SET version = 99");
  }
  for (Store::Mode mode : {Store::Mode::kCreate, Store::Mode::kRead}) {
    const std::string m = Message([&] { Store store(db, mode); });
    EXPECT_TRUE(Contains(m, "has schema version 99; this poolbench reads version 2")) << m;
  }
}

TEST(HistoryStore, AFileThatIsNotSqliteIsRefusedAndLeftAlone) {
  TempDir dir("history_store");
  const std::string junk = "{\"this is\": \"a report, not a database\"}\n" + std::string(600, 'x');
  const std::string db = dir.Write("h.sqlite", junk);
  const std::string m = Message([&] { Store store(db, Store::Mode::kCreate); });
  EXPECT_TRUE(Contains(m, "is not a poolbench history: it cannot be read as a SQLite database"))
      << m;
  EXPECT_EQ(testing::Slurp(db), junk);
}

TEST(HistoryStore, ADamagedHistoryIsAClearError) {
  TempDir dir("history_store");
  const std::string db = dir.Path("h.sqlite");
  {
    Store store(db, Store::Mode::kCreate);
    store.Add(M(TwoBenchmarks()), {"c1", "2026-11-01", "main"}, false);
  }
  // Keep the first page (the header and the schema), overwrite the tables' pages.
  std::string bytes = testing::Slurp(db);
  ASSERT_GT(bytes.size(), 8192u);
  std::fill(bytes.begin() + 4096, bytes.end(), '\xff');
  dir.Write("h.sqlite", bytes);
  const std::string m = Message([&] {
    Store store(db, Store::Mode::kRead);
    store.Load();
  });
  EXPECT_TRUE(Contains(m, db)) << m;
  EXPECT_TRUE(Contains(m, "malformed")) << m;
}

TEST(HistoryStore, ASqliteDatabaseOfSomethingElseIsRefused) {
  TempDir dir("history_store");
  const std::string db = dir.Path("other.sqlite");
  {
    Database raw(db, true);
    raw.Execute("CREATE TABLE people (name TEXT)");
  }
  EXPECT_TRUE(Contains(Message([&] { Store store(db, Store::Mode::kCreate); }),
                       "is a SQLite database but not a poolbench history"));
}

TEST(HistoryStore, ReadingNeedsAnExistingNonEmptyHistory) {
  TempDir dir("history_store");
  EXPECT_TRUE(Contains(Message([&] { Store store(dir.Path("none.sqlite"), Store::Mode::kRead); }),
                       "does not exist"));
  EXPECT_FALSE(std::filesystem::exists(dir.Path("none.sqlite")));
  const std::string empty = dir.Write("empty.sqlite", "");
  EXPECT_TRUE(Contains(Message([&] { Store store(empty, Store::Mode::kRead); }), "is empty"));
}

// Several processes creating one new history at once: each one's schema is made in one
// transaction after looking again inside it, so every one of them adds its commit.
TEST(HistoryStore, ConcurrentCreatorsOfOneNewHistoryAllSucceed) {
  TempDir dir("history_store");
  for (int attempt = 0; attempt < 8; ++attempt) {
    // (Appended, not "h" + ...: GCC 12 misreads that concatenation as overlapping, -Wrestrict.)
    std::string name = "h";
    name += std::to_string(attempt);
    const std::string db = dir.Path(name + ".sqlite");
    std::vector<pid_t> children;
    for (int i = 0; i < 3; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        try {
          Store store(db, Store::Mode::kCreate);
          store.Add(M(TwoBenchmarks()), {"c" + std::to_string(i), "2026-11-01", "main"}, false);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "creator %d: %s\n", i, e.what());
          _exit(1);
        }
        _exit(0);
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      waitpid(pid, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "attempt " << attempt;
    }
    EXPECT_EQ(Store(db, Store::Mode::kRead).Runs().size(), 3u);
  }
}

// A history another process holds locked is in use, not damaged: the message says so, rather
// than "not a poolbench history" (which invites deleting a good file).
TEST(HistoryStore, ADatabaseLockedByAnotherProcessIsReportedAsLocked) {
  TempDir dir("history_store");
  const std::string db = dir.Path("h.sqlite");
  {
    Store store(db, Store::Mode::kCreate);
    store.Add(M(TwoBenchmarks()), {"c1", "2026-11-01", "main"}, false);
  }
  Database holder(db, false);
  holder.Execute("BEGIN EXCLUSIVE");
  for (Store::Mode mode : {Store::Mode::kCreate, Store::Mode::kRead}) {
    const std::string m = Message([&] { Store store(db, mode); });
    EXPECT_TRUE(Contains(m, db + " is locked by another process")) << m;
    EXPECT_FALSE(Contains(m, "not a poolbench history")) << m;
  }
  holder.Execute("ROLLBACK");
  EXPECT_EQ(Store(db, Store::Mode::kRead).Runs().size(), 1u);
}

// Values of the wrong type or out of range (SQLite stores any type in any column, and reads text
// as 0 where a number is asked for) are refused naming the table, row and column.
TEST(HistoryStore, ValuesPoolbenchNeverWritesAreRefusedNotMisread) {
  TempDir dir("history_store");
  const std::string db = dir.Path("h.sqlite");
  {
    Store store(db, Store::Mode::kCreate);
    store.Add(M(TwoBenchmarks()), {"c1", "2026-11-01", "main"}, false);
  }
  const auto refused = [&](const std::string& sql, const std::string& phrase) {
    const std::string copy = dir.Path("copy.sqlite");
    std::filesystem::copy_file(db, copy, std::filesystem::copy_options::overwrite_existing);
    Database(copy, false).Execute(sql);
    const std::string m = Message([&] {
      Store store(copy, Store::Mode::kRead);
      store.Runs();
      store.Load();
    });
    EXPECT_TRUE(Contains(m, copy + " is damaged or was not written by poolbench: " + phrase))
        << sql;
  };
  refused("UPDATE results SET time_ns = 'fast' WHERE time_ns IS NOT NULL",
          "results row 1, column time_ns: text where a number belongs (the row holds 'fast')");
  refused("UPDATE results SET time_ns = -5 WHERE time_ns IS NOT NULL",
          "results row 1, column time_ns: -5, not a number in (0, 1e+18]");
  refused("UPDATE results SET threads = 'many'",
          "results row 1, column threads: text where an integer belongs");
  refused("UPDATE results SET threads = 0", "results row 1, column threads: 0, outside [1, ");
  refused("UPDATE results SET wrong = 7", "results row 1, column wrong: 7, outside [0, 1]");
  refused("UPDATE results SET name = x'00ff' WHERE id = 1",
          "results row 1, column name: a blob where text belongs");
  refused("UPDATE samples SET time_ns = 'NaN'", "samples row 1, column time_ns: text");
  refused("UPDATE runs SET date = 'yesterday'", "runs row 1, column date: 'yesterday', not a date");
  refused("UPDATE runs SET commit_sha = ''", "runs row 1, column commit_sha: empty");
  Database(db, false).Execute("INSERT INTO schema_version VALUES (1)");
  EXPECT_TRUE(Contains(Message([&] { Store store(db, Store::Mode::kRead); }),
                       "has more than one schema version"));
}

TEST(HistoryStore, TwoMachinesOfOneCommitAreBothKeptAsSeparateSeries) {
  TempDir dir("history_store");
  Store store(dir.Path("h.sqlite"), Store::Mode::kCreate);
  // The first takes the report's host name (ci-1), the second is named.
  store.Add(M(TwoBenchmarks()), {"c1", "2026-11-01", "main"}, false);
  store.Add(M(TwoBenchmarks(2)), {"c1", "2026-11-01", "main", "arm-1"}, false);
  const std::vector<history::Run> runs = store.Runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].machine, "ci-1");
  EXPECT_EQ(runs[1].machine, "arm-1");
  EXPECT_EQ(runs[1].host, "ci-1");  // the report's own host name is kept beside the key
  const std::vector<Series> series = store.Load();
  ASSERT_EQ(series.size(), 4u);  // two benchmarks on two machines, never mixed
  EXPECT_EQ(series[0].name, BenchmarkName("lookup_table"));
  EXPECT_EQ(series[0].machine, "arm-1");
  EXPECT_EQ(series[1].name, BenchmarkName("lookup_table"));
  EXPECT_EQ(series[1].machine, "ci-1");
  ASSERT_EQ(series[0].points.size(), 1u);
  ASSERT_EQ(series[1].points.size(), 1u);
  EXPECT_DOUBLE_EQ(*series[0].points[0].time_ns, 40000);
  EXPECT_DOUBLE_EQ(*series[1].points[0].time_ns, 20000);
}

TEST(HistoryStore, AMachineAndCommitAlreadyStoredIsRefusedUnlessReplaced) {
  TempDir dir("history_store");
  Store store(dir.Path("h.sqlite"), Store::Mode::kCreate);
  store.Add(M(TwoBenchmarks()), {"c1", "2026-11-01", "main", "x86"}, false);
  store.Add(M(TwoBenchmarks()), {"c1", "2026-11-01", "main", "arm"}, false);
  EXPECT_TRUE(Contains(
      Message([&] {
        store.Add(M(TwoBenchmarks(3)), {"c1", "2026-11-01", "main", "arm"}, false);
      }),
      "commit c1 is already in " + dir.Path("h.sqlite") + " for machine arm (give --replace"));
  store.Add(M(TwoBenchmarks(3)), {"c1", "2026-11-01", "main", "arm"}, true);
  const std::vector<Series> series = store.Load();
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(series[0].machine, "arm");
  EXPECT_DOUBLE_EQ(*series[0].points[0].time_ns, 60000);  // replaced
  EXPECT_EQ(series[1].machine, "x86");
  EXPECT_DOUBLE_EQ(*series[1].points[0].time_ns, 20000);  // the other machine untouched
  EXPECT_EQ(store.Runs().size(), 2u);
}

TEST(HistoryStore, ABatchIsAddedWholeOrNotAtAll) {
  TempDir dir("history_store");
  Store store(dir.Path("h.sqlite"), Store::Mode::kCreate);
  const report::Run a = M(TwoBenchmarks()), b = M(TwoBenchmarks(2)), empty = M(testing::Report());
  EXPECT_EQ(store.Add({{&a, {"c1", "2026-11-01", "main", "x86"}, "x86/report.json"},
                       {&b, {"c1", "2026-11-01", "main", "arm"}, "arm/report.json"}},
                      false),
            4u);
  EXPECT_EQ(store.Runs().size(), 2u);

  // A bad report anywhere in the batch: nothing of it is added, and the error names it.
  std::string m = Message([&] {
    store.Add({{&a, {"c2", "2026-11-02", "main", "x86"}, "x86/report.json"},
               {&empty, {"c2", "2026-11-02", "main", "arm"}, "arm/report.json"}},
              false);
  });
  EXPECT_TRUE(
      Contains(m, "arm/report.json: the report has no benchmarks to add (nothing was added)"))
      << m;
  // One found only inside the transaction (its run is already stored) rolls back the others.
  m = Message([&] {
    store.Add({{&a, {"c2", "2026-11-02", "main", "x86"}, "x86/report.json"},
               {&b, {"c1", "2026-11-01", "main", "arm"}, "arm/report.json"}},
              false);
  });
  EXPECT_TRUE(Contains(m, "arm/report.json: commit c1 is already in")) << m;
  EXPECT_TRUE(Contains(m, "nothing was added")) << m;
  // Two reports for one machine and commit (a matrix that forgot the machine's name).
  m = Message([&] {
    store.Add({{&a, {"c2", "2026-11-02", "main"}, "one.json"},
               {&b, {"c2", "2026-11-02", "main"}, "two.json"}},
              false);
  });
  EXPECT_TRUE(Contains(m, "two.json: commit c2 on machine ci-1 is given twice (also by one.json)"))
      << m;
  EXPECT_EQ(store.Runs().size(), 2u);
}

TEST(HistoryStore, AMachineNameIsNeededAndHasNoSpaces) {
  TempDir dir("history_store");
  Store store(dir.Path("h.sqlite"), Store::Mode::kCreate);
  report::Json nameless = TwoBenchmarks();
  nameless["context"].erase("host_name");
  EXPECT_TRUE(
      Contains(Message([&] {
                 store.Add(M(nameless), {"c1", "2026-11-01", "main"}, false);
               }),
               "the report names no host (context.host_name): give its machine with --machine"));
  EXPECT_TRUE(
      Contains(Message([&] {
                 store.Add(M(TwoBenchmarks()), {"c1", "2026-11-01", "main", "my box"}, false);
               }),
               "machine 'my box' must be non-empty text without spaces"));
  store.Add(M(nameless), {"c1", "2026-11-01", "main", "box"}, false);
  EXPECT_EQ(store.Runs()[0].machine, "box");
}

// A history as poolbench wrote it before runs were kept per machine (schema version 1).
constexpr const char* kVersion1 = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE runs (id INTEGER PRIMARY KEY, commit_sha TEXT NOT NULL UNIQUE, date TEXT NOT NULL,
  branch TEXT NOT NULL, machine TEXT NOT NULL, cpu TEXT NOT NULL, num_cpus INTEGER,
  threads INTEGER, git_revision TEXT);
CREATE TABLE results (id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, name TEXT NOT NULL,
  strategy TEXT NOT NULL, descriptor TEXT NOT NULL, threads INTEGER NOT NULL, time_ns REAL,
  gbps REAL, wrong INTEGER NOT NULL, UNIQUE (run_id, name));
CREATE TABLE samples (result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
  repetition INTEGER NOT NULL, time_ns REAL NOT NULL);
CREATE INDEX results_by_name ON results(name);
CREATE INDEX samples_by_result ON samples(result_id);
INSERT INTO runs VALUES (1, 'c1', '2026-11-01T00:00:00Z', 'main', 'ci-1', 'Xeon', 2, 1, NULL);
INSERT INTO runs VALUES (2, 'c2', '2026-11-02T00:00:00Z', 'main', '', 'Xeon', 2, 1, NULL);
INSERT INTO results VALUES (1, 1, 'simd/x/threads:1', 'simd', 'x', 1, 1000, 2.0, 0);
INSERT INTO results VALUES (2, 2, 'simd/x/threads:1', 'simd', 'x', 1, 1100, 2.0, 0);
INSERT INTO samples VALUES (1, 0, 1000), (1, 1, 1001), (2, 0, 1100);
)sql";

TEST(HistoryStore, AVersion1HistoryIsMigratedByAWriterAndRefusedByAReader) {
  TempDir dir("history_store");
  const std::string db = dir.Path("old.sqlite");
  Database(db, true).Execute(kVersion1);
  const std::string m = Message([&] { Store store(db, Store::Mode::kRead); });
  EXPECT_TRUE(Contains(m, "has schema version 1 (one run per commit")) << m;
  EXPECT_TRUE(Contains(m, "`poolbench history migrate --db " + db + "` converts it")) << m;

  {
    Store store(db, Store::Mode::kUpdate);
    EXPECT_EQ(store.migrated_from(), std::optional<int64_t>(1));
  }
  Store store(db, Store::Mode::kRead);
  EXPECT_FALSE(store.migrated_from().has_value());
  const std::vector<history::Run> runs = store.Runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].machine, "ci-1");  // the host name its report gave
  EXPECT_EQ(runs[0].host, "ci-1");
  EXPECT_EQ(runs[1].machine, kUnknownMachine);  // its report named no host
  const std::vector<Series> series = store.Load();
  ASSERT_EQ(series.size(), 2u);  // one per machine
  EXPECT_EQ(series[0].machine, "ci-1");
  EXPECT_EQ(series[0].points[0].samples_ns, (std::vector<double>{1000, 1001}));
  EXPECT_EQ(series[1].machine, kUnknownMachine);
  EXPECT_DOUBLE_EQ(*series[1].points[0].time_ns, 1100);
  // Now a second machine may add the same commit.
  Store writer(db, Store::Mode::kCreate);
  writer.Add(M(TwoBenchmarks()), {"c1", "2026-11-01", "main", "arm"}, false);
  EXPECT_EQ(writer.Runs().size(), 3u);
}

TEST(HistoryStore, AMigrationThatFailsLeavesTheVersion1HistoryAsItWas) {
  TempDir dir("history_store");
  const std::string db = dir.Path("old.sqlite");
  {
    Database raw(db, true);
    raw.Execute(kVersion1);
    // A result of no run: a migration that kept it would lose track of it.
    raw.Execute("PRAGMA foreign_keys = OFF");
    raw.Execute("INSERT INTO results VALUES (3, 99, 'simd/y/threads:1', 'simd', 'y', 1, 5, 1, 0)");
  }
  const std::string before = testing::Slurp(db);
  EXPECT_TRUE(Contains(Message([&] { Store store(db, Store::Mode::kCreate); }),
                       "could not be migrated from schema version 1"));
  EXPECT_EQ(testing::Slurp(db), before);
}

TEST(HistoryStore, MigratingNeedsAnExistingHistory) {
  TempDir dir("history_store");
  EXPECT_TRUE(Contains(Message([&] { Store store(dir.Path("none.sqlite"), Store::Mode::kUpdate); }),
                       "does not exist"));
  EXPECT_FALSE(std::filesystem::exists(dir.Path("none.sqlite")));
}

TEST(HistoryDates, AreNormalisedToUtc) {
  EXPECT_EQ(NormalizeDate("2026-11-22"), "2026-11-22T00:00:00Z");
  EXPECT_EQ(NormalizeDate("2026-11-22T03:30:00+00:00"), "2026-11-22T03:30:00Z");
  EXPECT_EQ(NormalizeDate("2026-11-22T01:30:00.123-0230"), "2026-11-22T04:00:00Z");
  EXPECT_EQ(NormalizeDate("2026-01-01T01:00:00+02:00"), "2025-12-31T23:00:00Z");
  EXPECT_THROW(NormalizeDate("22/11/2026"), HistoryError);
}

TEST(HistoryDates, ThatDoNotExistAreRefusedNotMoved) {
  // timegm would place these days later (March 3rd) or hours away instead of refusing them.
  const auto message = [](const std::string& date) {
    try {
      NormalizeDate(date);
    } catch (const HistoryError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_TRUE(Contains(message("2026-02-31"), "that month has no day 31"));
  EXPECT_TRUE(Contains(message("2026-04-31T10:00:00Z"), "that month has no day 31"));
  EXPECT_TRUE(Contains(message("2026-01-01T00:00:00+99:00"), "+99:00 is no UTC offset"));
  EXPECT_TRUE(Contains(message("2026-01-01T00:00:00-05:75"), "-05:75 is no UTC offset"));
  EXPECT_EQ(NormalizeDate("2028-02-29"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(NormalizeDate("2026-01-01T00:00:00+14:00"), "2025-12-31T10:00:00Z");
  EXPECT_EQ(NormalizeDate("2026-12-31T23:59:60Z"), "2027-01-01T00:00:00Z");
}

}  // namespace
}  // namespace poolbench::history
