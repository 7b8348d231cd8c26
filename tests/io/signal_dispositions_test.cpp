// The harness's signal handling is put back after code that is not the harness's changed it:
// every signal that changed is named, and one that did not is left alone.
#include "io/signal_dispositions.hpp"

#include <gtest/gtest.h>
#include <signal.h>

namespace poolbench {
namespace {

extern "C" void Handler(int) {}

TEST(SignalDispositions, PutsBackWhatChangedAndNamesIt) {
  struct sigaction mine {};
  mine.sa_handler = Handler;
  sigemptyset(&mine.sa_mask);
  struct sigaction old_int {
  }, old_chld{};
  sigaction(SIGINT, &mine, &old_int);
  sigaction(SIGCHLD, nullptr, &old_chld);

  const SignalDispositions saved;
  EXPECT_TRUE(saved.Restore().empty());
  signal(SIGINT, SIG_IGN);
  signal(SIGCHLD, SIG_IGN);
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);

  EXPECT_EQ(saved.Restore(), (std::vector<std::string>{"SIGINT", "SIGTERM", "SIGCHLD"}));
  struct sigaction now {};
  sigaction(SIGINT, nullptr, &now);
  EXPECT_EQ(now.sa_handler, Handler);
  sigaction(SIGCHLD, nullptr, &now);
  EXPECT_EQ(now.sa_handler, old_chld.sa_handler);
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  EXPECT_EQ(sigismember(&mask, SIGTERM), 0);
  EXPECT_TRUE(saved.Restore().empty());

  sigaction(SIGINT, &old_int, nullptr);
}

}  // namespace
}  // namespace poolbench
