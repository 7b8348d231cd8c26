// How one task run in a worker process ended: with its result, or with a fault that the harness
// reports as the verdict of that (strategy, problem) entry instead of dying with it.
#pragma once

#include <string>
#include <string_view>

namespace poolbench::isolate {

enum class Fault {
  kNone,         // the task returned its result
  kCrashed,      // killed by a signal (SIGSEGV, SIGABRT, ...)
  kTimedOut,     // did not finish within the time limit, and was killed
  kThrew,        // an exception left the strategy
  kExited,       // the process exited (exit(), _exit()) before the task finished
  kOutOfMemory,  // an allocation failed at the memory limit, or the kernel's OOM killer struck
};

// The verdict as written in reports and tests: "crashed", "timed_out", "threw", "exited",
// "out_of_memory" (and "pass" for kNone, which a caller replaces with its own verdict).
std::string_view VerdictName(Fault f);

// The verdict as shown in tables: "CRASHED", "TIMED OUT", "THREW", "EXITED", "OUT OF MEMORY".
std::string_view VerdictLabel(Fault f);

struct Outcome {
  Fault fault = Fault::kNone;
  std::string result;   // kNone: what the task returned
  std::string message;  // otherwise: what happened, in a sentence fragment
  std::string signal;   // kCrashed: the signal's name, e.g. "SIGSEGV"
  int status = 0;       // kExited: the exit status
};

}  // namespace poolbench::isolate
