#include "report/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "io/harness_files.hpp"
#include "io/input_file.hpp"
#include "report/reader.hpp"

namespace poolbench::report {
namespace {

constexpr const char* kHeader = "poolbench_journal";
constexpr int kJournalVersion = 1;

std::string ErrnoText() { return std::strerror(errno); }

// Whether `entries` are benchmark entries as the runner records them: objects with a run_name.
bool AreEntries(const Json& entries) {
  if (!entries.is_array()) return false;
  for (const Json& e : entries) {
    const auto name = e.is_object() ? e.find("run_name") : e.end();
    if (!e.is_object() || name == e.end() || !name->is_string()) return false;
  }
  return true;
}

// Whether `item` is a skipped pair: an object with the strategy and the descriptor.
bool IsSkipped(const Json& item) {
  if (!item.is_object()) return false;
  for (const char* key : {"strategy", "descriptor"}) {
    const auto it = item.find(key);
    if (it == item.end() || !it->is_string()) return false;
  }
  return true;
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
  if (record.contains("benchmarks") && AreEntries(record["benchmarks"])) {
    for (const Json& e : record["benchmarks"]) report["benchmarks"].push_back(e);
    return true;
  }
  if (record.contains("skipped") && IsSkipped(record["skipped"])) {
    report["context"]["skipped"].push_back(record["skipped"]);
    return true;
  }
  return false;
}

// What a file that is not a regular file is, for the message refusing it.
const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

// Reads the whole file open at `fd`; `path` names it in errors.
std::string ReadAll(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw JournalError(path + ": cannot read the journal: " + ErrnoText());
  if (!S_ISREG(st.st_mode)) {
    throw JournalError(path + ": is " + std::string(KindOf(st.st_mode)) + ", not a journal");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxReportBytes) {
    throw JournalError(path + ": " + std::to_string(st.st_size) +
                       " bytes, more than any journal poolbench writes (as much as a report)");
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::pread(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw JournalError(path + ": cannot read the journal: " + ErrnoText());
    if (n == 0) break;  // it shrank while being read
    done += static_cast<size_t>(n);
  }
  text.resize(done);
  return text;
}

// The process holding a flock(2) on the file `st` describes, from /proc/locks ("1: FLOCK
// ADVISORY WRITE 1234 08:01:5678 0 EOF"), or 0 when it cannot be told.
pid_t LockHolder(const struct stat& st) {
  std::ifstream locks("/proc/locks");
  std::ostringstream id;
  id << std::hex;
  id.fill('0');
  id.width(2);
  id << major(st.st_dev) << ':';
  id.width(2);
  id << minor(st.st_dev) << ':' << std::dec << st.st_ino;
  // Some file systems (overlays, subvolumes) show the kernel another device than stat() does:
  // then the inode alone decides.
  // Appended rather than ":" + to_string(), which GCC 12 wrongly warns about (-Wrestrict).
  std::string inode = ":";
  inode += std::to_string(st.st_ino);
  pid_t by_inode = 0;
  for (std::string line; std::getline(locks, line);) {
    std::istringstream fields(line);
    std::string number, type, kind, mode, file;
    pid_t pid = 0;
    if (!(fields >> number >> type)) continue;
    if (type == "->") continue;  // a process waiting for the lock, not holding it
    if (!(fields >> kind >> mode >> pid >> file) || type != "FLOCK") continue;
    if (file == id.str()) return pid;
    if (file.ends_with(inode)) by_inode = pid;
  }
  return by_inode;
}

// Opens the journal at `path` for reading and appending, creating it when `create`, and takes
// its lock. Refuses, rather than writing through it, a symbolic link (O_NOFOLLOW), a file with
// other hard links and anything but a regular file (opened without blocking, so that a FIFO
// does not hang the run).
int OpenLocked(const std::string& path, bool create) {
  // Another run may remove the journal it finished between the open and the lock: the lock is
  // only good on the file the path still names, so a removed one is opened again.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(
        path.c_str(),
        O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (create ? O_CREAT : 0), 0666);
    if (fd < 0) {
      if (errno == ELOOP) {
        throw JournalError(path +
                           ": is a symbolic link; poolbench writes a journal only as a "
                           "file of its own, never through a link (remove the link)");
      }
      throw JournalError(path + ": cannot open the journal: " + ErrnoText());
    }
    struct stat st {};
    std::string refused;
    if (::fstat(fd, &st) != 0) {
      refused = "cannot inspect the journal: " + ErrnoText();
    } else if (!S_ISREG(st.st_mode)) {
      refused = "is " + std::string(KindOf(st.st_mode)) + ", not a journal";
    } else if (st.st_nlink > 1) {
      refused = "has " + std::to_string(st.st_nlink - 1) +
                " other hard link(s); poolbench writes a journal only as a file of its own";
    } else if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const pid_t holder = errno == EWOULDBLOCK ? LockHolder(st) : 0;
      refused =
          errno != EWOULDBLOCK
              ? "cannot lock the journal: " + ErrnoText()
              : "is in use by another run of poolbench bench" +
                    (holder > 0 ? " (PID " + std::to_string(holder) + ")" : std::string()) +
                    " writing the same report; wait for it to finish, or choose another --out";
    }
    if (!refused.empty()) {
      ::close(fd);
      throw JournalError(path + ": " + refused);
    }
    struct stat now {};
    if (::lstat(path.c_str(), &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino) {
      ::fcntl(fd, F_SETFL, O_APPEND);  // blocking again, for writing
      return fd;
    }
    ::close(fd);
  }
  throw JournalError(path + ": keeps being replaced by another process while it is opened");
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
  return ParseJournal(text, path);
}

JournalContents ParseJournal(const std::string& text, const std::string& path) {
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
  JournalWriter writer(path, OpenLocked(path, /*create=*/true));
  HideFromChildren(writer.fd_);  // a strategy in a worker must not write into it
  // The journal of an earlier run that was not resumed gives way to this run's, now that this
  // run holds it.
  if (::ftruncate(writer.fd_, 0) != 0) {
    throw JournalError(path + ": cannot start the journal: " + ErrnoText());
  }
  writer.Append({{kHeader, kJournalVersion}, {"settings", settings}});
  return writer;
}

JournalWriter JournalWriter::Resume(const std::string& path, JournalContents& contents) {
  JournalWriter writer(path, OpenLocked(path, /*create=*/false));
  HideFromChildren(writer.fd_);
  contents = ParseJournal(ReadAll(writer.fd_, path), path);
  return writer;
}

void JournalWriter::Continue(const JournalContents& contents) {
  if (::ftruncate(fd_, static_cast<off_t>(contents.valid_bytes)) != 0) {
    throw JournalError(path_ + ": cannot cut off the incomplete last line: " + ErrnoText());
  }
}

JournalWriter::JournalWriter(JournalWriter&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

JournalWriter::~JournalWriter() {
  if (fd_ < 0) return;
  ShowToChildren(fd_);
  ::close(fd_);
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
  if (fd_ < 0) return;
  // Only the file this run wrote: something put at the path since is not the journal's to
  // delete.
  struct stat mine {
  }, now{};
  if (::fstat(fd_, &mine) == 0 && ::lstat(path_.c_str(), &now) == 0 && mine.st_dev == now.st_dev &&
      mine.st_ino == now.st_ino) {
    ::unlink(path_.c_str());
  }
  ShowToChildren(fd_);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace poolbench::report
