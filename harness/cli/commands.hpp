// Each subcommand of the poolbench executable lives in its own file and adds itself to the
// application through one of these functions.
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

void AddListCommand(CLI::App& app);
void AddCheckCommand(CLI::App& app);

// Strategy names matching a regular expression (ECMAScript, searched anywhere in the name).
// Throws CLI::ValidationError for a bad expression or when nothing matches.
std::vector<const Strategy*> SelectStrategies(const std::string& regex);

}  // namespace poolbench::cli
