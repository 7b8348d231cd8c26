// Runtime plugins: good ones load and pass the cross-check, bad ones are refused with a message
// that names the problem.
//
// The in-process tests load into their own Registry, never the global one: a plugin's names
// can be registered once per registry, so a shared registry would make the tests depend on
// their order. Loading the same plugin twice into one registry is the duplicate case.
#include "io/plugin_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "check/cross_check.hpp"
#include "check/random_problems.hpp"
#include "check/suite.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/plugin.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

using Names = std::vector<std::string>;

using testing::Contains;

constexpr const char* kGood = POOLBENCH_TEST_PLUGIN_GOOD_PLUGIN;
constexpr const char* kExample = POOLBENCH_TEST_PLUGIN_EXAMPLE_SEPARABLE;
constexpr const char* kGoodDir = POOLBENCH_TEST_PLUGIN_GOOD_DIR;

// The message of the PluginError that `load` throws; fails the test if it throws nothing.
std::string ErrorOf(const std::function<void()>& load) {
  try {
    load();
  } catch (const PluginError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a PluginError";
  return "";
}

TEST(PluginLoader, GoodPluginAddsItsStrategies) {
  Registry registry;
  EXPECT_EQ(LoadPlugin(kGood, registry), (Names{"plugin_good_loops", "plugin_good_max_only"}));
  ASSERT_EQ(registry.All().size(), 2u);
  ASSERT_NE(registry.Find("plugin_good_loops"), nullptr);
  EXPECT_EQ(registry.Find("plugin_good_loops")->description(),
            "test plugin: loops over each window's valid taps");
}

// A loaded strategy is an ordinary one: the cross-check holds it to the reference, and what it
// does not support is skipped with its own reason.
TEST(PluginLoader, GoodPluginStrategiesPassTheCrossCheck) {
  Registry registry;
  LoadPlugin(kGood, registry);
  const Strategy& loops = *registry.Find("plugin_good_loops");
  const Strategy& max_only = *registry.Find("plugin_good_max_only");
  for (const char* d :
       {"max:fwd:f32:nchw:2x3x6x6:k2x2:idx", "avg:fwd:f64:nchw:1x2x7x7:k3x3:s2x2:p1x1",
        "max:fwd:i32:nchw:1x1x14x15:k2x3:ceil:idx",
        "avg:fwd:f32:nchw:1x1x5x5:k3x3:s1x1:p1x1:excl"}) {
    const Problem p = ParseDescriptor(d);
    const CheckResult r = CrossCheck(loops, p, 7);
    EXPECT_EQ(r.verdict, Verdict::kPass) << d << ": " << r.detail;
    const CheckResult m = CrossCheck(max_only, p, 7);
    if (p.op == Op::kMax) {
      EXPECT_EQ(m.verdict, Verdict::kPass) << d << ": " << m.detail;
    } else {
      EXPECT_EQ(m.verdict, Verdict::kSkipped) << d;
      EXPECT_EQ(m.detail, "max only");
    }
  }
}

// The out-of-tree example, built here from the same source, on the seeds and edge suites in
// every variant and on random problems: exact where the reference is exact.
TEST(PluginLoader, ExampleSeparableMatchesTheReference) {
  Registry registry;
  EXPECT_EQ(LoadPlugin(kExample, registry), (Names{"example_separable"}));
  const Strategy& s = *registry.Find("example_separable");
  std::vector<Problem> problems;
  for (const SuiteEntry& e : LoadSuite("seeds,edge")) {
    for (const Problem& v : CheckVariants(e.problem)) problems.push_back(v);
  }
  for (uint64_t seed = 1; seed <= 200; ++seed) problems.push_back(RandomProblem(seed));
  int passed = 0;
  for (const Problem& p : problems) {
    const CheckResult r = CrossCheck(s, p, 3);
    // The example implements DefaultDTypes (f32, f64, i32), forward NCHW.
    const bool supported = DefaultDTypes::set.Has(p.dtype) && p.direction == Direction::kForward &&
                           p.layout == Layout::kNCHW;
    EXPECT_EQ(r.verdict, supported ? Verdict::kPass : Verdict::kSkipped)
        << FormatDescriptor(p) << ": " << r.detail;
    passed += r.verdict == Verdict::kPass;
  }
  // The suites must actually exercise the strategy, not only its skips.
  EXPECT_GT(passed, 100);
}

TEST(PluginLoader, WrongAbiVersionNamesBothVersions) {
  Registry registry;
  const std::string e =
      ErrorOf([&] { LoadPlugin(POOLBENCH_TEST_PLUGIN_WRONG_ABI_PLUGIN, registry); });
  EXPECT_TRUE(Contains(e, POOLBENCH_TEST_PLUGIN_WRONG_ABI_PLUGIN));
  EXPECT_TRUE(Contains(e, "plugin ABI version " + std::to_string(plugin::kAbiVersion + 1000)));
  EXPECT_TRUE(
      Contains(e, "this poolbench has plugin ABI version " + std::to_string(plugin::kAbiVersion)));
  EXPECT_TRUE(registry.All().empty());
}

TEST(PluginLoader, RefusesAPluginBuiltForTheVersion1Interface) {
  Registry registry;
  const std::string e = ErrorOf([&] { LoadPlugin(POOLBENCH_TEST_PLUGIN_ABI_V1_PLUGIN, registry); });
  EXPECT_TRUE(Contains(e,
                       "built for plugin ABI version 1, but this poolbench has plugin ABI "
                       "version " +
                           std::to_string(plugin::kAbiVersion)))
      << e;
  EXPECT_TRUE(Contains(e, "rebuild")) << e;
  EXPECT_TRUE(registry.All().empty());
}

TEST(PluginLoader, RefusesAPluginBuiltForThePreviousVersion) {
  Registry registry;
  const std::string e =
      ErrorOf([&] { LoadPlugin(POOLBENCH_TEST_PLUGIN_PREVIOUS_ABI_PLUGIN, registry); });
  EXPECT_TRUE(Contains(
      e, "built for plugin ABI version " + std::to_string(plugin::kAbiVersion - 1) +
             ", but this poolbench has plugin ABI version " + std::to_string(plugin::kAbiVersion)))
      << e;
  EXPECT_TRUE(registry.All().empty());
}

TEST(PluginLoader, LayoutMismatchNamesTheField) {
  Registry registry;
  const std::string e =
      ErrorOf([&] { LoadPlugin(POOLBENCH_TEST_PLUGIN_WRONG_LAYOUT_PLUGIN, registry); });
  const std::string ours = std::to_string(sizeof(Problem));
  EXPECT_TRUE(Contains(e, "sizeof(poolbench::Problem) is " + std::to_string(sizeof(Problem) + 8) +
                              " in the plugin but " + ours + " in poolbench"));
  EXPECT_TRUE(Contains(e, "a test toolchain"));
  EXPECT_TRUE(registry.All().empty());
}

TEST(PluginLoader, MissingEntryPointIsNamed) {
  Registry registry;
  const std::string e =
      ErrorOf([&] { LoadPlugin(POOLBENCH_TEST_PLUGIN_NO_ENTRY_PLUGIN, registry); });
  EXPECT_TRUE(Contains(e, POOLBENCH_TEST_PLUGIN_NO_ENTRY_PLUGIN));
  EXPECT_TRUE(Contains(e, "no entry point 'poolbench_plugin_abi_version'"));
}

TEST(PluginLoader, DuplicateStrategyNameIsRefusedAndAddsNothing) {
  Registry registry;
  LoadPlugin(kGood, registry);
  const Strategy* first = registry.Find("plugin_good_loops");
  const std::string e = ErrorOf([&] { LoadPlugin(kGood, registry); });
  EXPECT_TRUE(Contains(e, std::string("plugin '") + kGood + "'"));
  EXPECT_TRUE(Contains(e, "a strategy named 'plugin_good_loops' is already registered (by plugin"));
  EXPECT_EQ(registry.All().size(), 2u);
  EXPECT_EQ(registry.Find("plugin_good_loops"), first);
}

TEST(PluginLoader, StrategyThatThrowsWhileRegisteringIsReported) {
  Registry registry;
  const std::string e =
      ErrorOf([&] { LoadPlugin(POOLBENCH_TEST_PLUGIN_THROWING_PLUGIN, registry); });
  EXPECT_TRUE(
      Contains(e, "failed while registering its strategies: cannot find its lookup tables"));
  EXPECT_TRUE(registry.All().empty());
}

TEST(PluginLoader, StaticRegistrationInAPluginIsRefused) {
  Registry registry;
  const std::string e =
      ErrorOf([&] { LoadPlugin(POOLBENCH_TEST_PLUGIN_STATIC_REGISTRATION_PLUGIN, registry); });
  EXPECT_TRUE(Contains(e, "POOLBENCH_PLUGIN_STRATEGY"));
  EXPECT_TRUE(Contains(e, "plugin_misregistered"));
  EXPECT_TRUE(registry.All().empty());
}

class PluginFiles : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    return dir_.Write(name, text);
  }
  testing::TempDir dir_{"poolbench_plugin_test"};
};

