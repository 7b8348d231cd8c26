// Test helper: runs a program (the real poolbench executable, or a Python script) with an argv
// vector and captures its stdout, stderr and exit status. Only the tests built with
// POOLBENCH_EXE (the command-line and schema tests) include it.
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

#include "support/temp_dir.hpp"

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

}  // namespace poolbench::testing
