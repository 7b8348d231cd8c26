#include "history/store.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <regex>

#include "report/model.hpp"

namespace poolbench::history {
namespace {

using report::Json;

// Tables: one row per machine and commit (runs), per benchmark of a run (results) and per
// repetition of a benchmark (samples). Deleting a run deletes its results and their samples.
// Every statement says IF NOT EXISTS, and the schema is created in one IMMEDIATE transaction
// after looking again inside it, so that two processes creating one history at once both end
// with the one schema. `machine` is the key a run is stored under (the report's host name, or
// the name `history add --machine` gave); `host_name` is the report's own. The runs table is
// named by the caller: the migration from version 1 builds it beside the old one.
std::string RunsTable(const std::string& name) {
  return "CREATE TABLE IF NOT EXISTS " + name + R"sql( (
  id INTEGER PRIMARY KEY,
  machine TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  date TEXT NOT NULL,
  branch TEXT NOT NULL,
  host_name TEXT NOT NULL,
  cpu TEXT NOT NULL,
  num_cpus INTEGER,
  threads INTEGER,
  git_revision TEXT,
  UNIQUE (machine, commit_sha)
);
)sql";
}

constexpr const char* kOtherTables = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS results (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  strategy TEXT NOT NULL,
  descriptor TEXT NOT NULL,
  threads INTEGER NOT NULL,
  time_ns REAL,
  gbps REAL,
  wrong INTEGER NOT NULL,
  UNIQUE (run_id, name)
);
CREATE TABLE IF NOT EXISTS samples (
  result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
  repetition INTEGER NOT NULL,
  time_ns REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS results_by_name ON results(name);
CREATE INDEX IF NOT EXISTS samples_by_result ON samples(result_id);
)sql";

// Version 1 kept one run per commit (commit_sha UNIQUE) with the report's host name in
// `machine`. Its runs table is rebuilt as version 2's (SQLite cannot drop a constraint), as
// SQLite's documentation prescribes: a new table, the rows copied with their ids (so that results
// still point at them), the old one dropped, the new one renamed. Foreign keys are off meanwhile,
// or dropping the old table would delete every result through ON DELETE CASCADE.
constexpr const char* kCopyRunsFrom1 = R"sql(
INSERT INTO runs_v2 (id, machine, commit_sha, date, branch, host_name, cpu, num_cpus, threads,
                     git_revision)
  SELECT id, CASE WHEN machine = '' THEN ? ELSE machine END, commit_sha, date, branch, machine,
         cpu, num_cpus, threads, git_revision FROM runs
)sql";
constexpr const char* kReplaceRunsFrom1 = R"sql(
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
UPDATE schema_version SET version = 2;
)sql";

}  // namespace

std::string NormalizeDate(const std::string& iso) {
  static const std::regex pattern(
      R"((\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?)");
  std::smatch m;
  if (!std::regex_match(iso, m, pattern)) {
    throw HistoryError("'" + iso +
                       "' is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[+HH:MM])");
  }
  auto num = [&](int i) { return m[i].matched ? std::stoi(m[i].str()) : 0; };
  std::tm tm{};
  tm.tm_year = num(1) - 1900;
  tm.tm_mon = num(2) - 1;
  tm.tm_mday = num(3);
  tm.tm_hour = num(4);
  tm.tm_min = num(5);
  tm.tm_sec = num(6);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    throw HistoryError("'" + iso + "' is not a valid date");
  }
  // timegm normalises what does not exist (February 31st becomes March 3rd): such a date is a
  // mistake to refuse, not a commit to place three days late. The day alone is checked, so that
  // a leap second (23:59:60) still ends its day.
  std::tm day{};
  day.tm_year = tm.tm_year;
  day.tm_mon = tm.tm_mon;
  day.tm_mday = tm.tm_mday;
  const time_t midnight = timegm(&day);
  std::tm back{};
  gmtime_r(&midnight, &back);
  if (back.tm_mday != num(3) || back.tm_mon != num(2) - 1) {
    throw HistoryError("'" + iso + "' is not a valid date: that month has no day " +
                       std::to_string(num(3)));
  }
  time_t t = timegm(&tm);
  const std::string zone = m[7].str();
  if (!zone.empty() && zone != "Z") {
    const std::string digits = std::regex_replace(zone.substr(1), std::regex(":"), "");
    const int hours = std::stoi(digits.substr(0, 2)), minutes = std::stoi(digits.substr(2));
    // Time zones lie between UTC-12:00 and UTC+14:00.
    if (hours > 14 || minutes > 59) {
      throw HistoryError("'" + iso + "' is not a valid date: " + zone + " is no UTC offset");
    }
    const int offset = hours * 3600 + minutes * 60;
    t -= zone[0] == '+' ? offset : -offset;
  }
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

