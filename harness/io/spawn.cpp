#include "io/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace poolbench::io {
namespace {

// Owns a posix_spawn_file_actions_t for its scope.
class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;

  void Open(int fd, const std::string& path, int flags) {
    if (!path.empty()) posix_spawn_file_actions_addopen(&actions_, fd, path.c_str(), flags, 0644);
  }
  void Duplicate(int from, int to) { posix_spawn_file_actions_adddup2(&actions_, from, to); }
  const posix_spawn_file_actions_t* get() const { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

pid_t Spawn(const std::vector<std::string>& args, const SpawnOptions& options) {
  if (args.empty()) throw std::invalid_argument("no program to start");
  constexpr int kOutput = O_WRONLY | O_CREAT | O_TRUNC;
  FileActions actions;
  actions.Open(STDIN_FILENO, options.stdin_path, O_RDONLY);
  actions.Open(STDOUT_FILENO, options.stdout_path, kOutput);
  if (options.stderr_to_stdout) {
    actions.Duplicate(STDOUT_FILENO, STDERR_FILENO);
  } else {
    actions.Open(STDERR_FILENO, options.stderr_path, kOutput);
  }
  std::vector<std::string> argv_strings = args;
  std::vector<std::string> env_strings = options.environment;
  const std::vector<char*> argv = Pointers(argv_strings);
  const std::vector<char*> envp = Pointers(env_strings);
  std::cout << std::flush;
  std::cerr << std::flush;
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, argv[0], actions.get(), nullptr, argv.data(),
                               options.environment.empty() ? environ : envp.data());
  if (err != 0) throw std::system_error(err, std::generic_category(), "cannot start " + args[0]);
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw std::system_error(errno, std::generic_category(),
                              "waiting for process " + std::to_string(pid));
    }
  }
  return status;
}

std::optional<int> WaitFor(pid_t pid, std::chrono::duration<double> limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) {
      throw std::system_error(errno, std::generic_category(),
                              "waiting for process " + std::to_string(pid));
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* abbrev = sigabbrev_np(WTERMSIG(status));
    return std::string("was killed by ") +
           (abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(WTERMSIG(status)));
  }
  return "ended with wait status " + std::to_string(status);
}

}  // namespace poolbench::io
