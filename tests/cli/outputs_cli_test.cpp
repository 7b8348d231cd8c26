// Every command that writes refuses, before any work, an output it cannot write, one that
// names the same file as another of its outputs (only the last written would be left), and one
// that is one of its inputs (a report, a suite, a plugin, poolbench itself), links followed.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/run_cli.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::Contains;
using testing::RunPoolbench;
using testing::Slurp;

const std::string kSample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";

#define EXPECT_REFUSED(result, phrase)               \
  do {                                               \
    const CliResult r_ = (result);                   \
    EXPECT_EQ(r_.status, 2) << r_.Output();          \
    EXPECT_TRUE(Contains(r_.err, phrase)) << r_.err; \
  } while (0)

// Runs poolbench through the shell with standard output redirected as `redirection` says.
CliResult RunRedirected(const std::vector<std::string>& args, const std::string& redirection) {
  std::string command = std::string("'") + POOLBENCH_EXE + "' --no-default-plugins";
  for (const std::string& a : args) command += " '" + a + "'";
  return testing::RunProgram({"/bin/sh", "-c", command + " " + redirection});
}

// `poolbench report r.json > summary.md` on a full disk exited 0 with the summary lost, and so
// did every command whose standard output was closed.
TEST(Outputs, StandardOutputThatCannotBeWrittenFailsTheCommand) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"report", kSample}, {"list"}, {"compare", kSample, kSample}}) {
    const CliResult full = RunRedirected(args, "> /dev/full");
    EXPECT_EQ(full.status, 2) << args[0] << ": " << full.err;
    // The reason is named when the final flush is the write that fails; a write that failed
    // earlier left the stream failed without its errno.
    EXPECT_TRUE(
        Contains(full.err, "what poolbench printed to standard output was lost (writing it failed"))
        << full.err;
    const CliResult closed = RunRedirected(args, ">&-");
    EXPECT_EQ(closed.status, 2) << args[0] << ": " << closed.err;
    EXPECT_TRUE(Contains(closed.err, "lost (standard output is closed)")) << closed.err;
  }
  // A failure keeps its own status.
  const CliResult wrong = RunRedirected({"compare", kSample, "/nonexistent.json"}, "> /dev/full");
  EXPECT_EQ(wrong.status, 2) << wrong.err;
}

// With standard output closed, the next file opened took descriptor 1, and what was printed
// could land in it: the files written are whole and nothing else.
TEST(Outputs, AClosedStandardOutputIsNotReusedForAFile) {
  const testing::TempDir dir("pb_outputs");
  const CliResult r = RunRedirected({"check", "--problem", "max:1x1x4x4:k2", "--strategy",
                                     "lookup_table", "--json", dir.Path("c.json")},
                                    ">&-");
  EXPECT_EQ(r.status, 2) << r.err;
  const std::string json = Slurp(dir.Path("c.json"));
  EXPECT_EQ(json.front(), '{') << json;
  EXPECT_FALSE(Contains(json, "Summary over")) << json;
}

TEST(Outputs, TwoOutputsNamingOneFileAreRefused) {
  const testing::TempDir dir("pb_outputs");
  const std::string x = dir.Path("x"), link = dir.Path("link");
  fs::create_symlink(x, link);
  EXPECT_REFUSED(RunPoolbench({"report", kSample, "--markdown", x, "--csv", x}),
                 "--csv '" + x + "' names the same file as --markdown");
  // Through a link, to a file that does not exist yet.
  EXPECT_REFUSED(RunPoolbench({"report", kSample, "--markdown", x, "--csv", link}),
                 "names the same file as --markdown");
  EXPECT_REFUSED(RunPoolbench({"compare", kSample, kSample, "--json", x, "--markdown", x}),
                 "names the same file as --json");
  EXPECT_REFUSED(RunPoolbench({"check", "--problem", "max:fwd:f32:nchw:1x1x4x4:k2", "--json", x,
                               "--junit", link}),
                 "names the same file as --json");
  EXPECT_REFUSED(RunPoolbench({"bench", "--problem", "max:fwd:f32:nchw:1x1x4x4:k2", "--out", x,
                               "--markdown", link}),
                 "--markdown '" + link + "' names the same file as --out");
  EXPECT_FALSE(fs::exists(x));
}

TEST(Outputs, AnInputIsNeverAnOutput) {
  const testing::TempDir dir("pb_outputs");
  const std::string report = dir.Path("r.json");
  fs::copy_file(kSample, report);
  EXPECT_REFUSED(RunPoolbench({"report", report, "--csv", report}), "is the input " + report);
  EXPECT_REFUSED(RunPoolbench({"report", "merge", report, kSample, "--out", report}),
                 "is the input " + report);
  EXPECT_REFUSED(RunPoolbench({"compare", kSample, report, "--markdown", report}),
                 "is the input " + report);
  // A plugin is an input of every command that loads it; poolbench itself too.
  const std::string plugin = dir.Path("plugin.so");
  fs::copy_file(POOLBENCH_TEST_PLUGIN_GOOD_PLUGIN, plugin);
  const std::string plugin_bytes = Slurp(plugin);
  EXPECT_REFUSED(RunPoolbench({"--plugin", plugin, "check", "--problem",
                               "max:fwd:f32:nchw:1x1x4x4:k2", "--json", plugin}),
                 "is the input " + plugin);
  EXPECT_EQ(Slurp(plugin), plugin_bytes);
  const std::string exe = dir.Path("poolbench");
  fs::copy_file(POOLBENCH_EXE, exe);
  const CliResult r =
      testing::RunProgram({exe, "--no-default-plugins", "report", kSample, "--markdown", exe});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, "is the input " + exe)) << r.err;
  EXPECT_EQ(Slurp(exe), Slurp(POOLBENCH_EXE));
  EXPECT_EQ(Slurp(report), Slurp(kSample));
}

// An empty --out was accepted, and failed only after the whole bench, leaving ./.journal.
TEST(Outputs, AnEmptyOutputIsRefusedBeforeAnyWork) {
  const bool journal_before = fs::exists(".journal");
  const CliResult r = RunPoolbench({"bench", "--problem", "max:fwd:f32:nchw:1x1x4x4:k2", "--out",
                                    "", "--bandwidth-seconds", "0"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, "an empty path names no file"));
  EXPECT_FALSE(Contains(r.Output(), "naive_loops")) << "the bench ran";
  EXPECT_EQ(fs::exists(".journal"), journal_before);
  EXPECT_REFUSED(RunPoolbench({"report", "merge", kSample, kSample, "--out", ""}),
                 "an empty path names no file");
}

}  // namespace
}  // namespace poolbench
