#include "cli/standard_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

#include "cli/commands.hpp"

namespace poolbench::cli {
namespace {

// Set when standard output was closed when poolbench started: nothing printed can reach anyone.
std::string g_stdout_closed;

}  // namespace

void GuardStandardStreams() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // open() returns the lowest free descriptor: this one.
    const int null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (null != fd && null >= 0) close(null);
    if (fd == STDOUT_FILENO) {
      g_stdout_closed = "standard output is closed";
      std::cout.setstate(std::ios::badbit);
    }
  }
}

int FinishStandardOutput(int status) {
  errno = 0;
  std::cout.flush();
  if (std::cout.good()) return status;
  const std::string why = !g_stdout_closed.empty() ? g_stdout_closed
                          : errno != 0 ? std::string("writing it failed: ") + std::strerror(errno)
                                       : std::string("writing it failed");
  std::cerr << "poolbench: error: what poolbench printed to standard output was lost (" << why
            << ")\n";
  return status == 0 ? kExitUsage : status;
}

}  // namespace poolbench::cli
