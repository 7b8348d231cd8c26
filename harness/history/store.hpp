// The history store: benchmark results of many commits on one or more machines in one SQLite
// file, so that trends and steps across commits can be shown (`poolbench history`). A report is
// added for one machine and one commit (with its date and branch); every benchmark of it becomes
// one point of that benchmark's series on that machine: its median time, its bandwidth, the
// repetitions' times when the report has them, and whether it gave a wrong result. Runs are keyed
// by (machine, commit), as asv keeps results per machine and LNT per machine and order: a CI
// matrix that measures one commit on several machines keeps each machine's run, and a series
// never mixes two machines' times.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "history/sqlite.hpp"
#include "report/model.hpp"

namespace poolbench::history {

// The layout of the tables; a database of another version is refused rather than misread,
// except version 1 (one run per commit), which a writer migrates (see Store).
inline constexpr int kSchemaVersion = 2;

// The machine of the runs of a version 1 history whose report named no host.
inline constexpr const char* kUnknownMachine = "unknown";

// The commit a report measured, and on which machine.
struct RunInfo {
  std::string commit;  // any non-empty text without whitespace, usually the full SHA
  std::string date;    // ISO 8601; empty takes the report's context.date
  std::string branch = "main";
  // Non-empty text without whitespace. Empty takes the report's host name (context.host_name),
  // which is stable for a machine that keeps its name; CI runners whose host names change give
  // one of their own (`history add --machine`).
  std::string machine{};
};

// The machine a report is stored under: `run.machine`, or the report's host name. Throws
// HistoryError when neither is given or the name has whitespace.
std::string MachineOf(const report::Run& report, const RunInfo& run);

// One report to add, with where it came from (named in errors; may be empty).
struct NewRun {
  const report::Run* report = nullptr;
  RunInfo run;
  std::string source;
};

// One benchmark at one commit.
struct Point {
  std::string commit, date, branch;
  std::string cpu;                // the report's context.machine (CPU model)
  std::optional<double> time_ns;  // the median repetition; empty when the result was wrong
  std::optional<double> gbps;
  std::vector<double> samples_ns;  // the repetitions, when the report had them
  bool wrong = false;
};

// One benchmark (a run_name: strategy, problem and thread count) on one machine across commits,
// oldest first.
struct Series {
  std::string name, machine, strategy, descriptor;
  int64_t threads = 1;
  std::vector<Point> points;
};

// A commit measured on a machine.
struct Run {
  std::string commit, date, branch, machine, cpu;
  int64_t benchmarks = 0;
  std::string host;  // the report's host name
};

// Dates are stored in UTC as "YYYY-MM-DDTHH:MM:SSZ", so that they sort as text. Accepts
// "YYYY-MM-DD", and "YYYY-MM-DDTHH:MM:SS" with optional fraction and a "Z" or "+HH:MM" offset.
// Throws HistoryError naming the text otherwise.
std::string NormalizeDate(const std::string& iso);

class Store {
 public:
  enum class Mode {
    kCreate,  // a missing or empty file becomes a new, empty history; an old one is migrated
    kUpdate,  // the file must exist and hold a history; an old one is migrated
    kRead,    // the file must exist and hold a history of this version
  };

  // Opens the history in `path`. Throws HistoryError when the file is missing (kRead, kUpdate),
  // is not a SQLite database, holds other tables, or has another schema version. A writer
  // (kCreate, kUpdate) migrates a version 1 history in one transaction: each run keeps its
  // commit and gets the machine of its report (the host name it stored), or kUnknownMachine. A
  // reader refuses it, naming the version and `poolbench history migrate`.
  Store(const std::string& path, Mode mode);

  // The version the history had before this Store migrated it, if it did.
  std::optional<int64_t> migrated_from() const { return migrated_from_; }

  // Adds every result of each report (read by report::Read) as the points of its machine and
  // commit, all in one transaction: each result's statistic, throughput and repetitions. A
  // (machine, commit) already in the store is refused unless `replace`, which swaps its points for
  // the report's; two reports of one batch for one (machine, commit) are refused. Returns the
  // number of benchmarks added. Throws HistoryError naming the report's source (nothing added)
  // for a report without benchmarks, a bad date, commit or machine.
  size_t Add(const std::vector<NewRun>& runs, bool replace);
  size_t Add(const report::Run& report, const RunInfo& run, bool replace) {
    return Add({NewRun{&report, run, ""}}, replace);
  }

  // Every commit of every machine, oldest first (by date, then by the order they were added).
  std::vector<Run> Runs();

  // Every benchmark's series on every machine, sorted by name then machine, each with its points
  // oldest first.
  std::vector<Series> Load();

 private:
  void CheckSchema(Mode mode);
  void Migrate(int64_t from);
  int64_t Version();

  Database db_;
  std::optional<int64_t> migrated_from_;
};

}  // namespace poolbench::history
