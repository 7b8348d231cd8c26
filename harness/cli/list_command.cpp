// poolbench list: the registered strategies, what they are and what they support.
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "check/suite.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "io/plugin_loader.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/registry.hpp"

namespace poolbench::cli {
namespace {

struct ListOptions {
  bool json = false;
  std::string suite = "seeds,edge";
};

// For each strategy, which problems of the suite it supports and why it skips the others.
void RunList(const ListOptions& opt) {
  RequirePluginPath();
  const std::vector<SuiteEntry> problems = LoadSuite(opt.suite);
  nlohmann::json out = nlohmann::json::array();
  for (const Strategy* s : Registry::Global().All()) {
    std::map<std::string, int> reasons;
    int supported = 0, total = 0;
    for (const auto& e : problems) {
      for (const Problem& p : CheckVariants(e.problem)) {
        ++total;
        if (Support sup = SupportOf(*s, p)) {
          ++supported;
        } else {
          ++reasons[sup.reason];
        }
      }
    }
    const std::string plugin = PluginOf(*s);
    const Implemented scope = s->Implements();
    std::vector<std::string> dtypes;
    for (DType t : kAllDTypes) {
      if (scope.dtypes.Has(t)) dtypes.emplace_back(ToString(t));
    }
    out.push_back({{"name", s->name()},
                   {"description", s->description()},
                   {"origin", plugin.empty() ? "built-in" : plugin},
                   {"max_threads", s->MaxThreads()},
                   {"dtypes", dtypes},
                   {"supported", supported},
                   {"total", total},
                   {"unsupported_reasons", reasons}});
  }
  // Peers this poolbench was built to offer but cannot, so that their absence is never silent.
  for (const MissingPeer& m : MissingPeers()) {
    out.push_back({{"name", m.name}, {"missing", true}, {"reason", m.reason}});
  }
  if (opt.json) {
    std::cout << out.dump(2) << "\n";
    return;
  }
  for (const auto& s : out) {
    if (s.contains("missing")) {
      std::cout << s["name"].get<std::string>()
                << "\n    MISSING: " << s["reason"].get<std::string>() << "\n";
      continue;
    }
    std::cout << s["name"].get<std::string>() << "\n    " << s["description"].get<std::string>()
              << "\n    " << s["origin"].get<std::string>() << ", up to " << s["max_threads"]
              << (s["max_threads"] == 1 ? " thread" : " threads") << "\n    implements";
    for (const auto& t : s["dtypes"]) std::cout << " " << t.get<std::string>();
    std::cout << "\n    supports " << s["supported"] << " of " << s["total"]
              << " problem variants of " << opt.suite << "\n";
    for (const auto& [reason, count] : s["unsupported_reasons"].items()) {
      std::cout << "      not supported (" << count << "): " << reason << "\n";
    }
  }
}

void AddListCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<ListOptions>(
      app, "list", RunList,
      "List the registered strategies with their description and what they support.");
  cmd->add_flag("--json", opt->json, "Print the list as JSON");
  cmd->add_option("--suite", opt->suite,
                  "Suites (comma-separated names or files) whose problems, in every dtype, op "
                  "and direction, measure what each strategy supports")
      ->capture_default_str();
}

}  // namespace

POOLBENCH_CLI_COMMAND(10, AddListCommand);

}  // namespace poolbench::cli
