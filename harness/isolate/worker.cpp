#include "isolate/worker.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <new>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "isolate/fault_reporter.hpp"
#include "isolate/leftovers.hpp"
#include "isolate/protocol.hpp"
#include "run/memory_budget.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define POOLBENCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOLBENCH_ASAN 1
#endif
#endif

namespace poolbench::isolate {
namespace {

#if defined(POOLBENCH_ASAN)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

// The exit status of a process a sanitizer stopped, in a sanitized build (its default options
// below): a worker that exits with it was stopped by a sanitizer, not by exit().
constexpr int kSanitizerExitStatus = 86;
#if defined(POOLBENCH_SANITIZED)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

#if defined(POOLBENCH_ASAN)
extern "C" void __asan_set_error_report_callback(void (*callback)(const char*));
int g_report_fd = -1;
// AddressSanitizer's report of a strategy's fault (a heap overflow, or an allocation that failed:
// its operator new ends the process rather than throw), sent before it ends the worker, so that
// the verdict names the finding.
void RelayReport(const char* report) { WriteFrame(g_report_fd, kSanitizerFrame, report); }
void RelaySanitizerReports(int fd) {
  g_report_fd = fd;
  __asan_set_error_report_callback(RelayReport);
}
#else
void RelaySanitizerReports(int) {}
#endif

// Caps what a worker can allocate at `limit` bytes more than it has mapped now. RLIMIT_AS counts
// every mapping; under AddressSanitizer, whose shadow reserves terabytes of address space up
// front, RLIMIT_DATA (private writable mappings, which the shadow is too, so it is counted in
// what is mapped now) does the same for what the program allocates.
void LimitMemory(uint64_t limit) {
  // /proc/self/statm: total pages, resident, shared, text, lib, data (+ stack), dirty.
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0, shared = 0, text = 0, lib = 0, data = 0;
  statm >> size >> resident >> shared >> text >> lib >> data;
  const uint64_t mapped = (kAddressSanitizer ? data : size) * sysconf(_SC_PAGESIZE);
  const rlimit rl{mapped + limit, mapped + limit};
  setrlimit(kAddressSanitizer ? RLIMIT_DATA : RLIMIT_AS, &rl);
  // So that a problem refused for want of memory names this limit, not RLIMIT_AS.
  NoteMemoryLimit(static_cast<int64_t>(std::min<uint64_t>(limit, INT64_MAX)),
                  "the worker's memory limit, --memory-limit");
}

}  // namespace
}  // namespace poolbench::isolate

#if defined(POOLBENCH_SANITIZED)
// The defaults of a sanitized build (ASAN_OPTIONS and UBSAN_OPTIONS still override them): a
// worker's own SIGSEGV handler reports a strategy's crash with what it hit, as in a normal build,
// and a sanitizer's stop has an exit status of its own (kSanitizerExitStatus).
extern "C" const char* __asan_default_options() { return "allow_user_segv_handler=1:exitcode=86"; }
extern "C" const char* __ubsan_default_options() { return "exitcode=86"; }
#endif

