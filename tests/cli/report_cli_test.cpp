// End-to-end tests of `poolbench report` and `poolbench report merge` through the real
// executable: outputs, exit statuses, messages, the self-contained HTML page, and that a
// failure never leaves a partial file behind.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "report/units.hpp"
#include "support/report_fixtures.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kSample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";
const std::string kVgg = "max:fwd:f32:nchw:1x64x56x56:k2x2";

using testing::CliResult;
using testing::RunPoolbench;
using testing::Slurp;

class ReportCliTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Path(name); }

  // The files left in the test directory (temporary files must not be among them).
  std::vector<std::string> Files() const { return dir_.Files(); }

  static bool HaveMatplotlib() {
    return testing::RunProgram({"/usr/bin/python3", "-c", "import matplotlib"}).status == 0;
  }

  void WriteJson(const std::string& name, const Json& j) const { dir_.Write(name, j.dump()); }

  // `report --html` of the sample with one environment variable set; expects it to fail with
  // exit status 2 and `message` on stderr.
  CliResult FailedHtml(const std::string& variable, const std::string& value,
                       const std::string& message) const {
    const CliResult r =
        RunPoolbench({"report", kSample, "--html", Path("r.html")}, {{variable, value}});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    return r;
  }

  testing::TempDir dir_{"poolbench_report_cli"};
};

TEST_F(ReportCliTest, PrintsMarkdownWhenNoOutputIsGiven) {
  const CliResult r = RunPoolbench({"report", kSample});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("# poolbench report"), std::string::npos);
  EXPECT_NE(r.out.find("### `" + kVgg + "`"), std::string::npos);
  EXPECT_NE(r.out.find("**WRONG** `reshape_blocks`"), std::string::npos);
}

TEST_F(ReportCliTest, WritesMarkdownAndCsvFiles) {
  const CliResult r =
      RunPoolbench({"report", kSample, "--markdown", Path("r.md"), "--csv", Path("r.csv")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "") << "with an output file, nothing goes to stdout";
  EXPECT_NE(Slurp(Path("r.md")).find("| 1 | reshape_blocks | 1 | 93.1 µs"), std::string::npos);
  const std::string csv = Slurp(Path("r.csv"));
  EXPECT_EQ(csv.rfind("descriptor,op,direction,", 0), 0u) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 12);
  EXPECT_EQ(Files(), (std::vector<std::string>{"r.csv", "r.md"}));
}