namespace {

const std::string& Existing(const std::string& path, Store::Mode mode) {
  if (mode != Store::Mode::kCreate && !std::filesystem::exists(path)) {
    throw HistoryError("history database " + path +
                       " does not exist (poolbench history add creates it)");
  }
  return path;
}

bool BadName(const std::string& text) {
  return text.empty() || std::any_of(text.begin(), text.end(), [](unsigned char c) {
           return std::isspace(c) || std::iscntrl(c);
         });
}

}  // namespace

std::string MachineOf(const report::Run& report, const RunInfo& run) {
  const std::string& machine = run.machine.empty() ? report.context.host_name : run.machine;
  if (machine.empty()) {
    throw HistoryError(
        "the report names no host (context.host_name): give its machine with --machine");
  }
  if (BadName(machine)) {
    throw HistoryError("machine '" + machine +
                       "' must be non-empty text without spaces (give another with --machine)");
  }
  return machine;
}

Store::Store(const std::string& path, Mode mode)
    : db_(Existing(path, mode), mode == Mode::kCreate) {
  CheckSchema(mode);
}

namespace {

std::vector<std::string> Tables(Database& db) {
  std::vector<std::string> tables;
  Statement q = db.Prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
  while (q.Step()) tables.push_back(q.Text(0));
  return tables;
}

}  // namespace

int64_t Store::Version() {
  Statement q = db_.Prepare("SELECT version FROM schema_version");
  if (!q.Step() || q.Type(0) != ValueType::kInteger) {
    throw HistoryError("history database " + db_.path() + " has no schema version");
  }
  const int64_t version = q.Int(0);
  if (q.Step()) {
    throw HistoryError("history database " + db_.path() +
                       " has more than one schema version: not one poolbench wrote");
  }
  return version;
}

void Store::CheckSchema(Mode mode) {
  std::vector<std::string> tables;
  try {
    tables = Tables(db_);
  } catch (const HistoryLocked&) {
    throw;  // in use by another process, which says nothing about what the file is
  } catch (const HistoryError& e) {
    // The first read of a file that is not SQLite's fails here ("file is not a database").
    throw HistoryError(db_.path() + " is not a poolbench history: it cannot be read as a SQLite " +
                       "database (" + e.what() + ")");
  }
  if (tables.empty()) {
    if (mode != Mode::kCreate) {
      throw HistoryError("history database " + db_.path() +
                         " is empty: add a report first (poolbench history add)");
    }
    // Another process may be creating it too: the transaction waits for it, and only the first
    // finds the file still empty.
    Transaction t(db_);
    if (Tables(db_).empty()) {
      db_.Execute(RunsTable("runs"));
      db_.Execute(kOtherTables);
      db_.Prepare("INSERT INTO schema_version (version) VALUES (?)")
          .Bind(1, int64_t{kSchemaVersion})
          .Run();
    }
    t.Commit();
    tables = Tables(db_);
  }
  const bool versioned = std::find(tables.begin(), tables.end(), "schema_version") != tables.end();
  if (!versioned) {
    throw HistoryError(db_.path() +
                       " is a SQLite database but not a poolbench history (it has no "
                       "schema_version table)");
  }
  const int64_t version = Version();
  if (version == 1 && mode != Mode::kRead) {
    Migrate(version);
    return;
  }
  if (version == 1) {
    throw HistoryError("history database " + db_.path() +
                       " has schema version 1 (one run per commit, before runs were kept per "
                       "machine); this poolbench reads version " +
                       std::to_string(kSchemaVersion) + ": `poolbench history migrate --db " +
                       db_.path() + "` converts it (history add does too)");
  }
  if (version != kSchemaVersion) {
    throw HistoryError("history database " + db_.path() + " has schema version " +
                       std::to_string(version) + "; this poolbench reads version " +
                       std::to_string(kSchemaVersion));
  }
}

