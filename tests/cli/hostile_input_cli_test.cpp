// Input a careless or hostile user gives the real executable: numbers out of range, suites that
// name no problem, a broken plugin path, reports nested or duplicated to break their readers,
// and problems larger than the machine. Each is refused with a message that says what is wrong,
// and exit status 2, before any work is done.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/report_fixtures.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

using Json = nlohmann::json;
using testing::CliResult;
using testing::Contains;
using testing::RunPoolbench;

// A tiny problem that lookup_table checks in milliseconds.
const std::vector<std::string> kTinyCheck = {"check",     "--strategy",     "lookup_table",
                                             "--problem", "max:1x1x4x4:k2", "-q"};

std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

#define EXPECT_REFUSED(result, part)                         \
  do {                                                       \
    const CliResult r_ = (result);                           \
    EXPECT_EQ(r_.status, 2) << r_.Output();                  \
    EXPECT_TRUE(Contains(r_.Output(), part)) << r_.Output(); \
  } while (0)

// CLI11 alone would turn -1 into the largest seed and a 20-digit divisor into INT64_MAX, and
// let NaN through every range check.
TEST(HostileInputCli, NumbersOutOfRangeAreRefusedWithTheRange) {
  EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--seed", "-1"})),
                 "'-1' is out of range: expected an integer in [0, 18446744073709551615]");
  EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--seed", "18446744073709551616"})),
                 "out of range");
  EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--seed", "12abc"})), "'12abc' is not an integer");
  EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--threads", "4294967297"})),
                 "expected an integer in [1, 1024]");
  EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--fuzz", "-3"})), "[0, 1000000]");
  EXPECT_EQ(RunPoolbench(With(kTinyCheck, {"--seed", "18446744073709551615"})).status, 0);

  const testing::TempDir dir("poolbench_hostile_cli");
  const std::vector<std::string> pool = {
      "pool", dir.Path("in.npy"), "--op", "avg", "--kernel", "2", "--out", dir.Path("out.npy")};
  EXPECT_REFUSED(RunPoolbench(With(pool, {"--divisor", "99999999999999999999"})),
                 "expected an integer in [-9223372036854775808, 9223372036854775807]");

  const std::vector<std::string> bench = {"bench", "--problem", "max:1x1x4x4:k2", "--out",
                                          dir.Path("r.json")};
  for (const char* option : {"--bandwidth-seconds", "--min-time"}) {
    for (const char* value : {"nan", "inf", "-inf", "NaN"}) {
      EXPECT_REFUSED(RunPoolbench(With(bench, {option, value})), "out of range");
    }
  }
  EXPECT_REFUSED(RunPoolbench(With(bench, {"--repetitions", "1e3"})), "'1e3' is not an integer");
  EXPECT_FALSE(std::filesystem::exists(dir.Path("r.json")));
  EXPECT_REFUSED(RunPoolbench({"compare", "--alpha", "nan", "a.json", "b.json"}),
                 "expected a number in [0, 1]");
  EXPECT_REFUSED(RunPoolbench({"compare", "--threshold", "inf", "a.json", "b.json"}),
                 "out of range");
}

// Options that CLI11 converted itself took "0x10" as 16 (seconds of --timeout, roofline threads)
// and an empty value as the default: every numeric option goes through the same validators.
TEST(HostileInputCli, EveryNumericOptionRefusesHexBlanksAndEmptyValues) {
  for (const char* value : {"0x10", " 1", ""}) {
    EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--timeout", value})), "--timeout");
    EXPECT_REFUSED(RunPoolbench({"roofline", "--threads", value, "--seconds", "0.01"}),
                   "--threads");
    EXPECT_REFUSED(RunPoolbench({"roofline", "--seconds", value}), "--seconds");
  }
  EXPECT_REFUSED(RunPoolbench({"roofline", "--threads", "-1"}),
                 "'-1' is out of range: expected an integer in [0,");
  EXPECT_REFUSED(RunPoolbench({"roofline", "--seconds", "nan"}), "[0.001, 60]");
}

