#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>

#include "io/harness_files.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;

std::string ErrnoText(int error) { return std::strerror(error); }

// Six random letters and digits, as mkstemp uses. mkstemp itself is not used because it creates
// the file with mode 0600, and the renamed file should get the permissions of any new file.
std::string RandomSuffix() {
  static constexpr char kLetters[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, sizeof kLetters - 2);
  std::string s(6, ' ');
  for (char& c : s) c = kLetters[pick(rng)];
  return s;
}

// What a file that is not a regular file is, for the message refusing to replace it.
const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// The pending temporary files, for the signal handler. A signal handler may not allocate, lock
// or touch std::string, so each path is copied into a fixed slot when its file is created; the
// handler only reads slots marked ready and calls unlink(2). A file that finds no free slot is
// still removed by its destructor, only not on a signal.
constexpr int kSlots = 64;
enum SlotState : int { kFree = 0, kClaimed = 1, kReady = 2 };
struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};
Slot g_slots[kSlots];
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");

int Remember(const std::string& path) {
  if (path.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (g_slots[i].state.compare_exchange_strong(expected, kClaimed)) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].state.store(kReady);
      return i;
    }
  }
  return -1;
}

extern "C" void RemoveTempFilesAndDie(int sig) {
  RemovePendingTempFiles();
  ::signal(sig, SIG_DFL);
  ::raise(sig);  // blocked until the handler returns, then the default action ends the process
}

}  // namespace

std::string OutputTarget(const std::string& path) {
  if (path.empty()) throw FileError("an empty path names no file; give the output a file name");
  std::string current = path;
  // Linux follows at most 40 links in a path; a longer chain is a loop.
  for (int hops = 0; hops <= 40; ++hops) {
    struct stat st;
    if (::lstat(current.c_str(), &st) != 0) {
      if (errno == ENOENT) return current;  // a new file
      throw FileError(path + ": cannot inspect " + current + ": " + ErrnoText(errno));
    }
    if (S_ISREG(st.st_mode)) return current;
    if (!S_ISLNK(st.st_mode)) {
      const std::string what = current == path ? "" : " (where the link " + path + " points)";
      throw FileError(current + what + " is " + KindOf(st.st_mode) +
                      "; poolbench writes only regular files, choose another output path");
    }
    std::error_code ec;
    const fs::path link = fs::read_symlink(current, ec);
    if (ec) throw FileError(path + ": cannot read the link " + current + ": " + ec.message());
    // /dev/stdout and the links in /proc/*/fd name an open pipe or socket as "pipe:[1234]", which
    // is no path: without this, the output would be refused for want of a directory "pipe:[".
    if (const std::string name = link.string(); name.starts_with("pipe:[") ||
                                                name.starts_with("socket:[") ||
                                                name.starts_with("anon_inode:")) {
      throw FileError(path + " is " + (name.starts_with("socket:[") ? "a socket" : "a pipe") +
                      " (" + name +
                      "); poolbench writes only regular files: give a file name, or '-' for "
                      "standard output where the option takes it");
    }
    current = (link.is_absolute() ? link : fs::path(current).parent_path() / link).string();
  }
  throw FileError(path + ": too many levels of symbolic links");
}

void RefuseInputAsOutput(const std::string& output, const std::vector<std::string>& inputs) {
  if (output.empty() || output == "-") return;
  struct stat out;
  if (::stat(output.c_str(), &out) != 0) return;  // not there yet, so no input
  for (const std::string& input : inputs) {
    struct stat in;
    if (input.empty() || input == "-" || ::stat(input.c_str(), &in) != 0) continue;
    if (in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
      throw FileError(output + ": is the input " + input +
                      "; writing it would destroy what is read, choose another output path");
    }
  }
}

PendingFile::PendingFile(std::string path) : path_(std::move(path)) {
  target_ = OutputTarget(path_);
  const fs::path target(target_);
  if (target.has_parent_path() && !fs::is_directory(target.parent_path())) {
    throw FileError(path_ + ": directory " + target.parent_path().string() + " does not exist");
  }
  // O_EXCL under a fresh random name: two writers of one path never share a temporary file.
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    temp_ = target_ + ".tmp-" + RandomSuffix();
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST) break;
  }
  if (fd_ < 0) {
    const std::string why = ErrnoText(errno);
    temp_.clear();
    throw FileError(path_ + ": cannot create a temporary file beside it: " + why);
  }
  HideFromChildren(fd_);
  slot_ = Remember(temp_);
}

PendingFile::PendingFile(PendingFile&& other) noexcept
    : path_(std::move(other.path_)),
      target_(std::move(other.target_)),
      temp_(std::exchange(other.temp_, {})),
      fd_(std::exchange(other.fd_, -1)),
      slot_(std::exchange(other.slot_, -1)) {}

PendingFile::~PendingFile() {
  CloseFd();
  if (!temp_.empty()) ::unlink(temp_.c_str());
  Forget();
}

void PendingFile::Forget() {
  if (slot_ >= 0) g_slots[slot_].state.store(kFree);
  slot_ = -1;
}

void PendingFile::CloseFd() noexcept {
  if (fd_ < 0) return;
  ShowToChildren(fd_);
  ::close(fd_);
  fd_ = -1;
}

void PendingFile::Fail(const std::string& why) {
  CloseFd();
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
  Forget();
  throw FileError(path_ + ": " + why);
}

void PendingFile::Write(std::string_view bytes) {
  if (fd_ < 0) throw FileError(path_ + ": written after it was committed");
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Fail("writing " + temp_ + " failed: " + ErrnoText(errno));
    done += static_cast<size_t>(n);
  }
}

void PendingFile::Commit() {
  if (temp_.empty()) return;
  // Flushed before the rename, so that after a crash the destination holds the old content or
  // the new, never a renamed file whose data never reached the disk.
  if (::fsync(fd_) != 0) Fail("flushing " + temp_ + " failed: " + ErrnoText(errno));
  ShowToChildren(fd_);
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) Fail("writing " + temp_ + " failed: " + ErrnoText(errno));
  // Checked again: something other than a regular file may have appeared at the destination
  // while the content was written.
  try {
    OutputTarget(target_);
  } catch (const FileError& e) {
    Fail(std::string("not replaced: ") + e.what());
  }
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    Fail("cannot replace the file: " + ErrnoText(errno));
  }
  temp_.clear();
  Forget();
}

void WriteFileAtomically(const std::string& path, std::string_view bytes) {
  PendingFile file(path);
  file.Write(bytes);
  file.Commit();
}

void RemovePendingTempFiles() noexcept {
  for (Slot& s : g_slots) {
    if (s.state.load() == kReady) ::unlink(s.path);
  }
}

void RemoveTempFilesOnSignals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old;
    ::sigaction(sig, nullptr, &old);
    // A signal the caller chose to ignore (nohup, a background job) stays ignored.
    if (old.sa_handler == SIG_IGN) continue;
    struct sigaction act {};
    act.sa_handler = RemoveTempFilesAndDie;
    sigemptyset(&act.sa_mask);
    ::sigaction(sig, &act, nullptr);
  }
}

}  // namespace poolbench
