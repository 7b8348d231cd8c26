// Starting another program and waiting for it: without a shell, so no argument is ever
// interpreted, with its standard streams on files. The one way poolbench starts a program (the
// HTML renderer runs Python, ab runs the two executables it compares) and its tests run
// poolbench.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace poolbench::io {

struct SpawnOptions {
  // Files the child's standard streams are opened on (output files created or truncated);
  // empty: inherited from this process.
  std::string stdin_path;
  std::string stdout_path;
  std::string stderr_path;
  // Standard error goes where standard output goes (stderr_path is then ignored).
  bool stderr_to_stdout = false;
  // The child's whole environment, as NAME=value; empty: this process's.
  std::vector<std::string> environment;
};

// Starts args[0] (searched in PATH when it has no '/') with the arguments args[1...] and returns
// its PID. This process's std::cout and std::cerr are flushed first, so that what they hold is
// printed before the child's output. Throws std::system_error naming the program when it cannot
// be started (args empty: std::invalid_argument).
pid_t Spawn(const std::vector<std::string>& args, const SpawnOptions& options = {});

// The wait status of `pid` once it has ended. Throws std::system_error when it cannot be waited
// for.
int Wait(pid_t pid);

// The wait status of `pid` if it ends within `limit`, otherwise nothing (it keeps running).
std::optional<int> WaitFor(pid_t pid, std::chrono::duration<double> limit);

// A wait status in words: "exited with status 3", "was killed by SIGKILL".
std::string DescribeWaitStatus(int status);

}  // namespace poolbench::io
