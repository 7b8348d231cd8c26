// Test helper: this thread pinned to one CPU that a busy process shares with it, so that what
// the thread (and every process it starts) runs waits for the CPU about half of the time.
#pragma once

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace poolbench::testing {

class CpuCompetitor {
 public:
  CpuCompetitor() {
    EXPECT_EQ(sched_getaffinity(0, sizeof saved_, &saved_), 0);
    int cpu = 0;
    while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &saved_)) ++cpu;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    // Inherited by the competitor and by whatever this thread starts.
    EXPECT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
    pid_ = fork();
    EXPECT_GE(pid_, 0);
    if (pid_ == 0) {
      for (;;) asm volatile("");  // spins until killed
    }
  }
  ~CpuCompetitor() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    sched_setaffinity(0, sizeof saved_, &saved_);
  }
  CpuCompetitor(const CpuCompetitor&) = delete;
  CpuCompetitor& operator=(const CpuCompetitor&) = delete;

 private:
  cpu_set_t saved_{};
  pid_t pid_ = -1;
};

}  // namespace poolbench::testing
