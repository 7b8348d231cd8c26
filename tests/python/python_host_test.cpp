// Python strategies through the real executable: `poolbench --plugin file.py ...` with user
// files (tests/python/files/) and the shipped examples (examples/python/). Skipped, with the
// reason, when this poolbench was built without the Python plugin host.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/npy.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

using testing::CliResult;
using testing::Contains;
using testing::RunPoolbench;

const std::string kFiles = POOLBENCH_SOURCE_DIR "/tests/python/files/";
const std::string kExamples = POOLBENCH_SOURCE_DIR "/examples/python/";

class PythonHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (*POOLBENCH_PYTHON_HOST_MISSING) {
      GTEST_SKIP() << "the Python plugin host is not built: " << POOLBENCH_PYTHON_HOST_MISSING;
    }
  }
  testing::TempDir dir_{"poolbench_python"};
};

TEST_F(PythonHostTest, CorrectUserFilePassesTheSeedAndEdgeSuites) {
  const CliResult r = RunPoolbench({"--plugin", kFiles + "good.py", "check", "--suite",
                                    "seeds,edge", "--strategy", "^user_blocks$"});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "All checks passed."));
  EXPECT_TRUE(Contains(r.Output(), "user_blocks"));
}

TEST_F(PythonHostTest, ListNamesThePythonFileAsTheOrigin) {
  const CliResult r = RunPoolbench({"--plugin", kFiles + "good.py", "list"});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "user_blocks"));
  EXPECT_TRUE(Contains(r.Output(), "a user's reshape block max"));
  EXPECT_TRUE(Contains(r.Output(), "good.py"));
}

TEST_F(PythonHostTest, CorrectUserFileIsTimedAndReportedWithItsTimingNote) {
  const std::string json = dir_.Path("report.json");
  CliResult r =
      RunPoolbench({"--plugin", kFiles + "good.py", "bench", "--problem",
                    "max:fwd:f32:nchw:1x1x8x8:k2x2", "--strategy", "^user_blocks$", "--repetitions",
                    "1", "--min-time", "0.001", "--bandwidth-seconds", "0", "--out", json});
  ASSERT_EQ(r.status, 0) << r.Output();
  const auto report = nlohmann::json::parse(testing::Slurp(json));
  bool timed = false;
  for (const auto& e : report.at("benchmarks")) {
    if (e.value("strategy", "") == "user_blocks" && !e.contains("error_occurred")) timed = true;
  }
  EXPECT_TRUE(timed) << report.dump(1);
  const auto& py = report.at("context").at("python_strategies");
  ASSERT_EQ(py.size(), 1u) << py.dump();
  EXPECT_EQ(py[0].at("name"), "user_blocks");
  EXPECT_TRUE(Contains(py[0].at("timing").get<std::string>(), "interpreter call"));
  EXPECT_TRUE(Contains(py[0].at("timing").get<std::string>(), "GIL"));

  r = RunPoolbench({"report", json});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.out,
                       "| Python strategies | user_blocks: time includes the Python "
                       "interpreter call"));
  EXPECT_TRUE(Contains(r.out, "max:fwd:f32:nchw:1x1x8x8:k2x2"));
}

TEST_F(PythonHostTest, WrongUserFileFailsWithTheFirstDifferenceAndARepro) {
  const std::string file = kFiles + "wrong_values.py";
  const CliResult r = RunPoolbench({"--plugin", file, "check", "--suite", "seeds"});
  EXPECT_EQ(r.status, 1) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "user_wrong on max:fwd:"));
  EXPECT_TRUE(Contains(r.Output(), "values: "));
  EXPECT_TRUE(
      Contains(r.Output(), "elements differ; first at (n=0, c=0, y=0, x=1): got 1, want 3"));
  EXPECT_TRUE(Contains(r.Output(), "repro: poolbench --plugin " + file + " check --problem "));
}