// An output option given an empty value (`--json "$UNSET"`) was taken for the option not given:
// the command exited 0 and the file a CI step looks for next was never written.
TEST(HostileInputCli, AnEmptyOutputPathGivenIsRefusedBeforeAnyWork) {
  const testing::TempDir dir("poolbench_hostile_cli");
  const std::string sample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";
  for (const char* option : {"--json", "--junit"}) {
    EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {option, ""})), "an empty value names no file");
  }
  for (const char* option : {"--markdown", "--csv", "--html"}) {
    EXPECT_REFUSED(RunPoolbench({"report", sample, option, ""}), "an empty value names no file");
  }
  for (const char* option : {"--markdown", "--json"}) {
    EXPECT_REFUSED(RunPoolbench({"compare", sample, sample, option, ""}),
                   "an empty value names no file");
  }
  for (const char* option : {"--indices", "--win-counts"}) {
    EXPECT_REFUSED(RunPoolbench({"pool", dir.Path("in.npy"), "--kernel", "2", "--out",
                                 dir.Path("out.npy"), option, ""}),
                   "an empty value names no file");
  }
  EXPECT_REFUSED(RunPoolbench({"ab", "a", "b", "--markdown", ""}), "an empty value names no file");
  EXPECT_REFUSED(RunPoolbench({"ab", "a", "b", "--dir", ""}), "an empty value names no directory");
  EXPECT_REFUSED(RunPoolbench({"history", "add", sample, "--db", dir.Path("h.sqlite"), "--commit",
                               "c", "--date", ""}),
                 "an empty value names no date");
  EXPECT_FALSE(std::filesystem::exists(dir.Path("h.sqlite")));
}

// "A subcommand is required" named neither the word that was mistyped nor the commands.
TEST(HostileInputCli, AnUnknownCommandIsNamedWithTheCommandsThereAre) {
  EXPECT_REFUSED(RunPoolbench({"chek", "--problem", "max:1x1x4x4:k2"}),
                 "'chek' is not a subcommand; did you mean 'check'?");
  EXPECT_REFUSED(RunPoolbench({"xyzzy"}), "'xyzzy' is not a subcommand (list, check, bench");
  EXPECT_REFUSED(RunPoolbench({}), "A subcommand is required");
}

// A suite that names no problem would check nothing and print "All checks passed".
TEST(HostileInputCli, VacuousSuitesAreRefused) {
  const testing::TempDir dir("poolbench_hostile_cli");
  const std::string empty = dir.Write("empty.txt", "");
  const std::string comments = dir.Write("comments.txt", "# only a comment\n\n");
  for (const char* command : {"check", "bench"}) {
    const std::vector<std::string> base = {command, "--strategy", "lookup_table"};
    EXPECT_REFUSED(RunPoolbench(With(base, {"--suite", ""})), "empty suite name");
    EXPECT_REFUSED(RunPoolbench(With(base, {"--suite", empty})), "has no problems");
    EXPECT_REFUSED(RunPoolbench(With(base, {"--suite", comments})), "has no problems");
    EXPECT_REFUSED(RunPoolbench(With(base, {"--suite", dir.Path("")})), "is a directory");
    EXPECT_REFUSED(RunPoolbench(With(base, {"--suite", "/dev/zero"})), "is a character device");
  }
  EXPECT_FALSE(std::filesystem::exists("poolbench_report.json"));
}

