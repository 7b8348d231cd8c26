// poolbench list: the registered strategies, what they are and what they support.
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "check/suite.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "io/plugin_loader.hpp"
#include "isolate/worker.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/registry.hpp"

namespace poolbench::cli {
namespace {

struct ListOptions {
  bool json = false;
  std::string suite = "seeds,edge";
  IsolationSelection isolation;
};

// The list as text.
void Print(const nlohmann::json& out, const ListOptions& opt) {
  for (const auto& s : out) {
    if (s.contains("missing")) {
      std::cout << s["name"].get<std::string>()
                << "\n    MISSING: " << s["reason"].get<std::string>() << "\n";
      continue;
    }
    if (s.contains("error")) {
      std::cout << s["name"].get<std::string>() << "\n    " << s["origin"].get<std::string>()
                << "\n    FAILED: " << s["error"].get<std::string>() << "\n";
      continue;
    }
    std::cout << s["name"].get<std::string>() << "\n    " << s["description"].get<std::string>()
              << "\n    " << s["origin"].get<std::string>() << ", up to " << s["max_threads"]
              << (s["max_threads"] == 1 ? " thread" : " threads") << "\n    implements";
    for (const auto& t : s["dtypes"]) std::cout << " " << t.get<std::string>();
    std::cout << " in";
    for (const auto& r : s["ranks"]) std::cout << " " << r.get<int>() << "-D";
    std::cout << "\n    supports " << s["supported"] << " of " << s["total"]
              << " problem variants of " << opt.suite << "\n";
    for (const auto& [reason, count] : s["unsupported_reasons"].items()) {
      std::cout << "      not supported (" << count << "): " << reason << "\n";
    }
  }
}

// What a strategy says about itself and which problems of the suite it supports, with why it
// skips the others: asked in a worker, since all of it is the strategy's code.
nlohmann::json Describe(const Strategy& s, const std::vector<SuiteEntry>& problems) {
  std::map<std::string, int> reasons;
  int supported = 0, total = 0;
  for (const auto& e : problems) {
    for (const Problem& p : CheckVariants(e.problem)) {
      ++total;
      if (Support sup = SupportOf(s, p)) {
        ++supported;
      } else {
        ++reasons[sup.reason];
      }
    }
  }
  std::vector<std::string> dtypes;
  const Implemented scope = s.Implements();
  for (DType t : kAllDTypes) {
    if (scope.dtypes.Has(t)) dtypes.emplace_back(ToString(t));
  }
  std::vector<int> ranks;
  for (int r = 1; r <= 3; ++r) {
    if (scope.ranks.Has(r)) ranks.push_back(r);
  }
  return {{"description", s.description()},
          {"max_threads", s.MaxThreads()},
          {"dtypes", dtypes},
          {"ranks", ranks},
          {"supported", supported},
          {"total", total},
          {"unsupported_reasons", reasons}};
}

// For each strategy, which problems of the suite it supports and why it skips the others. A
// strategy whose code crashes, hangs, throws or exits while answering is listed with that
// fault and its plugin, the others as usual, and the command exits 1.
void RunList(const ListOptions& opt) {
  RequirePluginPath();
  const std::vector<SuiteEntry> problems = LoadSuite(opt.suite);
  const std::vector<const Strategy*> strategies = Registry::Global().All();
  nlohmann::json out = nlohmann::json::array();
  int faults = 0;
  isolate::RunTasks(
      strategies.size(), [&](size_t i) { return Describe(*strategies[i], problems).dump(); },
      opt.isolation.Get(),
      [&](size_t i, isolate::Outcome o) {
        const Strategy& s = *strategies[i];
        const std::string plugin = PluginOf(s);
        nlohmann::json entry = {{"name", s.name()},
                                {"origin", plugin.empty() ? "built-in" : plugin}};
        if (o.fault == isolate::Fault::kNone) {
          entry.update(nlohmann::json::parse(o.result));
        } else {
          ++faults;
          entry["verdict"] = isolate::VerdictName(o.fault);
          entry["error"] = "describing itself (description, MaxThreads, Supports) " + o.message;
        }
        out.push_back(std::move(entry));
        return true;
      });
  // Peers this poolbench was built to offer but cannot, so that their absence is never silent.
  for (const MissingPeer& m : MissingPeers()) {
    out.push_back({{"name", m.name}, {"missing", true}, {"reason", m.reason}});
  }
  if (opt.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    Print(out, opt);
  }
  if (faults > 0) {
    std::cout.flush();
    std::cerr << "poolbench: error: " << faults << (faults == 1 ? " strategy" : " strategies")
              << " failed while describing itself (see above)\n";
    throw CLI::RuntimeError(kExitFailure);
  }
}

void AddListCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<ListOptions>(
      app, "list", RunList,
      "List the registered strategies with their description and what they support, each "
      "asked in a worker process: a strategy that crashes, hangs, throws or exits while "
      "answering is listed with that fault and its plugin, and the command exits 1.");
  cmd->add_flag("--json", opt->json, "Print the list as JSON");
  cmd->add_option("--suite", opt->suite,
                  "Suites (comma-separated names or files) whose problems, in every dtype, op "
                  "and direction, measure what each strategy supports")
      ->capture_default_str();
  AddIsolationOptions(*cmd, opt->isolation, 60);
}

}  // namespace

POOLBENCH_CLI_COMMAND(10, AddListCommand);

}  // namespace poolbench::cli
