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

// Tables: one row per commit (runs), per benchmark of a commit (results) and per repetition of
// a benchmark (samples). Deleting a run deletes its results and their samples.
constexpr const char* kSchema = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  commit_sha TEXT NOT NULL UNIQUE,
  date TEXT NOT NULL,
  branch TEXT NOT NULL,
  machine TEXT NOT NULL,
  cpu TEXT NOT NULL,
  num_cpus INTEGER,
  threads INTEGER,
  git_revision TEXT
);
CREATE TABLE results (
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
CREATE TABLE samples (
  result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
  repetition INTEGER NOT NULL,
  time_ns REAL NOT NULL
);
CREATE INDEX results_by_name ON results(name);
CREATE INDEX samples_by_result ON samples(result_id);
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
  time_t t = timegm(&tm);
  const std::string zone = m[7].str();
  if (!zone.empty() && zone != "Z") {
    const std::string digits = std::regex_replace(zone.substr(1), std::regex(":"), "");
    const int offset = std::stoi(digits.substr(0, 2)) * 3600 + std::stoi(digits.substr(2)) * 60;
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
  if (mode == Store::Mode::kRead && !std::filesystem::exists(path)) {
    throw HistoryError("history database " + path +
                       " does not exist (poolbench history add creates it)");
  }
  return path;
}

}  // namespace

Store::Store(const std::string& path, Mode mode)
    : db_(Existing(path, mode), mode == Mode::kCreate) {
  CheckSchema(mode);
}

void Store::CheckSchema(Mode mode) {
  std::vector<std::string> tables;
  try {
    Statement q = db_.Prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
    while (q.Step()) tables.push_back(q.Text(0));
  } catch (const HistoryError& e) {
    // The first read of a file that is not SQLite's fails here ("file is not a database").
    throw HistoryError(db_.path() + " is not a poolbench history: it cannot be read as a SQLite " +
                       "database (" + e.what() + ")");
  }
  const bool versioned = std::find(tables.begin(), tables.end(), "schema_version") != tables.end();
  if (tables.empty()) {
    if (mode == Mode::kRead) {
      throw HistoryError("history database " + db_.path() +
                         " is empty: add a report first (poolbench history add)");
    }
    Transaction t(db_);
    db_.Execute(kSchema);
    db_.Prepare("INSERT INTO schema_version (version) VALUES (?)")
        .Bind(1, int64_t{kSchemaVersion})
        .Run();
    t.Commit();
    return;
  }
  if (!versioned) {
    throw HistoryError(db_.path() +
                       " is a SQLite database but not a poolbench history (it has no "
                       "schema_version table)");
  }
  Statement q = db_.Prepare("SELECT version FROM schema_version");
  if (!q.Step() || q.IsNull(0)) {
    throw HistoryError("history database " + db_.path() + " has no schema version");
  }
  const int64_t version = q.Int(0);
  if (version != kSchemaVersion) {
    throw HistoryError("history database " + db_.path() + " has schema version " +
                       std::to_string(version) + "; this poolbench reads version " +
                       std::to_string(kSchemaVersion));
  }
}

