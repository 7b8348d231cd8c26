// Test helper: runs a program (the real poolbench executable, or a Python script) with an argv
// vector and captures its stdout, stderr and exit status. Only the tests built with
// POOLBENCH_EXE (the command-line and schema tests) include it.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "io/spawn.hpp"
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
// shell, so arguments need no quoting.
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

  // Both streams go to files rather than pipes: a child that fills one pipe while the parent
  // reads the other would deadlock.
  const TempDir streams("pb_run");
  io::SpawnOptions options;
  options.stdin_path = "/dev/null";
  options.stdout_path = streams.Path("out");
  options.stderr_path = streams.Path("err");
  options.environment = std::move(assignments);
  int status = 0;
  try {
    status = io::Wait(io::Spawn(argv, options));
  } catch (const std::exception& e) {
    r.err = std::string("RunProgram: ") + e.what();
    return r;
  }
  r.out = Slurp(streams.Path("out"));
  r.err = Slurp(streams.Path("err"));
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