namespace {

// Turns foreign keys off for its lifetime (outside any transaction: SQLite ignores the pragma
// inside one), and on again however the scope is left.
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(Database& db) : db_(db) { db_.Execute("PRAGMA foreign_keys = OFF"); }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;
  ~ForeignKeysOff() {
    try {
      db_.Execute("PRAGMA foreign_keys = ON");
    } catch (const HistoryError&) {
      // Only a closed or broken connection fails here, and it is not used again.
    }
  }

 private:
  Database& db_;
};

}  // namespace

void Store::Migrate(int64_t from) {
  const ForeignKeysOff off(db_);
  // Another process may be migrating it too: the transaction waits for it, and only the first
  // still finds version 1 inside.
  Transaction t(db_);
  if (Version() != from) {
    t.Commit();
    CheckSchema(Mode::kRead);
    return;
  }
  db_.Execute(RunsTable("runs_v2"));
  db_.Prepare(kCopyRunsFrom1).Bind(1, std::string_view(kUnknownMachine)).Run();
  db_.Execute(kReplaceRunsFrom1);
  // The rebuilt table must still hold every run its results point at.
  if (db_.Prepare("PRAGMA foreign_key_check").Step()) {
    throw HistoryError("history database " + db_.path() +
                       " could not be migrated from schema version 1: a result points at no run "
                       "(the database is left as it was)");
  }
  t.Commit();
  migrated_from_ = from;
}

size_t Store::Add(const std::vector<NewRun>& runs, bool replace) {
  struct Checked {
    const NewRun* in;
    std::string machine, date;
  };
  std::vector<Checked> checked;
  // Every report is checked before anything is written, and an error names the report.
  for (const NewRun& n : runs) {
    const std::string from = n.source.empty() ? "" : n.source + ": ";
    try {
      const RunInfo& run = n.run;
      if (BadName(run.commit)) {
        throw HistoryError("commit '" + run.commit + "' must be non-empty text without spaces");
      }
      if (run.branch.empty()) throw HistoryError("the branch name must not be empty");
      std::string machine = MachineOf(*n.report, run);
      std::string date = run.date.empty() ? n.report->context.date : run.date;
      if (date.empty()) {
        throw HistoryError("the report has no context.date; give the commit's date with --date");
      }
      date = NormalizeDate(date);
      if (n.report->results.empty()) throw HistoryError("the report has no benchmarks to add");
      for (const Checked& c : checked) {
        if (c.machine == machine && c.in->run.commit == run.commit) {
          throw HistoryError("commit " + run.commit + " on machine " + machine +
                             " is given twice (also by " + c.in->source +
                             "): give each report its machine with --machine");
        }
      }
      checked.push_back({&n, std::move(machine), std::move(date)});
    } catch (const HistoryError& e) {
      throw HistoryError(from + e.what() + (runs.size() > 1 ? " (nothing was added)" : ""));
    }
  }

  Transaction t(db_);
  Statement existing = db_.Prepare("SELECT id FROM runs WHERE machine = ? AND commit_sha = ?");
  Statement remove = db_.Prepare("DELETE FROM runs WHERE id = ?");
  Statement add_run = db_.Prepare(
      "INSERT INTO runs (machine, commit_sha, date, branch, host_name, cpu, num_cpus, threads, "
      "git_revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  Statement add_result = db_.Prepare(
      "INSERT INTO results (run_id, name, strategy, descriptor, threads, time_ns, gbps, wrong) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  Statement add_sample =
      db_.Prepare("INSERT INTO samples (result_id, repetition, time_ns) VALUES (?, ?, ?)");
  auto bind_int = [&](Statement& s, int i, std::optional<int64_t> v) {
    if (v) {
      s.Bind(i, *v);
    } else {
      s.Bind(i, std::optional<std::string>());
    }
  };
  size_t added = 0;
  for (const Checked& c : checked) {
    const RunInfo& run = c.in->run;
    const report::Context& context = c.in->report->context;
    existing.Bind(1, c.machine).Bind(2, run.commit);
    if (existing.Step()) {
      if (!replace) {
        const std::string from = c.in->source.empty() ? "" : c.in->source + ": ";
        throw HistoryError(from + "commit " + run.commit + " is already in " + db_.path() +
                           " for machine " + c.machine + " (give --replace to replace its results" +
                           (checked.size() > 1 ? "; nothing was added)" : ")"));
      }
      remove.Bind(1, existing.Int(0)).Run();
    }
    existing.Reset();
    add_run.Bind(1, c.machine).Bind(2, run.commit).Bind(3, c.date).Bind(4, run.branch);
    add_run.Bind(5, context.host_name).Bind(6, context.machine);
    bind_int(add_run, 7,
             context.num_cpus > 0 ? std::optional<int64_t>(context.num_cpus) : std::nullopt);
    const auto omp = context.facts.find(report::ctx::kOmpThreads);
    bind_int(add_run, 8,
             omp != context.facts.end() && omp->is_number_integer()
                 ? std::optional<int64_t>(omp->get<int64_t>())
                 : std::nullopt);
    const std::string& revision = context.git_revision;
    add_run.Bind(9, revision.empty() ? std::nullopt : std::optional<std::string>(revision));
    add_run.Run();
    const int64_t run_id = db_.LastInsertId();

    for (const report::Result& b : c.in->report->results) {
      add_result.Bind(1, run_id).Bind(2, b.name).Bind(3, b.strategy).Bind(4, b.descriptor);
      add_result.Bind(5, int64_t{b.threads}).Bind(6, b.time_ns).Bind(7, b.gbps);
      add_result.Bind(8, int64_t{b.Failed()});
      add_result.Run();
      const int64_t result_id = db_.LastInsertId();
      if (b.Failed()) continue;
      for (size_t i = 0; i < b.samples.size(); ++i) {
        add_sample.Bind(1, result_id)
            .Bind(2, static_cast<int64_t>(i))
            .Bind(3, b.samples[i].real_ns);
        add_sample.Run();
      }
    }
    added += c.in->report->results.size();
  }
  t.Commit();
  return added;
}

namespace {

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kInteger:
      return "an integer";
    case ValueType::kReal:
      return "a number";
    case ValueType::kText:
      return "text";
    case ValueType::kBlob:
      return "a blob";
    default:
      return "NULL";
  }
}

