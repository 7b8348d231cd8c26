// Each subcommand of the poolbench executable lives in its own file in harness/cli/ and adds
// itself to the application with POOLBENCH_CLI_COMMAND, so a new command is a new file.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "poolbench/strategy.hpp"

namespace poolbench::cli {

// Exit status of a subcommand whose run found problems (a failed check, a regression).
inline constexpr int kExitFailure = 1;
// Exit status for bad input: arguments, descriptors, files.
inline constexpr int kExitUsage = 2;
// Exit status of check and bench when a strategy named in --strategy ran on no problem (each
// skipped it: a dtype, layout or direction it does not take), and nothing failed.
inline constexpr int kExitNotRun = 3;

using CommandAdder = void (*)(CLI::App& app);

// Adds a command; `order` places it in --help (lower first).
bool RegisterCommand(int order, CommandAdder add);

// Throws the error that kept POOLBENCH_PLUGIN_PATH from loading, if any. Every command that runs
// or lists strategies calls it first (SelectStrategies does).
void RequirePluginPath();

// Strategy names matching a regular expression (RE2, cli/pattern.hpp, searched anywhere in the
// name).
// Throws CLI::ValidationError for a bad expression or when nothing matches, and
// RequirePluginPath's error.
std::vector<const Strategy*> SelectStrategies(const std::string& regex);

// Why `given` (a name or an expression) names no strategy: the nearest name when one is near,
// the registered names, and that a plugin's strategies need --plugin.
std::string NoStrategyMessage(const std::string& given);

}  // namespace poolbench::cli

#define POOLBENCH_CLI_COMMAND(order, adder)                                     \
  [[maybe_unused]] static const bool poolbench_cli_command_registered_##order = \
      ::poolbench::cli::RegisterCommand(order, adder)