TEST_F(PythonHostTest, ContractBreachesAreFailedEntriesWithTheTraceback) {
  const std::string desc = "max:fwd:f32:nchw:1x1x4x4:k2x2";
  const CliResult r = RunPoolbench({"--plugin", kFiles + "faults.py", "check", "--problem", desc,
                                    "--strategy", "^fault_", "--as-written"});
  EXPECT_EQ(r.status, 1) << r.Output();
  const std::string out = r.Output();
  // An exception: the Python traceback, down to the helper that raised.
  EXPECT_TRUE(Contains(out, "Python strategy 'fault_raises' (" + kFiles + "faults.py) on " + desc +
                                ": raised an exception\nTraceback (most recent call last):"));
  EXPECT_TRUE(Contains(out, "in helper_that_fails"));
  EXPECT_TRUE(Contains(out, "ValueError: this strategy is broken on purpose"));
  // Wrong shape, wrong dtype, no return value.
  EXPECT_TRUE(Contains(out, "Python strategy 'fault_shape'"));
  EXPECT_TRUE(Contains(out,
                       "the return value must be a numpy.ndarray of shape (1, 1, 2, 2) and "
                       "dtype float32; got an array of shape (1, 1, 3, 2) and dtype float32"));
  EXPECT_TRUE(Contains(out, "Python strategy 'fault_dtype'"));
  EXPECT_TRUE(Contains(out, "got an array of shape (1, 1, 2, 2) and dtype float16"));
  EXPECT_TRUE(Contains(out, "Python strategy 'fault_none'"));
  EXPECT_TRUE(Contains(out, "got None (a missing return statement?)"));
  // A prepare hook's exception, and writing into the read-only input.
  EXPECT_TRUE(Contains(out, "prepare() raised an exception"));
  EXPECT_TRUE(Contains(out, "ZeroDivisionError"));
  EXPECT_TRUE(Contains(out, "ValueError: assignment destination is read-only"));
  // A NUL in the message is shown, not the end of it.
  EXPECT_TRUE(Contains(out, "ValueError: before\\x00after the NUL"));
  EXPECT_TRUE(Contains(out, "7 check(s) FAILED"));
}

TEST_F(PythonHostTest, BenchReportsAFailingPythonStrategyAsAnErrorEntry) {
  const std::string json = dir_.Path("report.json");
  const CliResult r = RunPoolbench({"--plugin", kFiles + "faults.py", "bench", "--problem",
                                    "max:fwd:f32:nchw:1x1x4x4:k2x2", "--strategy", "^fault_raises$",
                                    "--repetitions", "1", "--min-time", "0.001",
                                    "--bandwidth-seconds", "0", "--out", json});
  EXPECT_TRUE(Contains(r.Output(), "THREW (not ranked): fault_raises")) << r.Output();
  const auto report = nlohmann::json::parse(testing::Slurp(json));
  ASSERT_EQ(report.at("benchmarks").size(), 1u) << report.dump(1);
  const auto& e = report.at("benchmarks")[0];
  EXPECT_TRUE(e.value("error_occurred", false));
  EXPECT_TRUE(Contains(e.value("error_message", ""), "ValueError: this strategy is broken"));
}

TEST_F(PythonHostTest, SyntaxErrorIsALoadErrorNamingTheLine) {
  const CliResult r = RunPoolbench({"--plugin", kFiles + "syntax_error.py", "list"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "poolbench: error: plugin '" + kFiles + "syntax_error.py'"));
  EXPECT_TRUE(Contains(r.Output(), "syntax_error.py\", line 4"));
  EXPECT_TRUE(Contains(r.Output(), "SyntaxError"));
}

TEST_F(PythonHostTest, FileWithoutStrategiesIsALoadError) {
  const CliResult r = RunPoolbench({"--plugin", kFiles + "declares_nothing.py", "list"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.Output(),
                       "it declares no strategies (decorate functions with "
                       "@poolbench.strategy"));
}

TEST_F(PythonHostTest, TwoFilesDeclaringOneNameAreRefused) {
  const CliResult r =
      RunPoolbench({"--plugin", kFiles + "good.py", "--plugin", kFiles + "good.py", "list"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.Output(),
                       "a strategy named 'user_blocks' is already registered (by "
                       "plugin '" +
                           kFiles + "good.py')"));
}

TEST_F(PythonHostTest, PoolRunsAPythonStrategy) {
  const std::vector<float> in = {12, 15, 5, 0, 3, 11, 3, 7, 9, 3, 5, 2, 4, 7, 6, 8};
  WriteNpy(dir_.Path("in.npy"), std::vector<int64_t>{4, 4}, in.data());
  const CliResult r =
      RunPoolbench({"--plugin", kFiles + "good.py", "pool", dir_.Path("in.npy"), "--kernel", "2",
                    "--strategy", "user_blocks", "--out", dir_.Path("out.npy")});
  ASSERT_EQ(r.status, 0) << r.Output();
  const NpyArray out = ReadNpy(dir_.Path("out.npy"));
  ASSERT_EQ(out.shape, (std::vector<int64_t>{2, 2}));
  const float* v = static_cast<const float*>(out.data());
  EXPECT_EQ(std::vector<float>(v, v + 4), (std::vector<float>{15, 7, 9, 8}));
}

