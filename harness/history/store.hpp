// The history store: benchmark results of many commits in one SQLite file, so that trends and
// steps across commits can be shown (`poolbench history`). A report is added for one commit
// (with its date and branch); every benchmark of it becomes one point of that benchmark's
// series: its median time, its bandwidth, the repetitions' times when the report has them, and
// whether it gave a wrong result. The machine, CPU and thread count of the report are kept with
// the commit, so that a step caused by a new machine can be told from one caused by code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "history/sqlite.hpp"
#include "report/model.hpp"

namespace poolbench::history {

// The layout of the tables; a database of another version is refused rather than misread.
inline constexpr int kSchemaVersion = 1;

// The commit a report measured.
struct RunInfo {
  std::string commit;  // any non-empty text without whitespace, usually the full SHA
  std::string date;    // ISO 8601; empty takes the report's context.date
  std::string branch = "main";
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

// One benchmark (a run_name: strategy, problem and thread count) across commits, oldest first.
struct Series {
  std::string name, strategy, descriptor;
  int64_t threads = 1;
  std::vector<Point> points;
};

// A commit in the store.
struct Run {
  std::string commit, date, branch, machine, cpu;
  int64_t benchmarks = 0;
};

// Dates are stored in UTC as "YYYY-MM-DDTHH:MM:SSZ", so that they sort as text. Accepts
// "YYYY-MM-DD", and "YYYY-MM-DDTHH:MM:SS" with optional fraction and a "Z" or "+HH:MM" offset.
// Throws HistoryError naming the text otherwise.
std::string NormalizeDate(const std::string& iso);

class Store {
 public:
  enum class Mode {
    kCreate,  // a missing or empty file becomes a new, empty history
    kRead,    // the file must exist and hold a history
  };

  // Opens the history in `path`. Throws HistoryError when the file is missing (kRead), is not a
  // SQLite database, holds other tables, or has another schema version.
  Store(const std::string& path, Mode mode);

  // Adds every result of `report` (read by report::Read) as the points of `run.commit`, in one
  // transaction: each result's statistic, throughput and repetitions. A commit already in the store
  // is refused unless `replace`, which swaps its points for the report's. Returns the number of
  // benchmarks. Throws HistoryError (nothing added) for a report without benchmarks, a bad date or
  // commit.
  size_t Add(const report::Run& report, const RunInfo& run, bool replace);

  // Every commit, oldest first (by date, then by the order they were added).
  std::vector<Run> Runs();

  // Every benchmark's series, sorted by name, each with its points oldest first.
  std::vector<Series> Load();

 private:
  void CheckSchema(Mode mode);

  Database db_;
};

}  // namespace poolbench::history