// The values of one row, checked against what poolbench writes there. SQLite lets any column
// hold any type, and converts quietly when asked for another (text 'fast' in time_ns reads as
// 0): a database edited by hand or by another program is refused naming the table, the row and
// the column, rather than shown wrong.
class Row {
 public:
  Row(const Statement& q, const Database& db, const char* table, int64_t id)
      : q_(q), db_(db), table_(table), id_(id) {}

  std::string Text(int column, const char* name, bool may_be_empty = true) const {
    if (q_.Type(column) != ValueType::kText) Refuse(column, name, "text");
    std::string v = q_.Text(column);
    if (!may_be_empty && v.empty()) Refuse(name, "empty");
    return v;
  }
  int64_t Int(int column, const char* name, int64_t min, int64_t max) const {
    if (q_.Type(column) != ValueType::kInteger) Refuse(column, name, "an integer");
    const int64_t v = q_.Int(column);
    if (v < min || v > max) {
      Refuse(name, std::to_string(v) + ", outside [" + std::to_string(min) + ", " +
                       std::to_string(max) + "]");
    }
    return v;
  }
  // A finite number, at most `max` and more than 0 (`positive`) or at least 0; NULL gives
  // nothing when `nullable`.
  std::optional<double> Number(int column, const char* name, double max, bool positive,
                               bool nullable) const {
    const ValueType t = q_.Type(column);
    if (t == ValueType::kNull && nullable) return std::nullopt;
    if (t != ValueType::kReal && t != ValueType::kInteger) Refuse(column, name, "a number");
    const double v = q_.Real(column);
    if (!(positive ? v > 0 : v >= 0) || !(v <= max)) {
      char text[64];
      std::snprintf(text, sizeof text, "%g, not a number in %s0, %g]", v, positive ? "(" : "[",
                    max);
      Refuse(name, text);
    }
    return v;
  }
  // A date as Add stores it: "YYYY-MM-DDTHH:MM:SSZ".
  std::string Date(int column, const char* name) const {
    const std::string v = Text(column, name, false);
    std::string normal;
    try {
      normal = NormalizeDate(v);
    } catch (const HistoryError&) {
    }
    if (normal != v) Refuse(name, "'" + v + "', not a date as poolbench stores it");
    return v;
  }

