#include "cli/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>

#include "io/atomic_file.hpp"

namespace poolbench::cli {
namespace {

std::atomic<int> g_signal{0};
struct sigaction g_old_int, g_old_term;

extern "C" void OnInterrupt(int sig) {
  int none = 0;
  if (g_signal.compare_exchange_strong(none, sig)) {
    static constexpr char kNote[] =
        "\npoolbench: interrupted; saving what is done after the current step (interrupt "
        "again to stop at once)\n";
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, kNote, sizeof kNote - 1);
    return;
  }
  RemovePendingTempFiles();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal.store(0);
  struct sigaction act {};
  act.sa_handler = OnInterrupt;
  sigemptyset(&act.sa_mask);
  ::sigaction(SIGINT, &act, &g_old_int);
  ::sigaction(SIGTERM, &act, &g_old_term);
  // A signal the caller chose to ignore (nohup, a background job) stays ignored.
  if (g_old_int.sa_handler == SIG_IGN) ::sigaction(SIGINT, &g_old_int, nullptr);
  if (g_old_term.sa_handler == SIG_IGN) ::sigaction(SIGTERM, &g_old_term, nullptr);
}

InterruptGuard::~InterruptGuard() {
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
}

int InterruptGuard::Signal() { return g_signal.load(); }

const char* SignalName(int sig) {
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

}  // namespace poolbench::cli
