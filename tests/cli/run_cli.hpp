// Test helper: runs a program (the real poolbench executable, or a Python script) with an argv
// vector and captures its stdout, stderr and exit status, and gives a test a temporary
// directory of its own. The command-line tests and the harness tests that drive the executable
// share it. It is not named *_test.cpp, so the test glob does not compile it as a test.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace poolbench::testing {

// What a run printed and how it ended.
struct CliResult {
  // The exit status; -1 when the program could not be started or was killed by a signal.
  int status = -1;
  std::string out, err;

  // Both streams, for assertions that do not care which one a message went to.
  std::string Output() const { return out + err; }
};

// Extra environment variables for a run, as (name, value); they replace inherited ones.
using Environment = std::vector<std::pair<std::string, std::string>>;

// The whole content of a file, or "" when it cannot be read.
inline std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Runs argv[0] (searched in PATH when it has no slash) with the arguments argv[1...], without a
// shell, so arguments need no quoting. Both streams go to anonymous temporary files rather than
// pipes: a child that fills one pipe while the parent reads the other would deadlock.
inline CliResult RunProgram(const std::vector<std::string>& argv, const Environment& env = {}) {
  CliResult r;
  if (argv.empty()) {
    r.err = "RunProgram: no program given";
    return r;
  }
  std::vector<std::string> assignments;
  for (char** e = environ; *e; ++e) {
    const std::string var = *e;
    const bool replaced = std::any_of(env.begin(), env.end(), [&](const auto& kv) {
      return var.compare(0, kv.first.size() + 1, kv.first + "=") == 0;
    });
    if (!replaced) assignments.push_back(var);
  }
  for (const auto& [name, value] : env) assignments.push_back(name + "=" + value);

  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& a : assignments) envp.push_back(const_cast<char*>(a.c_str()));
  envp.push_back(nullptr);

  FILE* out = std::tmpfile();
  FILE* err = std::tmpfile();
  if (!out || !err) {
    if (out) std::fclose(out);
    if (err) std::fclose(err);
    r.err = "RunProgram: cannot create temporary files: " + std::string(std::strerror(errno));
    return r;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fileno(out), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fileno(err), STDERR_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);

  auto read_all = [](FILE* f) {
    std::string s;
    std::rewind(f);
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof buf, f)) s.append(buf, n);
    std::fclose(f);
    return s;
  };
  if (spawned != 0) {
    std::fclose(out);
    std::fclose(err);
    r.err = "RunProgram: cannot run " + argv[0] + ": " + std::strerror(spawned);
    return r;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_all(out);
  r.err = read_all(err);
  return r;
}

// Runs the poolbench executable under test with `args` (its subcommand and options), without
// the peers built beside it, so that results do not depend on which libraries the machine has
// (tests/cli/default_plugins_cli_test.cpp covers loading them).
inline CliResult RunPoolbench(const std::vector<std::string>& args, const Environment& env = {}) {
  std::vector<std::string> argv = {POOLBENCH_EXE, "--no-default-plugins"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, env);
}

// A fresh directory under the system's temporary directory, removed with everything in it when
// the object goes. mkdtemp gives each test its own, so tests never see each other's files, even
// when several test processes run at once (ctest -j).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "_XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) {
      throw std::runtime_error("cannot create a temporary directory " + pattern + ": " +
                               std::strerror(errno));
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }

  // Writes `bytes` to the file `name` in the directory and returns its path.
  std::string Write(const std::string& name, const std::string& bytes) const {
    const std::string p = Path(name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

  // The names of the entries in the directory, sorted.
  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
      names.push_back(e.path().filename());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace poolbench::testing