 private:
  [[noreturn]] void Refuse(int column, const char* name, const char* expected) const {
    Refuse(name, std::string(TypeName(q_.Type(column))) + " where " + expected +
                     " belongs (the row " +
                     (q_.Type(column) == ValueType::kText ? "holds '" + Shown(q_.Text(column)) + "'"
                                                          : std::string("is not poolbench's")) +
                     ")");
  }
  [[noreturn]] void Refuse(const char* name, const std::string& what) const {
    throw HistoryError("history database " + db_.path() +
                       " is damaged or was not written by "
                       "poolbench: " +
                       table_ + " row " + std::to_string(id_) + ", column " + name + ": " + what);
  }
  static std::string Shown(const std::string& text) {
    std::string out;
    for (unsigned char c : text.substr(0, 40)) {
      if (c < 0x20 || c == 0x7f) {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\x%02x", c);
        out += esc;
      } else {
        out += static_cast<char>(c);
      }
    }
    return text.size() > 40 ? out + "..." : out;
  }

  const Statement& q_;
  const Database& db_;
  const char* table_;
  int64_t id_;
};

// Bounds of what poolbench stores: times in ns up to 10^18 (as reports allow), bandwidths far
// beyond any machine's, thread counts as in reports.
constexpr double kMaxTimeNs = 1e18;
constexpr double kMaxGBps = 1e12;
constexpr int64_t kMaxThreads = (int64_t{1} << 31) - 1;

}  // namespace

std::vector<Run> Store::Runs() {
  std::vector<Run> out;
  Statement q = db_.Prepare(
      "SELECT commit_sha, date, branch, machine, cpu, "
      "(SELECT COUNT(*) FROM results WHERE run_id = runs.id), id, host_name FROM runs "
      "ORDER BY date, id");
  while (q.Step()) {
    const Row row(q, db_, "runs", q.Int(6));
    out.push_back({row.Text(0, "commit_sha", false), row.Date(1, "date"),
                   row.Text(2, "branch", false), row.Text(3, "machine", false), row.Text(4, "cpu"),
                   q.Int(5), row.Text(7, "host_name")});
  }
  return out;
}

std::vector<Series> Store::Load() {
  std::map<int64_t, std::vector<double>> samples;
  {
    Statement q =
        db_.Prepare("SELECT result_id, time_ns, rowid FROM samples ORDER BY result_id, repetition");
    while (q.Step()) {
      const Row row(q, db_, "samples", q.Int(2));
      const int64_t result = row.Int(0, "result_id", INT64_MIN, INT64_MAX);
      samples[result].push_back(*row.Number(1, "time_ns", kMaxTimeNs, true, false));
    }
  }
  std::vector<Series> out;
  Statement q = db_.Prepare(
      "SELECT r.id, r.name, r.strategy, r.descriptor, r.threads, r.time_ns, r.gbps, r.wrong, "
      "runs.commit_sha, runs.date, runs.branch, runs.cpu, runs.machine "
      "FROM results r JOIN runs ON runs.id = r.run_id "
      "ORDER BY r.name, runs.machine, runs.date, runs.id");
  while (q.Step()) {
    const Row row(q, db_, "results", q.Int(0));
    const std::string name = row.Text(1, "name", false);
    const std::string machine = row.Text(12, "machine", false);
    if (out.empty() || out.back().name != name || out.back().machine != machine) {
      out.push_back({name,
                     machine,
                     row.Text(2, "strategy"),
                     row.Text(3, "descriptor"),
                     row.Int(4, "threads", 1, kMaxThreads),
                     {}});
    }
    Point p;
    p.time_ns = row.Number(5, "time_ns", kMaxTimeNs, true, true);
    p.gbps = row.Number(6, "gbps", kMaxGBps, false, true);
    p.wrong = row.Int(7, "wrong", 0, 1) != 0;
    p.commit = row.Text(8, "commit_sha", false);
    p.date = row.Date(9, "date");
    p.branch = row.Text(10, "branch", false);
    p.cpu = row.Text(11, "cpu");
    if (auto it = samples.find(q.Int(0)); it != samples.end()) p.samples_ns = std::move(it->second);
    out.back().points.push_back(std::move(p));
  }
  return out;
}

}  // namespace poolbench::history
