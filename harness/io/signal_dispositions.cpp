#include "io/signal_dispositions.hpp"

#include <string.h>

namespace poolbench {
namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE};

bool Blocked(int sig) {
  sigset_t mask;
  sigemptyset(&mask);
  ::pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  return sigismember(&mask, sig) == 1;
}

// Whether two dispositions handle a signal the same way (the handler and the flags that change
// what it does; the mask during the handler is the handler's own business).
bool Same(const struct sigaction& a, const struct sigaction& b) {
  constexpr int kFlags = SA_SIGINFO | SA_RESETHAND | SA_NOCLDSTOP | SA_NOCLDWAIT | SA_RESTART;
  const bool info = a.sa_flags & SA_SIGINFO;
  const bool same_handler = info ? a.sa_sigaction == b.sa_sigaction : a.sa_handler == b.sa_handler;
  return same_handler && (a.sa_flags & kFlags) == (b.sa_flags & kFlags);
}

}  // namespace

SignalDispositions::SignalDispositions() {
  for (int sig : kSignals) {
    Saved s{sig, {}, Blocked(sig)};
    ::sigaction(sig, nullptr, &s.action);
    saved_.push_back(s);
  }
}

std::vector<std::string> SignalDispositions::Restore() const {
  std::vector<std::string> changed;
  for (const Saved& s : saved_) {
    struct sigaction now {};
    ::sigaction(s.signal, nullptr, &now);
    const bool blocked = Blocked(s.signal);
    if (Same(now, s.action) && blocked == s.blocked) continue;
    ::sigaction(s.signal, &s.action, nullptr);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, s.signal);
    ::pthread_sigmask(s.blocked ? SIG_BLOCK : SIG_UNBLOCK, &one, nullptr);
    changed.push_back(std::string("SIG") + sigabbrev_np(s.signal));
  }
  return changed;
}

}  // namespace poolbench