size_t Store::Add(const report::Run& report, const RunInfo& run, bool replace) {
  if (run.commit.empty() || std::any_of(run.commit.begin(), run.commit.end(), [](unsigned char c) {
        return std::isspace(c) || std::iscntrl(c);
      })) {
    throw HistoryError("commit '" + run.commit + "' must be non-empty text without spaces");
  }
  if (run.branch.empty()) throw HistoryError("the branch name must not be empty");
  const report::Context& context = report.context;
  std::string date = run.date;
  if (date.empty()) {
    date = context.date;
    if (date.empty()) {
      throw HistoryError("the report has no context.date; give the commit's date with --date");
    }
  }
  date = NormalizeDate(date);
  const std::vector<report::Result>& benchmarks = report.results;
  if (benchmarks.empty()) throw HistoryError("the report has no benchmarks to add");

  Transaction t(db_);
  {
    Statement existing = db_.Prepare("SELECT id FROM runs WHERE commit_sha = ?");
    existing.Bind(1, run.commit);
    if (existing.Step()) {
      if (!replace) {
        throw HistoryError("commit " + run.commit + " is already in " + db_.path() +
                           " (give --replace to replace its results)");
      }
      db_.Prepare("DELETE FROM runs WHERE id = ?").Bind(1, existing.Int(0)).Run();
    }
  }
  Statement add_run = db_.Prepare(
      "INSERT INTO runs (commit_sha, date, branch, machine, cpu, num_cpus, threads, git_revision) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  add_run.Bind(1, run.commit).Bind(2, date).Bind(3, run.branch);
  add_run.Bind(4, context.host_name);
  add_run.Bind(5, context.machine);
  auto bind_int = [&](Statement& s, int i, std::optional<int64_t> v) {
    if (v) {
      s.Bind(i, *v);
    } else {
      s.Bind(i, std::optional<std::string>());
    }
  };
  bind_int(add_run, 6,
           context.num_cpus > 0 ? std::optional<int64_t>(context.num_cpus) : std::nullopt);
  const auto omp = context.facts.find(report::ctx::kOmpThreads);
  bind_int(add_run, 7,
           omp != context.facts.end() && omp->is_number_integer()
               ? std::optional<int64_t>(omp->get<int64_t>())
               : std::nullopt);
  const std::string& revision = context.git_revision;
  add_run.Bind(8, revision.empty() ? std::nullopt : std::optional<std::string>(revision));
  add_run.Run();
  const int64_t run_id = db_.LastInsertId();

  Statement add_result = db_.Prepare(
      "INSERT INTO results (run_id, name, strategy, descriptor, threads, time_ns, gbps, wrong) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  Statement add_sample =
      db_.Prepare("INSERT INTO samples (result_id, repetition, time_ns) VALUES (?, ?, ?)");
  for (const report::Result& b : benchmarks) {
    add_result.Bind(1, run_id).Bind(2, b.name).Bind(3, b.strategy).Bind(4, b.descriptor);
    add_result.Bind(5, int64_t{b.threads}).Bind(6, b.time_ns).Bind(7, b.gbps);
    add_result.Bind(8, int64_t{b.Failed()});
    add_result.Run();
    const int64_t result_id = db_.LastInsertId();
    if (b.Failed()) continue;
    for (size_t i = 0; i < b.samples.size(); ++i) {
      add_sample.Bind(1, result_id).Bind(2, static_cast<int64_t>(i)).Bind(3, b.samples[i].real_ns);
      add_sample.Run();
    }
  }
  t.Commit();
  return benchmarks.size();
}

std::vector<Run> Store::Runs() {
  std::vector<Run> out;
  Statement q = db_.Prepare(
      "SELECT commit_sha, date, branch, machine, cpu, "
      "(SELECT COUNT(*) FROM results WHERE run_id = runs.id) FROM runs ORDER BY date, id");
  while (q.Step()) {
    out.push_back({q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Int(5)});
  }
  return out;
}

std::vector<Series> Store::Load() {
  std::map<int64_t, std::vector<double>> samples;
  {
    Statement q =
        db_.Prepare("SELECT result_id, time_ns FROM samples ORDER BY result_id, repetition");
    while (q.Step()) samples[q.Int(0)].push_back(q.Real(1));
  }
  std::vector<Series> out;
  Statement q = db_.Prepare(
      "SELECT r.id, r.name, r.strategy, r.descriptor, r.threads, r.time_ns, r.gbps, r.wrong, "
      "runs.commit_sha, runs.date, runs.branch, runs.cpu "
      "FROM results r JOIN runs ON runs.id = r.run_id ORDER BY r.name, runs.date, runs.id");
  while (q.Step()) {
    const std::string name = q.Text(1);
    if (out.empty() || out.back().name != name) {
      out.push_back({name, q.Text(2), q.Text(3), q.Int(4), {}});
    }
    Point p;
    p.time_ns = q.OptionalReal(5);
    p.gbps = q.OptionalReal(6);
    p.wrong = q.Int(7) != 0;
    p.commit = q.Text(8);
    p.date = q.Text(9);
    p.branch = q.Text(10);
    p.cpu = q.Text(11);
    if (auto it = samples.find(q.Int(0)); it != samples.end()) p.samples_ns = std::move(it->second);
    out.back().points.push_back(std::move(p));
  }
  return out;
}

}  // namespace poolbench::history