// --help, report, compare and roofline load no strategy, so a broken plugin path is no reason
// to fail them; the commands that run strategies name it.
TEST(HostileInputCli, AMissingPluginPathFailsOnlyTheCommandsThatLoadPlugins) {
  const testing::Environment env = {{"POOLBENCH_PLUGIN_PATH", "/nonexistent"}};
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"}, {"check", "--help"}, {"--version"}}) {
    const CliResult r = RunPoolbench(args, env);
    EXPECT_EQ(r.status, 0) << r.Output();
  }
  const CliResult report = RunPoolbench(
      {"report", POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json", "--markdown", "-"}, env);
  EXPECT_EQ(report.status, 0) << report.Output();
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"list"}, kTinyCheck}) {
    EXPECT_REFUSED(RunPoolbench(args, env), "POOLBENCH_PLUGIN_PATH entry '/nonexistent'");
  }
}

TEST(HostileInputCli, CompareOfReportsWithNothingInCommonIsAnError) {
  const testing::TempDir dir("poolbench_hostile_cli");
  Json a = testing::Report(), b = testing::Report();
  testing::AddWrong(a, "one");
  testing::AddWrong(b, "other");
  const std::string pa = dir.Write("a.json", a.dump()), pb = dir.Write("b.json", b.dump());
  EXPECT_REFUSED(RunPoolbench({"compare", pa, pb}), "have no benchmark in common");
}

// A context nested 100,000 deep overflowed the stack of every reader; a duplicated entry doubled
// compare's samples.
TEST(HostileInputCli, CraftedReportsAreRefusedByEveryReader) {
  const testing::TempDir dir("poolbench_hostile_cli");
  const std::string sample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";
  Json deep_report = Json::parse(testing::Slurp(sample));
  const std::string marker = "\"__deep__\"";
  deep_report["context"]["nested"] = "__deep__";
  std::string text = deep_report.dump();
  text.replace(text.find(marker), marker.size(),
               std::string(100000, '[') + std::string(100000, ']'));
  const std::string deep = dir.Write("deep.json", text);
  EXPECT_REFUSED(RunPoolbench({"report", deep}), "nested deeper than 64 levels");
  EXPECT_REFUSED(RunPoolbench({"compare", deep, sample}), "nested deeper than 64 levels");
  EXPECT_REFUSED(RunPoolbench({"report", "merge", sample, deep, "-o", dir.Path("m.json")}),
                 "nested deeper than 64 levels");
  EXPECT_FALSE(std::filesystem::exists(dir.Path("m.json")));

  Json doubled = Json::parse(testing::Slurp(sample));
  doubled["benchmarks"].push_back(doubled["benchmarks"][0]);
  const std::string dup = dir.Write("dup.json", doubled.dump());
  EXPECT_REFUSED(RunPoolbench({"compare", sample, dup}), "repeats an earlier entry");
  EXPECT_REFUSED(RunPoolbench({"report", dup}), "repeats an earlier entry");

  Json huge = Json::parse(testing::Slurp(sample));
  huge["benchmarks"][0]["bytes_moved"] = 1e300;
  EXPECT_REFUSED(RunPoolbench({"report", dir.Write("huge.json", huge.dump()), "--csv", "-"}),
                 "benchmarks[0].bytes_moved (");
}

// A problem larger than the machine was OOM-killed after a minute with no message. Now its
// buffers are estimated first: the entry gets the out-of-memory verdict naming the problem and
// the bytes, nothing is allocated, and the run fails (exit 1) like any other faulty entry.
#define EXPECT_OUT_OF_MEMORY(result, part)                   \
  do {                                                       \
    const CliResult r_ = (result);                           \
    EXPECT_EQ(r_.status, 1) << r_.Output();                  \
    EXPECT_TRUE(Contains(r_.Output(), part)) << r_.Output(); \
  } while (0)

TEST(HostileInputCli, AProblemLargerThanTheMachineIsRefusedBeforeAllocating) {
  EXPECT_OUT_OF_MEMORY(RunPoolbench({"check", "--problem", "max:fwd:f64:nchw:1x1x50000x50000:k2",
                                     "--strategy", "reshape_blocks"}),
                       "max:fwd:f64:nchw:1x1x50000x50000:k2x2 needs about");
  const testing::TempDir dir("poolbench_hostile_cli");
  EXPECT_OUT_OF_MEMORY(
      RunPoolbench({"bench", "--problem", "max:fwd:f32:nchw:1x1x1024x1024:k2", "--strategy",
                    "reshape_blocks", "--bandwidth-seconds", "0", "--out", dir.Path("r.json")},
                   {{"POOLBENCH_MEMORY_LIMIT", "1M"}}),
      "only 1 MiB is available");
}

