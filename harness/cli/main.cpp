// poolbench: the command-line tool. Subcommands are defined one per file (commands.hpp).
#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/pattern.hpp"
#include "cli/plugin_probe.hpp"
#include "cli/standard_output.hpp"
#include "io/atomic_file.hpp"
#include "io/plugin_loader.hpp"
#include "poolbench/registry.hpp"

namespace poolbench::cli {
namespace {

std::vector<std::pair<int, CommandAdder>>& Commands() {
  static std::vector<std::pair<int, CommandAdder>> commands;
  return commands;
}

// Why POOLBENCH_PLUGIN_PATH did not load, kept for the commands that run strategies: --help,
// report, compare and roofline need no plugin and must not fail on one.
std::string& PluginPathError() {
  static std::string error;
  return error;
}

}  // namespace

void RequirePluginPath() {
  if (!PluginPathError().empty()) throw std::runtime_error(PluginPathError());
}

bool RegisterCommand(int order, CommandAdder add) {
  Commands().emplace_back(order, add);
  return true;
}

std::vector<const Strategy*> SelectStrategies(const std::string& regex) {
  RequirePluginPath();
  const NamePattern pattern(regex, "--strategy");
  std::vector<const Strategy*> out;
  std::string names;
  for (const Strategy* s : Registry::Global().All()) {
    names += (names.empty() ? "" : ", ") + std::string(s->name());
    if (pattern.Matches(s->name())) out.push_back(s);
  }
  if (out.empty()) {
    throw CLI::ValidationError(
        "--strategy", ShownPattern(regex) + " matches no strategy (registered: " + names + ")");
  }
  return out;
}

}  // namespace poolbench::cli

int main(int argc, char** argv) {
  using namespace poolbench::cli;
  GuardStandardStreams();
  // An interrupted command leaves no temporary file behind (commands that save partial work,
  // like bench, catch the signals themselves while they run).
  poolbench::RemoveTempFilesOnSignals();
  InstallPluginProbe();
  CLI::App app{
      "poolbench: benchmark and correctness harness for 2-D pooling strategies.\n"
      "Every strategy is held to one reference semantics (PyTorch's) and timed side by side."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "poolbench 0.1.0");
  // Plugins must be in the registry before any subcommand runs, and CLI11 runs subcommand
  // callbacks inside parse(). A global option given before the subcommand is parsed first, and
  // trigger_on_parse loads each plugin as soon as its --plugin is read, so every subcommand
  // sees them.
  app.add_option_function<std::string>(
         "--plugin", [](const std::string& path) { poolbench::LoadPlugin(path); },
         "Load the strategies of a plugin shared library (repeatable; give it before the "
         "subcommand). POOLBENCH_PLUGIN_PATH, a ':'-separated list of plugins and directories "
         "of plugins, is loaded first.")
      ->type_name("PATH.so")
      ->trigger_on_parse();
  // Read before parsing (the peers must be registered before any subcommand runs); declared
  // here so that --help lists it and the parser accepts it.
  app.add_flag("--no-default-plugins")
      ->description(
          "Do not load the peers built with poolbench (oneDNN, XNNPACK, libtorch...) from "
          "beside the executable; only built-in strategies and --plugin ones run");
  std::sort(Commands().begin(), Commands().end());
  for (const auto& [order, add] : Commands()) add(app);
  try {
    const bool defaults = std::none_of(argv + 1, argv + argc, [](const char* a) {
      return std::string_view(a) == "--no-default-plugins";
    });
    if (defaults) poolbench::LoadDefaultPlugins();
    if (const char* list = std::getenv(poolbench::kPluginPathVariable)) {
      try {
        poolbench::LoadPluginPath(list);
      } catch (const poolbench::PluginError& e) {
        PluginPathError() = e.what();
      }
    }
    app.parse(argc, argv);
  } catch (const CLI::Error& e) {
    // A mistyped command would otherwise be answered "A subcommand is required", which names
    // neither the word given nor the commands there are.
    if (const std::vector<std::string> rest = app.remaining();
        dynamic_cast<const CLI::RequiredError*>(&e) && app.get_subcommands().empty() &&
        !rest.empty()) {
      std::string names;
      for (const CLI::App* c : app.get_subcommands([](const CLI::App*) { return true; })) {
        names += (names.empty() ? "" : ", ") + c->get_name();
      }
      std::cerr << "poolbench: error: '" << rest.front()
                << "' is not a command (commands: " << names
                << "; poolbench --help says what each does)\n";
      return kExitUsage;
    }
    const int code = app.exit(e);
    // CLI11 reports parse errors with its own codes; poolbench uses one for all bad input.
    return FinishStandardOutput(code == 0 || e.get_name() == "RuntimeError" ? code : kExitUsage);
  } catch (const std::exception& e) {
    std::cerr << "poolbench: error: " << e.what() << "\n";
    return FinishStandardOutput(kExitUsage);
  }
  return FinishStandardOutput(0);
}