// Python strategies are 2-D: a 1-D or 3-D problem is skipped with the reason before any
// Python function sees it, in check and in pool.
TEST_F(PythonHostTest, PythonStrategiesSkip1DAnd3DProblems) {
  // Only the reference implements them, and it is not checked against itself: nothing is.
  const CliResult r = RunPoolbench(
      {"--plugin", kFiles + "good.py", "check", "--suite", "ranks", "--strategy", "^user_blocks$"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, "nothing was checked")) << r.err;
  EXPECT_TRUE(Contains(r.Output(), "1-D problems not implemented")) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "3-D problems not implemented")) << r.Output();
  const std::vector<float> in(8, 1.0f);
  WriteNpy(dir_.Path("w.npy"), std::vector<int64_t>{1, 1, 8}, in.data());
  const CliResult pool =
      RunPoolbench({"--plugin", kFiles + "good.py", "pool", dir_.Path("w.npy"), "--layout", "ncw",
                    "--kernel", "2", "--strategy", "user_blocks", "--out", dir_.Path("out.npy")});
  EXPECT_EQ(pool.status, 2) << pool.Output();
  EXPECT_TRUE(Contains(pool.err, "1-D problems not implemented")) << pool.err;
}

// The shipped examples hold to what they declare on the seed and edge suites.
TEST_F(PythonHostTest, ShippedExamplesPassTheSeedAndEdgeSuites) {
  for (const char* file : {"numpy_idioms.py", "lookup_table.py", "numba_loops.py"}) {
    const CliResult r = RunPoolbench({"--plugin", kExamples + file, "check", "--suite",
                                      "seeds,edge", "--strategy", "^(numpy|numba)_", "-q"});
    EXPECT_EQ(r.status, 0) << file << "\n" << r.Output();
    EXPECT_TRUE(Contains(r.Output(), "All checks passed.")) << file;
  }
}

// Without Numba the Numba example stays listed and says why it supports nothing; the NumPy
// examples load and pass beside it.
TEST_F(PythonHostTest, WithoutNumbaTheNumbaExampleSaysWhy) {
  const testing::Environment no_numba = {{"PYTHONPATH", kFiles + "without_numba"}};
  const CliResult r = RunPoolbench(
      {"--plugin", kExamples + "numba_loops.py", "--plugin", kExamples + "numpy_idioms.py", "check",
       "--suite", "seeds", "--strategy", "^(numba|numpy)_", "-q"},
      no_numba);
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "Numba is not installed (No module named 'numba' (a stand-in"));
  EXPECT_TRUE(Contains(r.Output(), "install python3-numba"));
  EXPECT_TRUE(Contains(r.Output(), "numpy_strided"));
  EXPECT_TRUE(Contains(r.Output(), "All checks passed."));
}

// The seeds' zero-padded lookup table: all-negative inputs beside the padding show the bug.
TEST_F(PythonHostTest, ZeroPaddedLookupTableIsRejectedOnAllNegativeInputs) {
  const std::string file = kExamples + "lookup_table_zero_padding.py";
  const CliResult r =
      RunPoolbench({"--plugin", file, "check", "--problem",
                    "max:fwd:f32:nchw:1x1x2x2:k3x3:s1x1:p1x1", "--as-written", "--seed", "1"});
  EXPECT_EQ(r.status, 1) << r.Output();
  EXPECT_TRUE(Contains(r.Output(),
                       "numpy_lookup_zero_pad on max:fwd:f32:nchw:1x1x2x2:k3x3:s1x1:"
                       "p1x1 (seed 1, negative inputs): values: 4 of 4 elements "
                       "differ; first at (n=0, c=0, y=0, x=0): got 0, want -"));
  EXPECT_TRUE(Contains(r.Output(), "repro: poolbench --plugin " + file + " check --problem "));
  // And on the edge suite as a whole.
  const CliResult edge = RunPoolbench({"--plugin", file, "check", "--suite", "edge", "-q"});
  EXPECT_EQ(edge.status, 1) << edge.Output();
  EXPECT_TRUE(Contains(edge.Output(), "numpy_lookup_zero_pad"));
}

