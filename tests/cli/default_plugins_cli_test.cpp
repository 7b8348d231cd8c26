// The peers built with poolbench are loaded from beside the executable without flags; one that
// fails to load is named as missing with the loader's reason, and the run goes on.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/run_cli.hpp"

namespace poolbench::testing {
namespace {

namespace fs = std::filesystem;

// A copy of the executable in its own directory, with `plugins` in plugins/ beside it.
class InstalledCopy {
 public:
  explicit InstalledCopy(const std::vector<std::string>& plugins) : dir_("poolbench_defaults") {
    fs::copy_file(POOLBENCH_EXE, dir_.Path("poolbench"));
    fs::create_directory(dir_.Path("plugins"));
    for (const std::string& p : plugins) {
      fs::copy_file(p, dir_.path() / "plugins" / fs::path(p).filename());
    }
  }
  CliResult Run(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {dir_.Path("poolbench")};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv, {{"POOLBENCH_PLUGIN_PATH", ""}});
  }
  std::string Plugin(const std::string& file) const {
    return (dir_.path() / "plugins" / file).string();
  }

 private:
  TempDir dir_;
};

TEST(DefaultPlugins, PeersBesideTheExecutableAreLoadedAndNamedWithTheirOrigin) {
  const InstalledCopy copy({POOLBENCH_TEST_PLUGIN_GOOD_PLUGIN});
  const CliResult r = copy.Run({"list", "--json"});
  ASSERT_EQ(r.status, 0) << r.Output();
  EXPECT_NE(r.out.find("\"name\": \"plugin_good_loops\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"origin\": \"" + copy.Plugin("good_plugin.so") + "\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"origin\": \"built-in\""), std::string::npos) << r.out;

  const CliResult without = copy.Run({"--no-default-plugins", "list"});
  ASSERT_EQ(without.status, 0) << without.Output();
  EXPECT_EQ(without.out.find("plugin_good_loops"), std::string::npos) << without.out;
}

TEST(DefaultPlugins, AnExplicitPluginThatIsAlsoADefaultOneIsLoadedOnce) {
  const InstalledCopy copy({POOLBENCH_TEST_PLUGIN_GOOD_PLUGIN});
  const CliResult r = copy.Run({"--plugin", copy.Plugin("good_plugin.so"), "list"});
  EXPECT_EQ(r.status, 0) << r.Output();
}

TEST(DefaultPlugins, APeerThatFailsToLoadIsMissingWithItsReasonAndTheRunGoesOn) {
  const InstalledCopy copy(
      {POOLBENCH_TEST_PLUGIN_GOOD_PLUGIN, POOLBENCH_TEST_PLUGIN_ABI_V1_PLUGIN});
  const CliResult list = copy.Run({"list"});
  ASSERT_EQ(list.status, 0) << list.Output();
  EXPECT_NE(list.err.find("poolbench: warning: peer abi_v1_plugin is left out"), std::string::npos)
      << list.err;
  EXPECT_NE(list.out.find("abi_v1_plugin\n    MISSING: plugin '"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("built for plugin ABI version 1"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("plugin_good_loops"), std::string::npos) << list.out;

  // The report says which peer is missing and why.
  TempDir out("poolbench_defaults_report");
  const CliResult bench = copy.Run({"bench", "--strategy", "^plugin_good_loops$", "--problem",
                                    "max:fwd:f32:nchw:1x1x8x8:k2", "--min-time", "0.001",
                                    "--bandwidth-seconds", "0", "--out", out.Path("r.json")});
  ASSERT_EQ(bench.status, 0) << bench.Output();
  const std::string report = Slurp(out.Path("r.json"));
  EXPECT_NE(report.find("\"missing_peers\""), std::string::npos);
  EXPECT_NE(report.find("\"name\": \"abi_v1_plugin\""), std::string::npos) << report;
}

}  // namespace
}  // namespace poolbench::testing
