#include "io/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace poolbench {
namespace {

[[noreturn]] void Fail(const std::string& path, const std::string& why) {
  throw InputFileError(path + ": " + why);
}

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Closes the descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

std::string ReadInputFile(const std::string& path, size_t max_bytes, const std::string& what) {
  const Fd file{open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (file.fd < 0) Fail(path, "cannot open " + what + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(file.fd, &st) != 0) Fail(path, "cannot read " + what + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    Fail(path, std::string("is ") + KindOf(st.st_mode) + ", not a " + what + " file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    Fail(path, "is " + std::to_string(st.st_size) + " bytes, more than a " + what + " can be (" +
                   std::to_string(max_bytes >> 20) + " MiB)");
  }
  std::string text;
  text.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  while (true) {
    const ssize_t n = read(file.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Fail(path, "cannot read " + what + ": " + std::strerror(errno));
    if (n == 0) break;
    // A file that grows while it is read is held to the same limit.
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      Fail(path, "grew beyond " + std::to_string(max_bytes >> 20) + " MiB while it was read");
    }
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

}  // namespace poolbench