namespace poolbench::isolate {
namespace {

// How long a worker may keep its threads after a task: OpenMP's pool ends within microseconds
// of being paused, so a thread still there after this is the strategy's.
constexpr std::chrono::milliseconds kThreadGrace{1000};

// What the task just run left behind, as a sentence fragment; empty when nothing. Processes are
// killed (the worker reaps its orphaned descendants, so a grandchild that called setsid() is
// found too); threads cannot be, and the worker ends after reporting them.
std::string ThreadsLeft(size_t n) {
  return std::to_string(n) + (n == 1 ? " thread" : " threads") +
         " running after it returned (a strategy's threads must end with its kernel)";
}

std::string Leftovers() {
  std::string out;
  if (ReapExitedChildren()) {
    if (const size_t n = KillDescendants(); n > 0) {
      out = "left " + std::to_string(n) + (n == 1 ? " process" : " processes") +
            " running after it returned (killed)";
    }
  }
  if (const size_t n = SettleThreads(kThreadGrace); n > 0) {
    out += (out.empty() ? "left " : ", and ") + ThreadsLeft(n);
  }
  return out;
}

// The worker's pipe, for ReportFork.
int g_fork_fd = -1;

// Whether this process is a worker holding its tasks to the strategy contract.
bool g_contract = false;

// Thrown by CheckNoNewThreads out of a task: what the strategy left, for its leftover frame.
struct LeftoverError {
  std::string what;
};

// In a child forked during a task: a frame with the child's PID, which fails the task.
void ReportFork() {
  char frame[kFrameHeaderSize];
  EncodeFrameHeader(kForkFrame, 0, frame);
  [[maybe_unused]] const ssize_t written = ::write(g_fork_fd, frame, sizeof frame);
}

// The body of a worker: tasks `first` ... count - 1, then exit without running the harness's
// exit handlers (they belong to the harness process).
[[noreturn]] void WorkerMain(size_t first, size_t count, const Task& task, const Options& opt,
                             int fd, pid_t harness) {
  // An interrupt is for the harness, which decides when to stop; a worker whose harness is
  // gone has nobody to report to.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != harness) _exit(3);  // it died before the line above
  // Its own process group, which the harness kills as a whole, and the reaper of whatever its
  // strategies start, so that nothing they leave escapes (see Leftovers).
  setpgid(0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  const pid_t self = getpid();
  BeginWorker();
  if (opt.strategy_contract) {
    // A child forked during a task says so at once, so that the harness ends the worker and
    // everything it started before the child runs the rest of the task (a forking kernel timed
    // in a loop would fork without end). posix_spawn and system() do not run fork handlers:
    // starting another program is not caught.
    g_fork_fd = fd;
    g_contract = true;
    pthread_atfork(nullptr, nullptr, ReportFork);
  }
  InstallFaultReporter(fd);
  RelaySanitizerReports(fd);
  if (opt.memory_limit_bytes > 0) LimitMemory(opt.memory_limit_bytes);
  for (size_t i = first; i < count; ++i) {
    BeginTask(i);
    char type = kResultFrame;
    std::string payload;
    try {
      payload = task(i);
    } catch (const LeftoverError& e) {
      type = kLeftoverFrame;
      payload = e.what;
    } catch (const std::bad_alloc& e) {
      type = kMemoryFrame;
      payload = e.what();
    } catch (const std::exception& e) {
      type = kThrewFrame;
      payload = e.what();
    } catch (...) {
      type = kThrewFrame;
      payload = "an exception that is not a std::exception";
    }
    if (getpid() != self) {
      // A child the strategy forked has returned into this loop. Its frame carries its own
      // PID, which the harness refuses, failing the task; it must not run the next one.
      WriteFrame(fd, type, payload);
      _exit(0);
    }
    if (type != kLeftoverFrame && opt.strategy_contract) {
      if (std::string left = Leftovers(); !left.empty()) {
        type = kLeftoverFrame;
        payload = std::move(left);
      }
    }
    WriteFrame(fd, type, payload);
    // Threads cannot be killed: a fresh worker takes the next task.
    if (type == kLeftoverFrame) break;
  }
  // What strategies printed reaches the same streams as in one process.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  _exit(0);
}

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// The kernel's count of processes its out-of-memory killer ended, machine-wide (/proc/vmstat),
// or -1 when it cannot be read: a SIGKILL is the OOM killer's only when the count grew.
int64_t OomKills() {
  std::ifstream in("/proc/vmstat");
  std::string key;
  int64_t value = 0;
  while (in >> key >> value) {
    if (key == "oom_kill") return value;
  }
  return -1;
}

// The line of a sanitizer's report that names the finding ("ERROR: AddressSanitizer: ...").
std::string Finding(const std::string& report) {
  const size_t at = report.find("ERROR: ");
  const size_t begin = at == std::string::npos ? 0 : at + 7;
  return report.substr(begin, report.find('\n', begin) - begin);
}

Outcome FromStatus(int status, const std::string& fault_note, const std::string& sanitizer,
                   int64_t oom_kills_before) {
  Outcome o;
  if (!sanitizer.empty()) {
    const std::string finding = Finding(sanitizer);
    const bool memory = finding.find("out of memory") != std::string::npos ||
                        finding.find("allocation-size-too-big") != std::string::npos ||
                        finding.find("rss-limit-exceeded") != std::string::npos;
    o.fault = memory ? Fault::kOutOfMemory : Fault::kCrashed;
    o.message = (memory ? "ran out of memory (" : "stopped by the sanitizer (") + finding + ")";
    return o;
  }
  if (kSanitized && WIFEXITED(status) && WEXITSTATUS(status) == kSanitizerExitStatus) {
    o.fault = Fault::kCrashed;
    o.message = "stopped by the sanitizer (its report is on stderr)";
    return o;
  }
  if (WIFEXITED(status)) {
    o.fault = Fault::kExited;
    o.status = WEXITSTATUS(status);
    o.message = "the process exited with status " + std::to_string(o.status) +
                " before the strategy finished (exit() called from a strategy?)";
    return o;
  }
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  o.signal = SignalName(sig);
  if (sig == SIGKILL) {
    // The harness kills only at a deadline, which is reported before this is reached: the
    // kernel's OOM killer did, or someone else.
    const int64_t oom_kills = OomKills();
    if (oom_kills < 0 || oom_kills > oom_kills_before) {
      o.fault = Fault::kOutOfMemory;
      o.message = oom_kills < 0 ? "killed by SIGKILL, most likely by the kernel's out-of-memory "
                                  "killer"
                                : "killed by the kernel's out-of-memory killer (SIGKILL)";
      return o;
    }
    o.fault = Fault::kCrashed;
    o.message =
        "killed by SIGKILL from outside poolbench (not by the kernel's out-of-memory killer, "
        "whose count in /proc/vmstat did not change)";
    return o;
  }
  o.fault = Fault::kCrashed;
  o.message = "crashed with " + o.signal;
  if (const char* what = sigdescr_np(sig)) o.message += std::string(" (") + what + ")";
  if (!fault_note.empty()) o.message += ": " + fault_note;
  return o;
}

void WaitFor(pid_t pid, int& status) {
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

// Ends a worker and everything it started: its process group, then (the harness being their
// reaper) every descendant that left the group and is now the harness's child. `keep` are the
// harness's children from before the run. Returns the worker's wait status.
int EndWorker(pid_t pid, const std::vector<pid_t>& keep) {
  // Killed before it is reaped, so that its PID, which names its group, cannot be reused yet.
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  int status = 0;
  WaitFor(pid, status);
  KillDescendants(keep);
  return status;
}

// Waits up to `grace` for a worker that closed its pipe to exit, without reaping it (so that its
// process group can still be killed safely). Returns its wait status, or nothing when it is
// still running.
std::optional<int> WaitForExit(pid_t pid, std::chrono::milliseconds grace) {
  const auto until = std::chrono::steady_clock::now() + grace;
  for (;;) {
    siginfo_t info{};
    const int r = waitid(P_PID, pid, &info, WEXITED | WNOWAIT | WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return 0;  // not a child any more: nothing to tell
    if (info.si_pid == pid) {
      if (info.si_code == CLD_EXITED) return W_EXITCODE(info.si_status, 0);
      return info.si_status;  // the signal: the wait status of a process it killed
    }
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// A worker's frames must come from the worker itself, in sequence, each answering the task it
// is running; anything else is a strategy meddling with the pipe (a forked child writing to
// it, or bytes written to its descriptor), and fails the task being run.
std::string Violation(FrameReader::Status status, const FrameHeader& h, pid_t worker,
                      uint64_t sequence, size_t task) {
  if (status == FrameReader::Status::kGarbage) {
    return "wrote to the harness's pipe: bytes that are not a worker message arrived while it "
           "ran";
  }
  if (h.pid != worker) {
    return "forked a child (PID " + std::to_string(h.pid) +
           ") that wrote to the harness: a strategy must not call fork(), whose child would run "
           "the rest of the harness's work as a second worker";
  }
  if (h.sequence != sequence || h.task != task) {
    return "wrote to the harness's pipe: message " + std::to_string(h.sequence) + " for task " +
           std::to_string(h.task) + " arrived where message " + std::to_string(sequence) +
           " for task " + std::to_string(task) + " was due";
  }
  return "";
}

// Starts a worker for tasks `first` ..., and collects its outcomes until it ends. Returns the
// index of the first task it did not finish.
size_t RunWorker(size_t first, size_t count, const Task& task, const Options& opt, const Done& done,
                 const std::vector<pid_t>& keep) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot create a pipe to a worker");
  }
  const pid_t harness = getpid();
  const int64_t oom_kills = OomKills();
  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    close(fds[0]);
    close(fds[1]);
    throw std::system_error(err, std::generic_category(), "cannot start a worker process");
  }
  if (pid == 0) {
    close(fds[0]);
    WorkerMain(first, count, task, opt, fds[1], harness);
  }
  // Here too, so that the group exists before the harness may need to kill it.
  setpgid(pid, pid);
  close(fds[1]);
  using Clock = std::chrono::steady_clock;
  // A worker that has answered every task only has to exit; one that does not within this long
  // is held up by something a strategy left, and is ended.
  constexpr std::chrono::seconds kExitGrace{10};
  FrameReader reader(fds[0]);
  std::string fault_note, sanitizer;
  size_t next = first;
  uint64_t sequence = 0;
  // The limit of the task being run (0: none), and when it ends.
  double seconds = 0;
  Clock::time_point deadline;
  const auto start = [&] {
    seconds = opt.timeout_of ? opt.timeout_of(next) : opt.timeout_seconds;
    deadline = Clock::now() +
               std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  if (next < count) start();
  // Ends the worker with `o` as the verdict of the task being run (none once all are done).
  const auto fail = [&](Outcome o) {
    EndWorker(pid, keep);
    close(fds[0]);
    if (next >= count) return count;
    return done(next, std::move(o)) ? next + 1 : count;
  };
  for (;;) {
    int wait_ms = -1;
    const auto until = next < count ? deadline : Clock::now() + kExitGrace;
    if (next >= count || seconds > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      wait_ms = static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(left.count(), 1 << 30)));
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      Outcome o;
      o.fault = Fault::kTimedOut;
      // std::to_string(double) writes six decimals; %g shows the limit as the user wrote it.
      char text[64];
      std::snprintf(text, sizeof text, "%g", seconds);
      o.message = std::string("timed out: did not finish within ") + text +
                  " s (--timeout), and was killed";
      return fail(std::move(o));
    }
    const bool open = reader.Fill();
    FrameHeader h;
    std::string payload;
    for (;;) {
      const FrameReader::Status status = reader.Next(h, payload);
      if (status == FrameReader::Status::kNone) break;
      if (std::string v = Violation(status, h, pid, sequence, next); !v.empty()) {
        Outcome o;
        o.fault = Fault::kCrashed;
        o.message = std::move(v);
        return fail(std::move(o));
      }
      ++sequence;
      if (h.type == kFaultFrame || h.type == kSanitizerFrame) {
        (h.type == kFaultFrame ? fault_note : sanitizer) = std::move(payload);
        continue;
      }
      Outcome o;
      if (h.type == kResultFrame) {
        o.result = std::move(payload);
      } else if (h.type == kLeftoverFrame) {
        o.fault = Fault::kCrashed;
        o.message = std::move(payload);
        return fail(std::move(o));
      } else {
        o.fault = h.type == kMemoryFrame ? Fault::kOutOfMemory : Fault::kThrew;
        o.message = (h.type == kMemoryFrame ? "ran out of memory (" : "threw: ") + payload +
                    (h.type == kMemoryFrame ? ")" : "");
      }
      if (!done(next++, std::move(o))) {
        EndWorker(pid, keep);
        close(fds[0]);
        return count;
      }
      if (next < count) start();
    }
    if (!open) break;
  }
  const std::optional<int> status = WaitForExit(pid, kExitGrace);
  if (!status) {
    Outcome o;
    o.fault = Fault::kCrashed;
    o.message = "closed the worker's pipe to the harness and kept running";
    return fail(std::move(o));
  }
  close(fds[0]);
  EndWorker(pid, keep);
  if (next < count && !done(next++, FromStatus(*status, fault_note, sanitizer, oom_kills))) {
    return count;
  }
  return next;
}

// The same tasks in this process, with the same verdicts for exceptions.
void RunInProcess(size_t count, const Task& task, const Done& done) {
  for (size_t i = 0; i < count; ++i) {
    Outcome o;
    try {
      o.result = task(i);
    } catch (const std::bad_alloc& e) {
      o.fault = Fault::kOutOfMemory;
      o.message = std::string("ran out of memory (") + e.what() + ")";
    } catch (const std::exception& e) {
      o.fault = Fault::kThrew;
      o.message = std::string("threw: ") + e.what();
    } catch (...) {
      o.fault = Fault::kThrew;
      o.message = "threw: an exception that is not a std::exception";
    }
    if (!done(i, std::move(o))) return;
  }
}

}  // namespace

uint64_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(size) : 0;
}

void CheckNoNewThreads(size_t before) {
  if (!g_contract) return;
  const auto deadline = std::chrono::steady_clock::now() + kThreadGrace;
  for (size_t now = ThreadCount(); now > before; now = ThreadCount()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      throw LeftoverError{"left " + ThreadsLeft(now - before) + ", one more with each call"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void RunTasks(size_t count, const Task& task, const Options& options, const Done& done) {
  if (!options.isolate) return RunInProcess(count, task, done);
  // The reaper of what a worker killed at its deadline leaves (its group is killed with it,
  // but a process that called setsid() is not in it).
  const SubreaperScope reaper;
  const std::vector<pid_t> keep = Children();
  for (size_t next = 0; next < count;) next = RunWorker(next, count, task, options, done, keep);
}

}  // namespace poolbench::isolate
