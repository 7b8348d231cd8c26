#include "isolate/fault_reporter.hpp"

#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "isolate/protocol.hpp"
#include "run/guarded_buffer.hpp"

namespace poolbench::isolate {
namespace {

int g_fd = -1;

// A fixed buffer filled with async-signal-safe appends: no allocation, no stdio.
struct Text {
  char data[480];
  size_t size = 0;

  void Add(const char* s) {
    while (*s && size < sizeof data) data[size++] = *s++;
  }
  void AddNumber(uint64_t v, int base = 10) {
    char digits[24];
    int n = 0;
    do {
      digits[n++] = "0123456789abcdef"[v % base];
      v /= base;
    } while (v);
    while (n) {
      if (size < sizeof data)
        data[size++] = digits[--n];
      else
        --n;
    }
  }
};

// `write`: 1 a write, 0 a read, -1 unknown.
void Describe(const void* address, int write, Text& t) {
  const char* verb = write == 1 ? "wrote " : write == 0 ? "read " : "accessed memory ";
  GuardHit hit;
  if (!FindGuardedBuffer(address, hit)) {
    t.Add(verb);
    t.Add("at address 0x");
    t.AddNumber(reinterpret_cast<uintptr_t>(address), 16);
    t.Add(", outside every buffer of the harness");
    return;
  }
  t.Add(verb);
  if (hit.offset < 0) {
    t.Add("before the ");
    t.Add(hit.label);
    t.Add(" at offset -");
    t.AddNumber(static_cast<uint64_t>(-hit.offset));
    t.Add(" bytes");
  } else if (hit.offset >= hit.bytes) {
    t.Add("past the ");
    t.Add(hit.label);
    t.Add(" at offset +");
    t.AddNumber(static_cast<uint64_t>(hit.offset - hit.bytes));
    t.Add(" bytes after its end (");
    t.AddNumber(static_cast<uint64_t>(hit.bytes));
    t.Add(" bytes long)");
  } else {
    t.Add("into the ");
    t.Add(hit.label);
    t.Add(" at offset ");
    t.AddNumber(static_cast<uint64_t>(hit.offset));
    t.Add(" (it is read-only while the strategy runs)");
  }
}

// Whether the faulting access was a write: on x86-64 the page-fault error code says so.
int WasWrite([[maybe_unused]] void* context) {
#if defined(__x86_64__)
  const auto* uc = static_cast<const ucontext_t*>(context);
  return (uc->uc_mcontext.gregs[REG_ERR] & 2) ? 1 : 0;
#else
  return -1;
#endif
}

void OnFault(int, siginfo_t* info, void* context) {
  Text t;
  Describe(info->si_addr, WasWrite(context), t);
  // One frame (see protocol.hpp), well below PIPE_BUF, so written at once.
  char frame[kFrameHeaderSize + sizeof t.data];
  EncodeFrameHeader(kFaultFrame, t.size, frame);
  std::memcpy(frame + kFrameHeaderSize, t.data, t.size);
  [[maybe_unused]] const ssize_t written = ::write(g_fd, frame, kFrameHeaderSize + t.size);
  // SA_RESETHAND restored the default action: returning re-runs the faulting access, which
  // now ends the process with the signal, as the harness expects.
}

}  // namespace

void InstallFaultReporter(int fd) {
  g_fd = fd;
  static char alternate_stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alternate_stack;
  ss.ss_size = sizeof alternate_stack;
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_sigaction = OnFault;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, nullptr);
  sigaction(SIGBUS, &sa, nullptr);
}

std::string DescribeFault(const void* address, int write) {
  Text t;
  Describe(address, write, t);
  return std::string(t.data, t.size);
}

}  // namespace poolbench::isolate
