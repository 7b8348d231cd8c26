// The poolbench executable loads --plugin and POOLBENCH_PLUGIN_PATH before its subcommand runs,
// and refuses bad plugins with a usage error.
#include <gtest/gtest.h>

#include "support/run_cli.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

using testing::Contains;
constexpr const char* kGood = POOLBENCH_TEST_PLUGIN_GOOD_PLUGIN;
constexpr const char* kExample = POOLBENCH_TEST_PLUGIN_EXAMPLE_SEPARABLE;
constexpr const char* kGoodDir = POOLBENCH_TEST_PLUGIN_GOOD_DIR;

using testing::CliResult;
using testing::RunPoolbench;

// A plugin compiled at -O0 says so when it is loaded, and the report of a bench that ran its
// strategies warns at its head.
TEST(PluginCommandLine, APluginBuiltWithoutOptimisationIsNamed) {
  const testing::TempDir dir("poolbench_plugin_cli");
  const std::string out = dir.Path("r.json");
  const CliResult r =
      RunPoolbench({"--plugin", POOLBENCH_TEST_PLUGIN_UNOPTIMIZED_PLUGIN, "bench", "--problem",
                    "max:fwd:f32:nchw:1x1x8x8:k2", "--strategy", "plugin_good_loops", "--processes",
                    "1", "--min-time", "0.01", "--bandwidth-seconds", "0", "--out", out});
  ASSERT_EQ(r.status, 0) << r.Output();
  const std::string note = std::string("plugin ") + POOLBENCH_TEST_PLUGIN_UNOPTIMIZED_PLUGIN +
                           " was compiled without optimisation (-O0)";
  EXPECT_TRUE(Contains(r.err, note)) << r.err;
  EXPECT_EQ(r.err.find(note), r.err.rfind(note)) << "said once:\n" << r.err;
  EXPECT_TRUE(Contains(r.out, "warning: compiled without optimisation (-O0): plugin_good_loops"))
      << r.out;
  const CliResult md = RunPoolbench({"report", out});
  EXPECT_TRUE(Contains(md.out, "compiled without optimisation (-O0): plugin_good_loops")) << md.out;

  // The same code compiled with optimisation is not named.
  const CliResult good = RunPoolbench({"--plugin", kGood, "list"});
  EXPECT_FALSE(Contains(good.Output(), "without optimisation")) << good.Output();
}

TEST(PluginCommandLine, ListShowsThePluginsStrategies) {
  const CliResult r = RunPoolbench({"--plugin", kGood, "list", "--suite", "seeds"});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "plugin_good_loops\n    test plugin: loops over each window"));
  EXPECT_TRUE(Contains(r.Output(), "plugin_good_max_only"));
  EXPECT_TRUE(Contains(r.Output(), "naive_loops"));
}

// check selects strategies inside its callback, which CLI11 runs during parse(): this passes
// only if the plugin was loaded before that.
TEST(PluginCommandLine, PluginsAreLoadedBeforeTheSubcommandRuns) {
  const CliResult r = RunPoolbench({"--plugin", kGood, "--plugin", kExample, "check", "--strategy",
                                    "^(plugin_good_loops|example_separable)$", "-q"});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "example_separable"));
  EXPECT_TRUE(Contains(r.Output(), "plugin_good_loops"));
  EXPECT_TRUE(Contains(r.Output(), "All checks passed."));
}

// The commonest way to write it: --plugin after the subcommand (and --plugin=PATH) works too.
TEST(PluginCommandLine, PluginsGivenAfterTheSubcommandAreLoadedToo) {
  const CliResult r = RunPoolbench({"check", "--plugin", kGood, "--strategy",
                                    "^(plugin_good_loops|example_separable)$", "-q",
                                    std::string("--plugin=") + kExample});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "example_separable"));
  EXPECT_TRUE(Contains(r.Output(), "plugin_good_loops"));
}

TEST(PluginCommandLine, PluginPathVariableIsLoaded) {
  const CliResult r =
      RunPoolbench({"list", "--suite", "seeds"}, {{"POOLBENCH_PLUGIN_PATH", kGoodDir}});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "example_separable"));
  EXPECT_TRUE(Contains(r.Output(), "plugin_good_max_only"));
}

// A user's strategy that takes none of the selected problems (plugin_good_max_only on an average
// pooling problem) would vanish from the output: check and bench warn with its skip reasons,
// and exit 3 when it was asked for by name.
TEST(PluginCommandLine, AStrategyThatRanOnNothingIsNamed) {
  const testing::TempDir dir("poolbench_plugin_cli");
  const std::string avg = "avg:fwd:f32:nchw:1x1x4x4:k2";
  const std::vector<std::string> named = {"--strategy", "^(plugin_good_max_only|simd)$"};
  const std::vector<std::string> unnamed = {"--strategy", "max_only|simd"};
  for (const std::string command : {"check", "bench"}) {
    for (const auto* strategy : {&named, &unnamed}) {
      std::vector<std::string> args = {"--plugin", kGood, command, "--problem", avg};
      args.insert(args.end(), strategy->begin(), strategy->end());
      if (command == "bench") {
        args.insert(args.end(), {"--min-time", "0.001", "--processes", "1", "--repetitions", "1",
                                 "--bandwidth-seconds", "0", "--out", dir.Path("r.json")});
      } else {
        args.push_back("--as-written");
      }
      const CliResult r = RunPoolbench(args);
      EXPECT_EQ(r.status, strategy == &named ? 3 : 0) << command << ":\n" << r.Output();
      EXPECT_TRUE(Contains(r.out, "warning: plugin_good_max_only ran on no problem")) << command;
      EXPECT_TRUE(Contains(r.out, command == "bench" ? "(1: max only)" : "skipped 1: max only"))
          << command;
    }
  }
  // The report carries it as a warning, for report.md and report.html.
  EXPECT_TRUE(Contains(testing::Slurp(dir.Path("r.json")), "\"kind\": \"ran_on_nothing\""));
}

TEST(PluginCommandLine, BadPluginsExitWithUsageErrors) {
  CliResult r = RunPoolbench({"--plugin", POOLBENCH_TEST_PLUGIN_WRONG_ABI_PLUGIN, "list"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "poolbench: error: plugin '"));
  EXPECT_TRUE(Contains(r.Output(), "this poolbench has plugin ABI version"));

  r = RunPoolbench({"--plugin", kGood, "--plugin", kGood, "list"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "a strategy named 'plugin_good_loops' is already registered"));

  r = RunPoolbench({"list"}, {{"POOLBENCH_PLUGIN_PATH", "/nonexistent/poolbench.so"}});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "POOLBENCH_PLUGIN_PATH entry '/nonexistent/poolbench.so'"));
}

}  // namespace
}  // namespace poolbench
