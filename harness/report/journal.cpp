#include "report/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "io/atomic_file.hpp"
#include "io/input_file.hpp"
#include "report/reader.hpp"

namespace poolbench::report {
namespace {

constexpr const char* kHeader = "poolbench_journal";
constexpr int kJournalVersion = 1;

std::string ErrnoText() { return std::strerror(errno); }

std::string Brief(const Json& value) {
  std::string s = value.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

// Adds one record to the report being rebuilt. Returns false when `record` is not a record.
bool AddRecord(const Json& record, Json& report) {
  if (!record.is_object() || record.size() != 1) return false;
  if (record.contains("context") && record["context"].is_object()) {
    if (!report.is_null()) return false;  // the context is recorded once
    report = {{"context", record["context"]}, {"benchmarks", Json::array()}};
    report["context"]["skipped"] = Json::array();
    return true;
  }
  if (report.is_null()) return false;  // results follow the context
  if (record.contains("benchmarks") && record["benchmarks"].is_array()) {
    for (const Json& e : record["benchmarks"]) report["benchmarks"].push_back(e);
    return true;
  }
  if (record.contains("skipped") && record["skipped"].is_object()) {
    report["context"]["skipped"].push_back(record["skipped"]);
    return true;
  }
  return false;
}

}  // namespace

std::string JournalPath(const std::string& report_path) { return report_path + ".journal"; }

JournalContents ReadJournal(const std::string& path) {
  std::string text;
  try {
    text = ReadInputFile(path, kMaxReportBytes, "journal");
  } catch (const InputFileError& e) {
    throw JournalError(e.what());
  }
  JournalContents out;
  Json report;
  size_t line_no = 0;
  for (size_t start = 0; start < text.size();) {
    ++line_no;
    const size_t end = text.find('\n', start);
    const bool last = end == std::string::npos || end + 1 == text.size();
    const std::string line =
        text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    // Checked before parsing, as in every report reader: the values are copied and serialised
    // by recursion, which a line nested 100,000 deep would take through the machine stack.
    if (TooDeep(line)) {
      throw JournalError(where + "nested deeper than " + std::to_string(kMaxDepth) +
                         " levels: not a line poolbench wrote");
    }
    const Json record = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    const bool complete = end != std::string::npos && !record.is_discarded();
    if (line_no == 1) {
      if (!complete || !record.is_object() || !record.contains(kHeader) ||
          !record.contains("settings")) {
        throw JournalError(where + "not a poolbench journal (no header line)");
      }
      if (record[kHeader] != kJournalVersion) {
        throw JournalError(where + "journal version " + Brief(record[kHeader]) +
                           ", this poolbench reads version " + std::to_string(kJournalVersion));
      }
      out.settings = record["settings"];
    } else if (!complete) {
      // Only the last line can be cut short by a kill: every earlier one was flushed whole
      // before the next was written.
      if (!last) throw JournalError(where + "corrupted (not a JSON line): " + Brief(line));
      out.dropped_tail = true;
      break;
    } else if (!AddRecord(record, report)) {
      throw JournalError(where + "corrupted (not a journal record): " + Brief(record));
    }
    start = end + 1;
    out.valid_bytes = start;
  }
  if (line_no == 0) throw JournalError(path + ": the journal is empty");
  if (!report.is_null()) {
    try {
      Validate(report, path, Expect::kPoolbench);
    } catch (const ReportError& e) {
      throw JournalError(std::string(e.what()) + " (in the results the journal holds)");
    }
    out.run = FromJson(report);
  }
  return out;
}

std::vector<std::string> SettingsDifferences(const Json& journal, const Json& run) {
  std::vector<std::string> out;
  for (const auto& [key, now] : run.items()) {
    const Json then = journal.contains(key) ? journal[key] : Json();
    if (then != now)
      out.push_back(key + ": " + Brief(then) + " in the journal, " + Brief(now) + " now");
  }
  for (const auto& [key, then] : journal.items()) {
    if (!run.contains(key)) out.push_back(key + ": " + Brief(then) + " in the journal, unset now");
  }
  return out;
}

JournalWriter JournalWriter::Create(const std::string& path, const Json& settings) {
  // Staged and renamed like every output, so a journal of an earlier run is replaced only by a
  // journal whose header is complete.
  WriteFileAtomically(path, Json{{kHeader, kJournalVersion}, {"settings", settings}}.dump() + "\n");
  return Continue(path, ReadJournal(path));
}

JournalWriter JournalWriter::Continue(const std::string& path, const JournalContents& contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) throw JournalError(path + ": cannot open the journal: " + ErrnoText());
  JournalWriter writer(path, fd);
  if (::ftruncate(fd, static_cast<off_t>(contents.valid_bytes)) != 0) {
    throw JournalError(path + ": cannot cut off the incomplete last line: " + ErrnoText());
  }
  return writer;
}

JournalWriter::JournalWriter(JournalWriter&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalWriter::Append(const Json& record) {
  if (fd_ < 0) throw JournalError(path_ + ": the journal is closed");
  // One write(2) of the whole line: with O_APPEND, a kill leaves the line whole or cut short at
  // the end of the file, never a gap in the middle.
  const std::string line = record.dump() + "\n";
  for (size_t done = 0; done < line.size();) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw JournalError(path_ + ": cannot write the journal: " + ErrnoText());
    done += static_cast<size_t>(n);
  }
  // The data of the line, not the file's times: a result is worth tens of milliseconds of
  // measuring, far more than one flush.
  if (::fdatasync(fd_) != 0) {
    throw JournalError(path_ + ": cannot flush the journal: " + ErrnoText());
  }
}

void JournalWriter::Remove() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(path_.c_str());
}

}  // namespace poolbench::report