// --memory-limit -1 and a 23-digit limit became a limit of 0 bytes (every entry out of memory,
// --out overwritten); a malformed POOLBENCH_MEMORY_LIMIT was blamed on every strategy. All are
// refused when the command starts, with exit 2, before any work.
TEST(HostileInputCli, MalformedMemoryLimitsAreRefusedBeforeAnyWork) {
  const testing::TempDir dir("poolbench_hostile_cli");
  const std::string out = dir.Write("r.json", "previous");
  for (const char* bad : {"-1", "99999999999999999999999", "1.5G", "banana", "4 GB"}) {
    EXPECT_REFUSED(RunPoolbench(With(kTinyCheck, {"--memory-limit", bad})), "is not a byte count");
    EXPECT_REFUSED(RunPoolbench({"bench", "--problem", "max:1x1x4x4:k2", "--bandwidth-seconds", "0",
                                 "--out", out, "--memory-limit", bad}),
                   "is not a byte count");
  }
  for (const std::vector<std::string>& command :
       {kTinyCheck, std::vector<std::string>{"bench", "--problem", "max:1x1x4x4:k2",
                                             "--bandwidth-seconds", "0", "--out", out}}) {
    const CliResult r = RunPoolbench(command, {{"POOLBENCH_MEMORY_LIMIT", "banana"}});
    EXPECT_EQ(r.status, 2) << r.Output();
    EXPECT_TRUE(Contains(r.err, "POOLBENCH_MEMORY_LIMIT='banana' is not a byte count"));
    EXPECT_FALSE(Contains(r.Output(), "THREW")) << r.Output();
  }
  EXPECT_EQ(testing::Slurp(out), "previous");
  EXPECT_EQ(RunPoolbench(With(kTinyCheck, {"--memory-limit", "4G"})).status, 0);
  EXPECT_EQ(RunPoolbench(With(kTinyCheck, {"--memory-limit", "0"})).status, 0);
}

// The refusal names the limit that was the cause: --memory-limit, not MemAvailable or RLIMIT_AS.
TEST(HostileInputCli, AProblemRefusedForMemoryNamesTheLimitThatCausedIt) {
  const CliResult r =
      RunPoolbench({"check", "--problem", "max:fwd:f32:nchw:1x1x2048x2048:k2", "--strategy",
                    "reshape_blocks", "--as-written", "--memory-limit", "8M", "-q"});
  EXPECT_EQ(r.status, 1) << r.Output();
  EXPECT_TRUE(Contains(r.Output(), "is available (the worker's memory limit, --memory-limit)"))
      << r.Output();
}

// --threads 1,,2 was read as 1,2 (CLI11 drops empty items); a thread count given twice would
// time the same benchmark twice.
TEST(HostileInputCli, ThreadListsWithEmptyOrRepeatedItemsAreRefused) {
  const testing::TempDir dir("poolbench_hostile_cli");
  for (const auto& [threads, phrase] :
       std::vector<std::pair<std::string, std::string>>{{"1,,2", "has an empty item"},
                                                        {",1", "has an empty item"},
                                                        {"1,", "has an empty item"},
                                                        {"2,2", "2 is given twice"},
                                                        {"1,x", "'x' is not an integer"},
                                                        {"1,0", "'0' is out of range"}}) {
    EXPECT_REFUSED(RunPoolbench({"bench", "--problem", "max:1x1x4x4:k2", "--threads", threads,
                                 "--out", dir.Path("r.json")}),
                   phrase);
  }
  EXPECT_TRUE(dir.Files().empty());
}

