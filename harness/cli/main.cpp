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
#include "cli/suggest.hpp"
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

// The arguments with poolbench's own options (--plugin, --no-default-plugins) moved before the
// subcommand, wherever they were given: plugins load while CLI11 reads the options before the
// subcommand, and `poolbench check --plugin my.py` is the commonest way to write it. Nothing
// after "--" moves.
std::vector<std::string> GlobalOptionsFirst(int argc, char** argv) {
  std::vector<std::string> global, rest;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") {
      rest.insert(rest.end(), argv + i, argv + argc);
      break;
    }
    if (a == "--plugin" && i + 1 < argc) {
      global.insert(global.end(), {argv[i], argv[i + 1]});
      ++i;
    } else if (a.starts_with("--plugin=") || a == "--no-default-plugins") {
      global.emplace_back(a);
    } else {
      rest.emplace_back(a);
    }
  }
  global.insert(global.end(), rest.begin(), rest.end());
  return global;
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
  for (const Strategy* s : Registry::Global().All()) {
    if (pattern.Matches(s->name())) out.push_back(s);
  }
  if (out.empty()) throw CLI::ValidationError("--strategy", NoStrategyMessage(regex));
  return out;
}

std::string NoStrategyMessage(const std::string& given) {
  std::vector<std::string> names;
  std::string list;
  for (const Strategy* s : Registry::Global().All()) {
    names.emplace_back(s->name());
    list += (list.empty() ? "" : ", ") + names.back();
  }
  const std::string near = NearestName(given, names);
  return ShownPattern(given) + " names no strategy" +
         (near.empty() ? "" : "; did you mean '" + near + "'?") + " (registered: " + list +
         "; a plugin's strategies need --plugin PATH, before or after the subcommand)";
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
      "poolbench: benchmark and correctness harness for pooling strategies.\n"
      "Every strategy is held to one reference semantics (PyTorch's) and timed side by side."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "poolbench 0.1.0");
  // Plugins must be in the registry before any subcommand runs, and CLI11 runs subcommand
  // callbacks inside parse(). A global option given before the subcommand is parsed first (and
  // GlobalOptionsFirst puts every --plugin there), and trigger_on_parse loads each plugin as soon
  // as its --plugin is read, so every subcommand sees them.
  app.add_option_function<std::string>(
         "--plugin", [](const std::string& path) { poolbench::LoadPlugin(path); },
         "Load the strategies of a plugin: a shared library or a Python file (repeatable; "
         "before or after the subcommand). POOLBENCH_PLUGIN_PATH, a ':'-separated list of plugins "
         "and directories "
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
  std::vector<std::string> args = GlobalOptionsFirst(argc, argv);
  try {
    const bool defaults = std::none_of(
        args.begin(), args.end(), [](const std::string& a) { return a == "--no-default-plugins"; });
    if (defaults) poolbench::LoadDefaultPlugins();
    if (const char* list = std::getenv(poolbench::kPluginPathVariable)) {
      try {
        poolbench::LoadPluginPath(list);
      } catch (const poolbench::PluginError& e) {
        PluginPathError() = e.what();
      }
    }
    // As parse(argc, argv) would: usage lines name the program as it was run.
    app.name(argv[0]);
    // CLI11 takes the arguments in reverse order.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::Error& e) {
    const int code = app.exit(e);
    // (CLI11 names an error raised for a subcommand after the subcommand: test its type.)
    if (dynamic_cast<const CLI::ExtrasError*>(&e) || dynamic_cast<const CLI::RequiredError*>(&e)) {
      if (const std::string hint = ParseErrorHint(app, args); !hint.empty()) {
        std::cerr << hint << "\n";
      }
    }
    // CLI11 reports parse errors with its own codes; poolbench uses one for all bad input.
    return FinishStandardOutput(code == 0 || e.get_name() == "RuntimeError" ? code : kExitUsage);
  } catch (const std::exception& e) {
    std::cerr << "poolbench: error: " << e.what() << "\n";
    return FinishStandardOutput(kExitUsage);
  }
  return FinishStandardOutput(0);
}
