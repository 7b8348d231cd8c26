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
#include <system_error>

#include "isolate/fault_reporter.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define POOLBENCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOLBENCH_ASAN 1
#endif
#endif

namespace poolbench::isolate {
namespace {

// The worker's messages to the harness, one frame each: a type byte, an 8-byte length and the
// payload. The handler of fault_reporter.cpp writes kFaultFrame frames of the same shape.
constexpr char kResultFrame = 'R';     // the task's result
constexpr char kThrewFrame = 'T';      // an exception's message
constexpr char kMemoryFrame = 'M';     // std::bad_alloc's message
constexpr char kSanitizerFrame = 'S';  // a sanitizer's report, just before it ends the worker

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(3);  // the harness is gone; nobody is left to tell
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void WriteFrame(int fd, char type, const std::string& payload) {
  std::string frame(1 + sizeof(uint64_t), type);
  const uint64_t length = payload.size();
  std::memcpy(frame.data() + 1, &length, sizeof length);
  frame += payload;
  WriteAll(fd, frame.data(), frame.size());
}

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
  InstallFaultReporter(fd);
  RelaySanitizerReports(fd);
  if (opt.memory_limit_bytes > 0) LimitMemory(opt.memory_limit_bytes);
  for (size_t i = first; i < count; ++i) {
    try {
      WriteFrame(fd, kResultFrame, task(i));
    } catch (const std::bad_alloc& e) {
      WriteFrame(fd, kMemoryFrame, e.what());
    } catch (const std::exception& e) {
      WriteFrame(fd, kThrewFrame, e.what());
    } catch (...) {
      WriteFrame(fd, kThrewFrame, "an exception that is not a std::exception");
    }
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

// Reads frames from a worker's pipe as they arrive.
class FrameReader {
 public:
  explicit FrameReader(int fd) : fd_(fd) {}
  // Reads what is available; false at end of file.
  bool Fill() {
    char chunk[65536];
    for (;;) {
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }
  // The next complete frame, if any.
  bool Next(char& type, std::string& payload) {
    constexpr size_t kHeader = 1 + sizeof(uint64_t);
    if (buffer_.size() < kHeader) return false;
    uint64_t length = 0;
    std::memcpy(&length, buffer_.data() + 1, sizeof length);
    if (buffer_.size() - kHeader < length) return false;
    type = buffer_[0];
    payload = buffer_.substr(kHeader, length);
    buffer_.erase(0, kHeader + length);
    return true;
  }

 private:
  int fd_;
  std::string buffer_;
};

// The line of a sanitizer's report that names the finding ("ERROR: AddressSanitizer: ...").
std::string Finding(const std::string& report) {
  const size_t at = report.find("ERROR: ");
  const size_t begin = at == std::string::npos ? 0 : at + 7;
  return report.substr(begin, report.find('\n', begin) - begin);
}

Outcome FromStatus(int status, const std::string& fault_note, const std::string& sanitizer) {
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
  if (sig == SIGKILL) {
    // The harness kills only on a timeout, which is reported before this is reached.
    o.fault = Fault::kOutOfMemory;
    o.signal = SignalName(sig);
    o.message = "killed by SIGKILL, most likely by the kernel's out-of-memory killer";
    return o;
  }
  o.fault = Fault::kCrashed;
  o.signal = SignalName(sig);
  o.message = "crashed with " + o.signal;
  if (const char* what = sigdescr_np(sig)) o.message += std::string(" (") + what + ")";
  if (!fault_note.empty()) o.message += ": " + fault_note;
  return o;
}

void WaitFor(pid_t pid, int& status) {
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

// Starts a worker for tasks `first` ..., and collects its outcomes until it ends. Returns the
// index of the first task it did not finish.
size_t RunWorker(size_t first, size_t count, const Task& task, const Options& opt,
                 const Done& done) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot create a pipe to a worker");
  }
  const pid_t harness = getpid();
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
  close(fds[1]);
  using Clock = std::chrono::steady_clock;
  const auto limit = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(opt.timeout_seconds));
  auto deadline = Clock::now() + limit;
  FrameReader reader(fds[0]);
  std::string fault_note, sanitizer;
  size_t next = first;
  for (;;) {
    int wait_ms = -1;
    if (opt.timeout_seconds > 0 && next < count) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      wait_ms = static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(left.count(), 1 << 30)));
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      kill(pid, SIGKILL);
      int status = 0;
      WaitFor(pid, status);
      close(fds[0]);
      Outcome o;
      o.fault = Fault::kTimedOut;
      // std::to_string(double) writes six decimals; %g shows the limit as the user wrote it.
      char text[64];
      std::snprintf(text, sizeof text, "%g", opt.timeout_seconds);
      o.message = std::string("timed out: did not finish within ") + text +
                  " s (--timeout), and was killed";
      return done(next, std::move(o)) ? next + 1 : count;
    }
    const bool open = reader.Fill();
    char type = 0;
    std::string payload;
    while (reader.Next(type, payload)) {
      if (type == kFaultFrame || type == kSanitizerFrame) {
        (type == kFaultFrame ? fault_note : sanitizer) = std::move(payload);
        continue;
      }
      Outcome o;
      if (type == kResultFrame) {
        o.result = std::move(payload);
      } else {
        o.fault = type == kMemoryFrame ? Fault::kOutOfMemory : Fault::kThrew;
        o.message = (type == kMemoryFrame ? "ran out of memory (" : "threw: ") + payload +
                    (type == kMemoryFrame ? ")" : "");
      }
      if (next < count && !done(next++, std::move(o))) {
        kill(pid, SIGKILL);
        int status = 0;
        WaitFor(pid, status);
        close(fds[0]);
        return count;
      }
      deadline = Clock::now() + limit;
    }
    if (!open) break;
  }
  close(fds[0]);
  int status = 0;
  WaitFor(pid, status);
  if (next < count && !done(next++, FromStatus(status, fault_note, sanitizer))) return count;
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

void RunTasks(size_t count, const Task& task, const Options& options, const Done& done) {
  if (!options.isolate) return RunInProcess(count, task, done);
  for (size_t next = 0; next < count;) next = RunWorker(next, count, task, options, done);
}

}  // namespace poolbench::isolate