TEST_F(ReportCliTest, BadInputExitsTwoNamingTheProblem) {
  CliResult r = RunPoolbench({"report", Path("missing.json")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("poolbench: error: " + Path("missing.json") + ": cannot open report"),
            std::string::npos)
      << r.err;

  std::ofstream(Path("broken.json")) << "{\"context\": {}, \"benchmarks\": [";
  r = RunPoolbench({"report", Path("broken.json")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("not valid JSON"), std::string::npos) << r.err;

  WriteJson("plain.json", testing::PlainGoogleBenchmarkReport());
  r = RunPoolbench({"report", Path("plain.json")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("not a report written by poolbench bench"), std::string::npos) << r.err;

  r = RunPoolbench({"report"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("needs a report file"), std::string::npos) << r.err;

  r = RunPoolbench({"report", kSample, "--csv", Path("no/such/dir/r.csv")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

TEST_F(ReportCliTest, HtmlIsSelfContainedWithChartsAndTheSameRanking) {
  if (!HaveMatplotlib()) GTEST_SKIP() << "/usr/bin/python3 cannot import matplotlib";
  const CliResult r =
      RunPoolbench({"report", kSample, "--html", Path("r.html"), "--markdown", Path("r.md")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Files(), (std::vector<std::string>{"r.html", "r.md"}));
  const std::string html = Slurp(Path("r.html"));
  EXPECT_NE(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("src=\"data:image/png;base64,"), std::string::npos);
  // Two charts: the roofline, thread scaling (openmp_parallel ran at 1 and 2).
  size_t images = 0;
  for (size_t at = html.find("<img"); at != std::string::npos; at = html.find("<img", at + 1)) {
    ++images;
  }
  EXPECT_EQ(images, 2u);
  // Nothing is fetched from the network: no remote script, style sheet, image or link.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);

  // The HTML ranks each problem as the Markdown does (the two renderers share one rule).
  auto order = [](const std::string& text, const std::regex& row) {
    std::vector<std::string> out;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), row);
         it != std::sregex_iterator(); ++it) {
      out.push_back((*it)[1].str() + "@" + (*it)[2].str());
    }
    return out;
  };
  const auto from_html = order(
      html, std::regex("<tr><td class=n>\\d+</td><td[^>]*>(\\w+)</td><td class=n>(\\d+)</td>"));
  // Rows of the ranking tables start a line; the matrix's footer ("| problems won ★ | 0 |") is
  // not one of them.
  const auto from_md =
      order(Slurp(Path("r.md")), std::regex("\n\\| \\d+ \\| (\\w+) \\| (\\d+) \\|"));
  EXPECT_EQ(from_html.size(), 10u);
  EXPECT_EQ(from_html, from_md);
  EXPECT_NE(html.find("<span class=wrong>WRONG</span> <code>reshape_blocks</code>"),
            std::string::npos);
}

TEST_F(ReportCliTest, MarkdownAndHtmlShowTheBestPeer) {
  Json sample = Json::parse(Slurp(kSample));
  sample["context"]["peers"] = {"openmp_parallel"};
  WriteJson("peers.json", sample);
  const bool html = HaveMatplotlib();
  std::vector<std::string> args = {"report", Path("peers.json"), "--markdown", Path("r.md")};
  if (html) args.insert(args.end(), {"--html", Path("r.html")});
  const CliResult r = RunPoolbench(args);
  ASSERT_EQ(r.status, 0) << r.err;
  // reshape_blocks' 93.1 µs against openmp_parallel's 441 µs at one thread (medians).
  const std::string md = Slurp(Path("r.md"));
  EXPECT_NE(md.find("| 1 | reshape_blocks | 1 | 93.1 µs | ±14.4% (1 process) | 1/1, ±4.4% within | "
                    "1.00× | 10.8 | 17.8% of L2 | 6.32× | openmp_parallel | 4.74× (3.92–5.73) |"),
            std::string::npos)
      << md;
  if (!html) GTEST_SKIP() << "/usr/bin/python3 cannot import matplotlib";
  const std::string page = Slurp(Path("r.html"));
  EXPECT_NE(page.find("<th>best peer</th><th>vs best peer</th>"), std::string::npos);
  EXPECT_NE(page.find("<td class=n>6.32×</td><td>openmp_parallel</td><td class=n>4.74× (3.92–5.73)"
                      "</td>"),
            std::string::npos);
  EXPECT_NE(page.find("in either layout"), std::string::npos);
  // The summary handed to the script is a temporary file, removed after the run.
  EXPECT_EQ(Files(), (std::vector<std::string>{"peers.json", "r.html", "r.md"}));
}

TEST_F(ReportCliTest, HtmlWithoutPythonFailsClearlyAndWritesNothing) {
  FailedHtml("POOLBENCH_PYTHON", Path("no-python"),
             "cannot run the Python interpreter '" + Path("no-python") + "'");
  EXPECT_TRUE(Files().empty());
}

TEST_F(ReportCliTest, AFailingPlotScriptLeavesNoPartialHtml) {
  // A stand-in for plot_report.py that writes half a page to its output, then fails.
  fs::create_directory(Path("scripts"));
  std::ofstream(Path("scripts/plot_report.py"))
      << "import sys\nopen(sys.argv[-1], 'w').write('<html><body>half')\n"
         "print('plot_report.py: error: simulated failure', file=sys.stderr)\nsys.exit(3)\n";
  const CliResult r = FailedHtml("POOLBENCH_SCRIPT_DIR", Path("scripts"), "simulated failure");
  EXPECT_NE(r.err.find("exited with status 3"), std::string::npos) << r.err;
  EXPECT_EQ(Files(), (std::vector<std::string>{"scripts"}));
}

TEST_F(ReportCliTest, AMissingPlotScriptIsNamed) {
  FailedHtml("POOLBENCH_SCRIPT_DIR", Path("nowhere"),
             "cannot find the plot script " + Path("nowhere") + "/plot_report.py");
}

class ReportMergeCliTest : public ReportCliTest {
 protected:
  // Writes the sample split into two shards, a.json (shard 1/2) and b.json (shard 2/2).
  void WriteShards() {
    const Json whole = Json::parse(Slurp(kSample));
    Json a = whole, b = whole;
    a["benchmarks"] = b["benchmarks"] = Json::array();
    for (const Json& e : whole["benchmarks"]) {
      (e["descriptor"] == kVgg ? b : a)["benchmarks"].push_back(e);
    }
    a["context"]["shard"] = "1/2";
    b["context"]["shard"] = "2/2";
    WriteJson("a.json", a);
    WriteJson("b.json", b);
  }
};

TEST_F(ReportMergeCliTest, JoinsShardsIntoOneReport) {
  WriteShards();
  const CliResult r =
      RunPoolbench({"report", "merge", Path("a.json"), Path("b.json"), "--out", Path("m.json")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("merged 2 reports (11 results)"), std::string::npos) << r.out;
  const Json m = Json::parse(Slurp(Path("m.json")));
  EXPECT_EQ(m["benchmarks"].size(), 71u);
  EXPECT_EQ(m["context"]["merged_from"][1]["file"], Path("b.json"));
  // The merged report renders like any other.
  const CliResult md = RunPoolbench({"report", Path("m.json")});
  ASSERT_EQ(md.status, 0) << md.err;
  EXPECT_NE(md.out.find("| merged from | `" + Path("a.json") + "` (ci-1, shard 1/2)"),
            std::string::npos)
      << md.out;
}

TEST_F(ReportMergeCliTest, RefusesDuplicatesAndSingleInputsWithExitTwo) {
  WriteShards();
  CliResult r =
      RunPoolbench({"report", "merge", Path("a.json"), Path("a.json"), "--out", Path("m.json")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("is in both " + Path("a.json") + " and " + Path("a.json")),
            std::string::npos)
      << r.err;
  r = RunPoolbench({"report", "merge", Path("a.json"), "--out", Path("m.json")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("at least two reports, got 1"), std::string::npos) << r.err;
  r = RunPoolbench({"report", "merge", Path("a.json"), Path("b.json")});
  EXPECT_EQ(r.status, 2) << "--out is required";
  EXPECT_FALSE(fs::exists(Path("m.json")));
}

TEST_F(ReportCliTest, AnOutputThatIsTheInputIsRefused) {
  fs::copy_file(kSample, Path("r.json"));
  fs::create_symlink("r.json", Path("link.md"));
  for (const std::string& out : {Path("r.json"), Path("link.md")}) {
    for (const char* option : {"--markdown", "--csv"}) {
      const CliResult r = RunPoolbench({"report", Path("r.json"), option, out});
      EXPECT_EQ(r.status, 2) << option;
      EXPECT_NE(r.err.find("is the input " + Path("r.json")), std::string::npos) << r.err;
    }
  }
  const CliResult merge =
      RunPoolbench({"report", "merge", Path("r.json"), kSample, "--out", Path("r.json")});
  EXPECT_EQ(merge.status, 2);
  EXPECT_NE(merge.err.find("is the input"), std::string::npos) << merge.err;
  EXPECT_EQ(Slurp(Path("r.json")), Slurp(kSample));
  EXPECT_EQ(Files(), (std::vector<std::string>{"link.md", "r.json"}));
}

TEST_F(ReportCliTest, AnOutputThatIsASymbolicLinkIsWrittenThrough) {
  fs::create_directory(Path("site"));
  fs::create_symlink("site/latest.md", Path("latest.md"));
  const CliResult r = RunPoolbench({"report", kSample, "--markdown", Path("latest.md")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(Path("latest.md")));
  EXPECT_NE(Slurp(Path("site/latest.md")).find(kVgg), std::string::npos);
}

}  // namespace
}  // namespace poolbench

namespace poolbench {
namespace {

// The line of `text` that contains every one of `parts`, or "".
std::string LineWith(const std::string& text, const std::vector<std::string>& parts) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (std::all_of(parts.begin(), parts.end(),
                    [&](const std::string& p) { return line.find(p) != std::string::npos; })) {
      return line;
    }
  }
  return "";
}

// One statistic everywhere: bench's console, report.md and compare print the same time for the
// same result of the same report (the median of its repetitions, from the report model).
TEST_F(ReportCliTest, TheConsoleTheMarkdownAndCompareShowOneTimeForOneResult) {
  const std::string out = Path("r.json");
  // --keep-disturbed: on a busy machine every result is still timed, so that the test is about
  // the views, not about the machine.
  const CliResult bench =
      RunPoolbench({"bench", "--problem", "max:fwd:f32:nchw:1x4x16x16:k2", "--strategy",
                    "^(naive_loops|lookup_table)$", "--repetitions", "5", "--min-time", "0.002",
                    "--keep-disturbed", "--bandwidth-seconds", "0", "--out", out});
  ASSERT_EQ(bench.status, 0) << bench.Output();
  const Json r = Json::parse(Slurp(out));
  // The statistic of lookup_table's three processes of five repetitions: the median of the
  // processes' medians, formatted as every view formats a time.
  std::map<int, std::vector<double>> by_process;
  for (const Json& e : r["benchmarks"]) {
    if (e["strategy"] == "lookup_table" && e["run_type"] == "iteration") {
      by_process[e["process"].get<int>()].push_back(e["real_time"].get<double>());
    }
  }
  ASSERT_EQ(by_process.size(), 3u);
  std::vector<double> medians;
  for (auto& [process, times] : by_process) {
    ASSERT_EQ(times.size(), 5u);
    std::sort(times.begin(), times.end());
    medians.push_back(times[2]);
  }
  std::sort(medians.begin(), medians.end());
  const std::string median = FormatDuration(medians[1]);

  const std::string console = LineWith(bench.out, {"lookup_table", " 1 "});
  EXPECT_NE(console.find(median), std::string::npos) << median << "\n" << bench.out;
  const CliResult md = RunPoolbench({"report", out});
  ASSERT_EQ(md.status, 0) << md.err;
  const std::string row = LineWith(md.out, {"| lookup_table | 1 |"});
  EXPECT_NE(row.find("| " + median + " |"), std::string::npos) << median << "\n" << row;
  const CliResult cmp = RunPoolbench({"compare", out, out, "--all-rows"});
  ASSERT_EQ(cmp.status, 0) << cmp.Output();
  const std::string compared = LineWith(cmp.out, {"lookup_table/"});
  EXPECT_NE(compared.find("| " + median + " | " + median + " |"), std::string::npos)
      << median << "\n"
      << compared;
  // And it is the report's own median aggregate.
  for (const Json& e : r["benchmarks"]) {
    if (e["strategy"] == "lookup_table" && e.value("aggregate_name", "") == "median") {
      EXPECT_EQ(FormatDuration(e["real_time"].get<double>()), median);
    }
  }
}

// Every reader of a report refuses what is not a regular file at once, instead of reading
// forever (a FIFO, /dev/zero) or running out of memory.
TEST_F(ReportCliTest, AReportThatIsAFifoOrADeviceIsRefusedAtOnce) {
  const std::string fifo = Path("fifo.json");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::vector<std::vector<std::string>> commands = {
      {"report", fifo},
      {"report", "/dev/zero"},
      {"compare", "/dev/zero", kSample},
      {"compare", kSample, fifo},
      {"report", "merge", kSample, "/dev/zero", "-o", Path("m.json")},
      {"history", "add", fifo, "--db", Path("h.sqlite"), "--commit", "c1"}};
  for (const auto& args : commands) {
    const CliResult r = RunPoolbench(args);
    EXPECT_EQ(r.status, 2) << r.Output();
    const bool named = r.err.find("is a FIFO, not a report file") != std::string::npos ||
                       r.err.find("is a character device, not a report file") != std::string::npos;
    EXPECT_TRUE(named) << r.err;
  }
  EXPECT_FALSE(fs::exists(Path("m.json")));
  EXPECT_FALSE(fs::exists(Path("h.sqlite")));
}

// The partial report of an interrupted bench is marked as such by every consumer.
TEST_F(ReportCliTest, APartialReportIsMarkedInEveryView) {
  Json r = Json::parse(Slurp(kSample));
  r["context"]["incomplete"] = {{"signal", "SIGINT"},
                                {"entries", 5},
                                {"problems_done", 1},
                                {"problems", 3},
                                {"journal", "r.json.journal"}};
  WriteJson("partial.json", r);
  const CliResult md = RunPoolbench({"report", Path("partial.json")});
  ASSERT_EQ(md.status, 0) << md.err;
  EXPECT_NE(md.out.find("> **Incomplete report.** The run was stopped by SIGINT after 1 of 3"),
            std::string::npos)
      << md.out;
  const CliResult add = RunPoolbench(
      {"history", "add", Path("partial.json"), "--db", Path("h.sqlite"), "--commit", "c1"});
  EXPECT_EQ(add.status, 2) << add.Output();
  EXPECT_NE(add.err.find("partial report of an interrupted bench (1 of 3 problems)"),
            std::string::npos)
      << add.err;
  EXPECT_NE(add.err.find("--allow-incomplete"), std::string::npos) << add.err;
  const CliResult forced = RunPoolbench({"history", "add", Path("partial.json"), "--db",
                                         Path("h.sqlite"), "--commit", "c1", "--allow-incomplete"});
  EXPECT_EQ(forced.status, 0) << forced.Output();

  Json other = Json::parse(Slurp(kSample));
  for (Json& e : other["benchmarks"]) {
    const std::string strategy = e["strategy"];
    for (const char* key : {"name", "run_name"}) {
      std::string v = e[key];
      e[key] = "other_" + v;
    }
    e["strategy"] = "other_" + strategy;
  }
  other["context"]["skipped"] = Json::array();
  WriteJson("other.json", other);
  const CliResult merged = RunPoolbench(
      {"report", "merge", Path("partial.json"), Path("other.json"), "-o", Path("m.json")});
  ASSERT_EQ(merged.status, 0) << merged.Output();
  EXPECT_NE(merged.out.find("marked incomplete"), std::string::npos) << merged.out;
  const CliResult cmp = RunPoolbench({"compare", kSample, Path("m.json")});
  EXPECT_EQ(cmp.status, 2) << cmp.Output();
  EXPECT_NE(cmp.err.find("is the partial report of an interrupted bench"), std::string::npos)
      << cmp.err;
}

}  // namespace
}  // namespace poolbench
