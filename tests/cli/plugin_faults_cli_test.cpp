// Plugin code that runs in the harness process itself, where no worker isolates it: loading
// (static constructors) and Supports() under `list` and `pool`. A plugin that exits, crashes or
// hangs while loading is refused with its name and exit status 2 by every command that loads
// it, instead of ending poolbench with status 0 and no output (a CI gate would pass with nothing
// checked) or hanging it; one that takes the harness's signals is given them back; a
// Supports() that crashes or throws is named with its plugin.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/run_cli.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

using testing::CliResult;
using testing::Contains;
using testing::RunPoolbench;
using testing::TempDir;

// check's summary line of a strategy ("  lookup_table  1 pass, 0 FAIL, 0 skipped").
std::string SummaryLine(const std::string& out, const std::string& strategy) {
  const size_t at = out.find("\n  " + strategy + " ", out.find("Summary over"));
  if (at == std::string::npos) return "";
  return out.substr(at + 1, out.find('\n', at + 1) - at - 1);
}

struct LoadFault {
  const char* name;
  const char* plugin;
  const char* message;
};

const LoadFault kLoadFaults[] = {
    {"exit", POOLBENCH_TEST_PLUGIN_LOAD_EXIT_PLUGIN,
     "ended the process with status 0 while loading (exit() in a static constructor"},
    {"crash", POOLBENCH_TEST_PLUGIN_LOAD_CRASH_PLUGIN,
     "failed while loading: crashed with SIGSEGV"},
    {"hang", POOLBENCH_TEST_PLUGIN_LOAD_HANG_PLUGIN,
     "did not finish loading within 2 s, and was stopped (POOLBENCH_LOAD_TIMEOUT sets the limit)"},
};

const testing::Environment kShortLoad = {{"POOLBENCH_LOAD_TIMEOUT", "2"}};

class PluginLoadFault : public ::testing::TestWithParam<LoadFault> {};

// Through --plugin, for every command that runs strategies: exit 2, the plugin and the fault
// named, and no report written.
TEST_P(PluginLoadFault, IsRefusedNamingThePluginWithExitTwo) {
  const LoadFault& f = GetParam();
  const TempDir dir("pb_load_fault");
  const std::string out = dir.Path("r.json");
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"list"},
        {"check", "--suite", "seeds", "-q"},
        {"bench", "--problem", "max:fwd:f32:nchw:1x1x4x4:k2x2", "--bandwidth-seconds", "0", "--out",
         out}}) {
    std::vector<std::string> args = {"--plugin", f.plugin};
    args.insert(args.end(), command.begin(), command.end());
    const auto start = std::chrono::steady_clock::now();
    const CliResult r = RunPoolbench(args, kShortLoad);
    EXPECT_EQ(r.status, 2) << command[0] << ":\n" << r.Output();
    EXPECT_TRUE(Contains(r.err, std::string("poolbench: error: plugin '") + f.plugin + "': "));
    EXPECT_TRUE(Contains(r.err, f.message));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  }
  EXPECT_TRUE(dir.Files().empty()) << "a report was written";
}

// Through POOLBENCH_PLUGIN_PATH the error waits for a command that needs plugins.
TEST_P(PluginLoadFault, InThePluginPathFailsTheCommandsThatRunStrategies) {
  const LoadFault& f = GetParam();
  testing::Environment env = kShortLoad;
  env.emplace_back("POOLBENCH_PLUGIN_PATH", f.plugin);
  CliResult r = RunPoolbench({"check", "--suite", "seeds", "-q"}, env);
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, f.message));
  r = RunPoolbench({"report", "--help"}, env);
  EXPECT_EQ(r.status, 0) << r.Output();
}

INSTANTIATE_TEST_SUITE_P(Faults, PluginLoadFault, ::testing::ValuesIn(kLoadFaults),
                         [](const auto& info) { return std::string(info.param.name); });

