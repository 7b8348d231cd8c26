// Test plugins whose kernels start a grandchild in a session of its own, out of the worker's
// process group: one forks for it (fork, fork, setsid; the grandchild holds the worker's pipe
// open), one starts it through a shell (posix_spawn, which runs no fork handler) and returns,
// one starts it so and then hangs. Without a subreaper, the grandchild kept `check` waiting for
// the pipe to close, and outlived the timeout. The grandchildren's PIDs are appended to
// $POOLBENCH_TEST_PID_FILE, so that a test can see that the harness killed them.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "faulty_strategy.hpp"

extern char** environ;

namespace {

void RecordPid(pid_t pid) {
  const char* file = std::getenv("POOLBENCH_TEST_PID_FILE");
  if (!file) return;
  char line[32];
  const int n = std::snprintf(line, sizeof line, "%d\n", static_cast<int>(pid));
  const int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  [[maybe_unused]] const ssize_t w = write(fd, line, static_cast<size_t>(n));
  close(fd);
}

void ForkGrandchild() {
  const pid_t child = fork();
  if (child == 0) {
    if (fork() == 0) {
      setsid();
      RecordPid(getpid());
      sleep(60);
    }
    _exit(0);
  }
  if (child > 0) waitpid(child, nullptr, 0);
}

// `setsid sleep 60` through a shell that records its PID and exits at once.
void SpawnGrandchild() {
  std::string command = "setsid sleep 60 >/dev/null 2>&1 &";
  if (const char* file = std::getenv("POOLBENCH_TEST_PID_FILE")) {
    command += " echo $! >> '" + std::string(file) + "'";
  }
  const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
  pid_t sh = 0;
  if (posix_spawnp(&sh, "sh", nullptr, nullptr, const_cast<char**>(argv), environ) == 0) {
    waitpid(sh, nullptr, 0);
  }
}

class FaultySetsid final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_setsid"; }
  void Fault(const poolbench::Problem& p, const poolbench::Buffers& b) const override {
    poolbench::testing::PoolCorrectly(p, b);
    ForkGrandchild();
  }
};

class FaultySpawn final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_spawn"; }
  void Fault(const poolbench::Problem& p, const poolbench::Buffers& b) const override {
    poolbench::testing::PoolCorrectly(p, b);
    SpawnGrandchild();
  }
};

class FaultySpawnHang final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_spawn_hang"; }
  void Fault(const poolbench::Problem&, const poolbench::Buffers&) const override {
    SpawnGrandchild();
    for (volatile bool forever = true; forever;) {
    }
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultySetsid);
POOLBENCH_PLUGIN_STRATEGY(FaultySpawn);
POOLBENCH_PLUGIN_STRATEGY(FaultySpawnHang);

}  // namespace

POOLBENCH_PLUGIN();
