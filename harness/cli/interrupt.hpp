// Ctrl-C (SIGINT) and a CI timeout (SIGTERM) during a long command: the first signal asks the
// command to stop at the next safe point, so that it can save what is done; a second one ends
// the process at once (removing pending temporary files, io/atomic_file.hpp).
#pragma once

namespace poolbench::cli {

// While alive, SIGINT and SIGTERM are caught as above; the previous handlers come back when it
// goes. One at a time.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // The signal that asked to stop, or 0.
  static int Signal();
};

// "SIGINT", "SIGTERM", or "signal N".
const char* SignalName(int sig);

}  // namespace poolbench::cli