// A plugin that ignores SIGINT and SIGTERM (and SIGCHLD) at load: poolbench says so and puts its
// own handling back, so that an interrupted bench still stops gracefully and saves its partial
// report, and worker processes are still waited for.
TEST(PluginSignals, HandlersAPluginChangedAreRestoredAndNamed) {
  const CliResult r = RunPoolbench({"--plugin", POOLBENCH_TEST_PLUGIN_LOAD_SIGNALS_PLUGIN, "check",
                                    "--suite", "seeds", "-q", "--strategy", "^load_signals$"});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.err, std::string("poolbench: warning: plugin '") +
                                  POOLBENCH_TEST_PLUGIN_LOAD_SIGNALS_PLUGIN +
                                  "' changed the handling of SIGINT, SIGTERM, SIGCHLD while "
                                  "loading; poolbench put its own back"));
  EXPECT_TRUE(Contains(SummaryLine(r.out, "load_signals"), " 1 pass, 0 FAIL")) << r.out;
}

// Supports() is the strategy's code: `list` asks it in a worker, so a crash or an exception is
// that strategy's entry, naming its plugin, and every other strategy is still listed.
TEST(PluginSupportsFaults, ListNamesTheStrategyAndItsPluginAndExitsOne) {
  const std::string plugin = POOLBENCH_TEST_PLUGIN_FAULTY_SUPPORTS_PLUGIN;
  CliResult r = RunPoolbench({"--plugin", plugin, "list", "--suite", "seeds"});
  EXPECT_EQ(r.status, 1) << r.Output();
  EXPECT_TRUE(Contains(r.out, "faulty_supports_crash\n    " + plugin +
                                  "\n    FAILED: describing itself (description, MaxThreads, "
                                  "Supports) crashed with SIGSEGV"));
  EXPECT_TRUE(Contains(r.out, "faulty_supports_throw\n    " + plugin +
                                  "\n    FAILED: describing itself (description, MaxThreads, "
                                  "Supports) threw: support table not initialised"));
  EXPECT_TRUE(Contains(r.out, "naive_loops\n"));
  EXPECT_TRUE(Contains(r.out, "simd\n"));
  EXPECT_TRUE(Contains(r.err, "2 strategies failed while describing itself"));

  r = RunPoolbench({"--plugin", plugin, "list", "--json", "--suite", "seeds"});
  EXPECT_EQ(r.status, 1) << r.Output();
  const nlohmann::json list = nlohmann::json::parse(r.out);
  int failed = 0;
  for (const nlohmann::json& s : list) {
    if (!s.contains("error")) continue;
    ++failed;
    EXPECT_EQ(s.at("origin"), plugin);
    EXPECT_TRUE(s.at("verdict") == "crashed" || s.at("verdict") == "threw") << s.dump();
  }
  EXPECT_EQ(failed, 2);
}

// In check and bench, Supports() already runs in the worker: a crash is that entry's verdict.
TEST(PluginSupportsFaults, CheckFailsTheStrategyWhoseSupportsCrashes) {
  const std::string plugin = POOLBENCH_TEST_PLUGIN_FAULTY_SUPPORTS_PLUGIN;
  const CliResult r =
      RunPoolbench({"--plugin", plugin, "check", "--problem", "max:fwd:f32:nchw:1x1x4x4:k2x2",
                    "--strategy", "^(lookup_table|faulty_supports_.*)$", "-q"});
  EXPECT_EQ(r.status, 1) << r.Output();
  EXPECT_TRUE(Contains(r.out,
                       "faulty_supports_crash on max:fwd:f32:nchw:1x1x4x4:k2x2 (seed 1): "
                       "CRASHED: crashed with SIGSEGV"));
  EXPECT_TRUE(Contains(r.out,
                       "faulty_supports_throw on max:fwd:f32:nchw:1x1x4x4:k2x2 (seed 1): "
                       "THREW: threw: support table not initialised"));
  EXPECT_TRUE(Contains(SummaryLine(r.out, "lookup_table"), " 1 pass, 0 FAIL")) << r.out;
}

}  // namespace
}  // namespace poolbench