// os.fork() in a strategy: the child answered for the next entry, so that the JSON said simd
// was "skipped: is the reference" and naive_loops "pass", exit 0. The forking strategy fails,
// and every other strategy's verdict is its own.
TEST_F(PythonHostTest, AStrategyThatForksFailsAndShiftsNothing) {
  const std::string json = dir_.Path("checks.json");
  const CliResult r =
      RunPoolbench({"--plugin", kFiles + "forks.py", "check", "--suite", "seeds", "--strategy",
                    "^(naive_loops|lookup_table|py_forks)$", "-q", "--json", json});
  EXPECT_EQ(r.status, 1) << r.Output();
  EXPECT_TRUE(Contains(r.out,
                       "py_forks on max:fwd:f32:nchw:1x1x4x4:k2x2 (seed 1): CRASHED: "
                       "forked a child (PID "));
  const auto checks = nlohmann::json::parse(testing::Slurp(json)).at("checks");
  int forked = 0;
  for (const auto& c : checks) {
    const std::string strategy = c.at("strategy"), verdict = c.at("verdict");
    if (strategy == "py_forks" && verdict != "skipped") {
      ++forked;
      EXPECT_EQ(verdict, "crashed") << c.dump();
    }
    if (strategy == "lookup_table") {
      EXPECT_NE(verdict, "crashed") << c.dump();
    }
    if (strategy == "naive_loops") {
      EXPECT_EQ(verdict, "skipped") << c.dump();
      EXPECT_TRUE(Contains(c.at("message"), "is the reference")) << c.dump();
    }
  }
  EXPECT_GT(forked, 0);
}

// A strategy wrote into the descriptors its worker inherited: `check --json`'s staged file got its
// bytes ahead of the JSON, and a bench journal could have too. Workers start without the
// harness's own files; the strategy fails for what reached the harness's pipe, and the files are
// whole.
TEST_F(PythonHostTest, AStrategyCannotWriteIntoTheHarnesssFiles) {
  const std::string json = dir_.Path("checks.json"), junit = dir_.Path("checks.xml");
  const CliResult r = RunPoolbench(
      {"--plugin", kFiles + "scribbles.py", "check", "--problem", "max:fwd:f32:nchw:1x1x4x4:k2x2",
       "--strategy", "^(lookup_table|py_scribbles)$", "--json", json, "--junit", junit});
  EXPECT_EQ(r.status, 1) << r.Output();
  const std::string text = testing::Slurp(json);
  EXPECT_FALSE(Contains(text, "garbage")) << text.substr(0, 200);
  const auto checks = nlohmann::json::parse(text).at("checks");
  ASSERT_EQ(checks.size(), 2u) << text;
  for (const auto& c : checks) {
    EXPECT_EQ(c.at("verdict"), c.at("strategy") == "py_scribbles" ? "crashed" : "pass") << c.dump();
  }
  EXPECT_FALSE(Contains(testing::Slurp(junit), "garbage"));
}

// os._exit(0) at import ended poolbench with status 0 and no output; a file that loops at import
// hung it. Both are refused naming the file, exit 2.
TEST_F(PythonHostTest, AFileThatExitsOrHangsAtImportIsRefusedNamingIt) {
  const std::string exits = kFiles + "load_faults/exits_at_import.py";
  CliResult r = RunPoolbench({"--plugin", exits, "check", "--suite", "seeds", "-q"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, "plugin '" + exits +
                                  "': ended the process with status 0 while "
                                  "loading"));
  const std::string loops = kFiles + "load_faults/loops_at_import.py";
  r = RunPoolbench({"--plugin", loops, "list"}, {{"POOLBENCH_LOAD_TIMEOUT", "3"}});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, "plugin '" + loops + "': did not finish loading within 3 s"));
}

// signal.signal(SIGINT, SIG_IGN) at import took bench's graceful interrupt away: poolbench puts
// its own handling back and says so.
TEST_F(PythonHostTest, AFileThatIgnoresInterruptsGetsTheHarnesssHandlingBack) {
  const std::string file = kFiles + "load_faults/ignores_interrupts.py";
  const CliResult r = RunPoolbench({"--plugin", file, "list", "--suite", "seeds"});
  EXPECT_EQ(r.status, 0) << r.Output();
  EXPECT_TRUE(Contains(r.err, "plugin '" + file +
                                  "' changed the handling of SIGINT, SIGTERM "
                                  "while loading; poolbench put its own back"));
}

// Not skipped: without the host (here, a host path that does not exist) a .py plugin is a clear
// usage error, and everything else still runs.
TEST(PythonHostMissing, APythonPluginSaysTheHostIsMissingAndWhy) {
  const CliResult r = RunPoolbench({"--plugin", kFiles + "good.py", "list"},
                                   {{"POOLBENCH_PYTHON_HOST", "/nonexistent/poolbench_python.so"}});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "plugin '" + kFiles +
                                       "good.py': the Python plugin host is "
                                       "missing: POOLBENCH_PYTHON_HOST names "
                                       "'/nonexistent/poolbench_python.so', which is not a file"));
  const CliResult rest = RunPoolbench({"list"}, {{"POOLBENCH_PYTHON_HOST", "/nonexistent"}});
  EXPECT_EQ(rest.status, 0) << rest.Output();
}

}  // namespace
}  // namespace poolbench
