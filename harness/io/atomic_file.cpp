#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>

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

}  // namespace

PendingFile::PendingFile(std::string path) : path_(std::move(path)) {
  const fs::path target(path_);
  if (target.has_parent_path() && !fs::is_directory(target.parent_path())) {
    throw FileError(path_ + ": directory " + target.parent_path().string() + " does not exist");
  }
  // O_EXCL under a fresh random name: two writers of one path never share a temporary file.
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    temp_ = path_ + ".tmp-" + RandomSuffix();
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST) break;
  }
  if (fd_ < 0) {
    const std::string why = ErrnoText(errno);
    temp_.clear();
    throw FileError(path_ + ": cannot create a temporary file beside it: " + why);
  }
}

PendingFile::PendingFile(PendingFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_(std::exchange(other.temp_, {})),
      fd_(std::exchange(other.fd_, -1)) {}

PendingFile::~PendingFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void PendingFile::Fail(const std::string& why) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
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
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) Fail("writing " + temp_ + " failed: " + ErrnoText(errno));
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    Fail("cannot replace the file: " + ErrnoText(errno));
  }
  temp_.clear();
}

void WriteFileAtomically(const std::string& path, std::string_view bytes) {
  PendingFile file(path);
  file.Write(bytes);
  file.Commit();
}

}  // namespace poolbench