// std::regex recursed once per character or nesting level and overflowed the stack (SIGSEGV) on
// an 80,000-character pattern or 30,000 nested parentheses; RE2 refuses what it cannot take.
TEST(HostileInputCli, HugeOrDeeplyNestedPatternsAreRefusedNotACrash) {
  const std::string deep = std::string(30000, '(') + "a" + std::string(30000, ')');
  const std::string alternatives = [] {
    std::string p;
    for (int i = 0; i < 20000; ++i) p += "ab|";
    return p + "naive_loops";
  }();
  for (const std::string& pattern : {deep, std::string(80000, 'a'), alternatives}) {
    const CliResult r =
        RunPoolbench({"check", "--problem", "max:1x1x4x4:k2", "-q", "--strategy", pattern});
    if (r.status == 0) continue;  // valid, and it matched (the nested one matches every "a")
    EXPECT_EQ(r.status, 2) << r.Output().substr(0, 2000);
    EXPECT_TRUE(Contains(r.err, "--strategy")) << r.err.substr(0, 2000);
    // The message quoted the whole pattern: 80 KB of error for one mistyped option.
    EXPECT_LT(r.err.size(), 2000u) << r.err.substr(0, 2000);
  }
  // Unbalanced: RE2's reason quotes the rest of the pattern, cut as the pattern is.
  const CliResult open =
      RunPoolbench({"check", "--problem", "max:1x1x4x4:k2", "--strategy", std::string(30000, '(')});
  EXPECT_REFUSED(open, "(30000 characters) is not a valid regex: missing ): '((((");
  EXPECT_LT(open.err.size(), 2000u) << open.err.substr(0, 2000);
  const CliResult none =
      RunPoolbench({"check", "--problem", "max:1x1x4x4:k2", "--strategy", std::string(80000, 'z')});
  EXPECT_REFUSED(none, "zzz...' (80000 characters) names no strategy (registered: ");
  EXPECT_LT(none.err.size(), 2000u) << none.err.substr(0, 2000);
  // One RE2 cannot compile within its memory budget: 88,000 characters of repeated classes.
  std::string large;
  for (int i = 0; i < 8000; ++i) large += "[a-z]{1000}";
  EXPECT_REFUSED(RunPoolbench({"check", "--problem", "max:1x1x4x4:k2", "--strategy", large}),
                 "(88000 characters) is not a valid regex: pattern too large");
  // The expressions people write keep working.
  EXPECT_EQ(RunPoolbench({"check", "--problem", "max:1x1x4x4:k2", "-q", "--strategy",
                          "^(lookup_table|reshape_blocks)$"})
                .status,
            0);
  EXPECT_REFUSED(RunPoolbench({"check", "--problem", "max:1x1x4x4:k2", "--strategy", "(?=x)"}),
                 "is not a valid regex");
  // history --filter goes through the same matcher.
  EXPECT_REFUSED(
      RunPoolbench({"history", "show", "--db", "/nonexistent.sqlite", "--filter", large}),
      "--filter");
}

// A NUL byte in a file's text ended the message that quoted it (what() is a C string): it is
// shown escaped, and the reason after it is there.
TEST(HostileInputCli, ANulByteDoesNotCutTheMessageShort) {
  const testing::TempDir dir("poolbench_hostile_cli");
  const std::string suite =
      dir.Write("nul.txt", std::string("max:fwd:f32:nchw:1x1x4x4:k2\nmax:fw\0d:f32\n", 41));
  const CliResult r = RunPoolbench({"check", "--suite", suite, "-q"});
  EXPECT_EQ(r.status, 2) << r.Output();
  EXPECT_TRUE(Contains(r.err, suite + ":2: bad descriptor 'max:fw\\x00d:f32': ")) << r.err;
  EXPECT_EQ(r.err.find('\0'), std::string::npos);
}

}  // namespace
}  // namespace poolbench