TEST_F(PluginFiles, NotASharedLibraryReportsTheLoaderError) {
  const std::string path = Write("not_a_plugin.so", "this is a text file, not an ELF object\n");
  Registry registry;
  const std::string e = ErrorOf([&] { LoadPlugin(path, registry); });
  EXPECT_TRUE(Contains(e, "plugin '" + path + "': cannot load it as a shared library: "));
  // dlerror's own text follows, naming the file.
  EXPECT_TRUE(Contains(e, "not_a_plugin.so:"));
}

TEST_F(PluginFiles, MissingFileAndDirectoryAreRefused) {
  Registry registry;
  const std::string missing = (dir_.path() / "missing.so").string();
  EXPECT_EQ(ErrorOf([&] { LoadPlugin(missing, registry); }),
            "plugin '" + missing + "': no such file");
  EXPECT_TRUE(
      Contains(ErrorOf([&] { LoadPlugin(dir_.path().string(), registry); }), "not a regular file"));
}

TEST_F(PluginFiles, PluginPathExpandsDirectoriesToTheirSharedLibraries) {
  Write("b.so", "");
  Write("a.so", "");
  Write("readme.txt", "");
  std::filesystem::create_directory(dir_.path() / "sub.so");  // a directory, not a library
  const std::string d = dir_.path().string();
  EXPECT_EQ(ExpandPluginPath("::" + d + ":" + kGood + ":"),
            (Names{d + "/a.so", d + "/b.so", kGood}));
  EXPECT_TRUE(Contains(ErrorOf([&] { ExpandPluginPath(d + ":" + d + "/nope"); }),
                       "POOLBENCH_PLUGIN_PATH entry '" + d + "/nope': no such file or directory"));
}

TEST(PluginLoader, PluginPathDirectoryLoadsEveryPluginInIt) {
  Registry registry;
  EXPECT_EQ(LoadPluginPath(kGoodDir, registry),
            (Names{"example_separable", "plugin_good_loops", "plugin_good_max_only"}));
  EXPECT_EQ(registry.All().size(), 3u);
}

}  // namespace
}  // namespace poolbench
