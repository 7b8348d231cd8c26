// The journal of a bench run: every result is appended to it, flushed to disk, as soon as it is
// final, so that an interrupted run (a signal, a crash, SIGKILL) loses at most the result being
// measured, and `bench --resume` can finish the run without redoing what is done.
//
// The journal is a text file of JSON lines beside the report (JournalPath). The first line says
// what the run is: {"poolbench_journal": 1, "settings": {...}}; the settings are everything that
// decides the entries (problems, strategies, threads, repetitions, min time, seed, shard), and a
// resumed run must have the same. Every further line is one record, as the benchmark runner
// hands them over (bench/bench_runner.hpp):
//   {"context": {...}}        the report's context, once, before any result
//   {"benchmarks": [...]}     the entries of one benchmark (repetitions and aggregates, or its
//                             error entry)
//   {"skipped": {...}}        one strategy that does not support one problem
// A line is written with one write(2) and flushed with fdatasync(2) before the next result, so
// the only damage a kill can do is a last line cut short; reading drops it (that result is
// measured again). Anything else that is not a record is an error naming the line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/model.hpp"

namespace poolbench::report {

// A journal that cannot be read or does not belong to the run. The message names the file.
class JournalError : public ReportError {
 public:
  using ReportError::ReportError;
};

// The journal of the report written to `report_path`.
std::string JournalPath(const std::string& report_path);

// What a journal holds.
struct JournalContents {
  Json settings;
  // The run so far: its context with the skipped pairs, and every finished result. Empty when
  // the run stopped before its context was recorded.
  std::optional<Run> run;
  size_t valid_bytes = 0;     // length of the complete records; a resumed run appends after them
  bool dropped_tail = false;  // the last line was cut short and is not in `report`
};

// Reads a journal. Throws JournalError when the file cannot be read, its first line is not a
// journal header, a line other than the last is not a complete record, or the records do not
// make a valid report (report::Validate).
JournalContents ReadJournal(const std::string& path);

// The settings that differ between a journal's and a run's, one phrase each ("seed: 1 in the
// journal, 2 now"); empty when they are the same.
std::vector<std::string> SettingsDifferences(const Json& journal, const Json& run);

// Appends records to a journal, each flushed to disk before Append returns.
class JournalWriter {
 public:
  // Starts a new journal holding only the header, replacing any journal at `path` atomically.
  static JournalWriter Create(const std::string& path, const Json& settings);
  // Continues the journal read as `contents`: a cut-short last line is cut off first.
  static JournalWriter Continue(const std::string& path, const JournalContents& contents);

  JournalWriter(JournalWriter&& other) noexcept;
  JournalWriter& operator=(JournalWriter&&) = delete;
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;
  ~JournalWriter();

  const std::string& path() const { return path_; }
  // Appends `record` as one line. Throws JournalError when writing or flushing fails.
  void Append(const Json& record);
  // Closes and deletes the journal, once the complete report is safely written.
  void Remove();

 private:
  JournalWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_ = -1;
};

}  // namespace poolbench::report
