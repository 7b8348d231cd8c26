// Summarise() and the renderers on the hand-written sample report (tests/data) and on small
// synthetic ones: ranking by the median of the repetitions, wrong strategies listed apart and
// never ranked, the best peer of each result, human units, escaping, CSV that a strict RFC 4180
// reader reads back exactly, and the summary the HTML page is drawn from.
#include "render/render.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "render/cells.hpp"
#include "report/reader.hpp"
#include "support/report_model.hpp"

namespace poolbench::render {
namespace {

using report::Json;
using testing::Model;

const std::string kSample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";
const std::string kResnetStem = "max:fwd:f32:nchw:1x64x112x112:k3x3:s2x2:p1x1";
const std::string kVgg = "max:fwd:f32:nchw:1x64x56x56:k2x2";
const std::string kLarge = "avg:fwd:f32:nchw:1x1x4096x4096:k2x2";

std::vector<std::string> Order(const std::vector<Result>& results) {
  std::vector<std::string> out;
  for (const Result& r : results) out.push_back(r.strategy + "@" + std::to_string(r.threads));
  return out;
}

// The text between `from` and the next occurrence of `to` after it.
std::string Between(const std::string& text, const std::string& from, const std::string& to) {
  const size_t start = text.find(from);
  if (start == std::string::npos) return "";
  const size_t end = text.find(to, start + from.size());
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// A minimal strict RFC 4180 reader, so that the test checks what a spreadsheet would read.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, in_quotes = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(field.empty() && !quoted) << "a quote inside an unquoted field at " << i;
      in_quotes = quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      quoted = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      quoted = false;
      rows.emplace_back();
      ++i;
    } else {
      EXPECT_NE(c, '\n') << "a bare LF at " << i;
      field += c;
    }
  }
  EXPECT_FALSE(in_quotes) << "unterminated quoted field";
  if (!rows.back().empty() || !field.empty()) {
    rows.back().push_back(field);
  } else {
    rows.pop_back();  // the text ends with a line break
  }
  return rows;
}

class RenderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sample_ = new Json(report::ReadJson(kSample, report::Expect::kPoolbench));
  }
  static void TearDownTestSuite() { delete sample_; }
  // The sample as JSON, for a test to change before reading it into the model.
  static const Json& SampleJson() { return *sample_; }
  static report::Run Sample() { return Model(*sample_); }

 private:
  static inline Json* sample_ = nullptr;
};

TEST_F(RenderTest, ProblemsKeepTheirOrderAndResultsAreRankedFastestFirst) {
  const auto problems = Summarise(Sample());
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].descriptor, kResnetStem);
  EXPECT_EQ(problems[1].descriptor, kVgg);
  EXPECT_EQ(problems[2].descriptor, kLarge);
  EXPECT_EQ(Order(problems[1].ranked),
            (std::vector<std::string>{"reshape_blocks@1", "openmp_parallel@2", "openmp_parallel@1",
                                      "naive_loops@1"}));
  EXPECT_TRUE(problems[1].unranked.empty());
}

TEST_F(RenderTest, TimeIsTheMedianOfTheRepetitions) {
  const Result fastest = Summarise(Sample())[1].ranked.front();
  // The repetitions took 99.75, 92.15 and 93.1 µs: the median is 93.1 µs (the mean aggregate
  // the report also holds, 95 µs, is not used).
  EXPECT_DOUBLE_EQ(*fastest.time_ns, 93100.0);
  EXPECT_EQ(fastest.samples.size(), 3u);
  EXPECT_NEAR(*fastest.gbps, 1003520 / 93100.0, 1e-9);
  EXPECT_EQ(fastest.bandwidth_level, "L2");
  EXPECT_NEAR(fastest.speedup->value, 588.0 / 93.1, 1e-9);
  EXPECT_EQ(SpreadText(fastest), "-1.0/+7.1%");
}

TEST_F(RenderTest, AWrongStrategyIsNeverRanked) {
  const ProblemResults large = Summarise(Sample())[2];
  EXPECT_EQ(Order(large.ranked),
            (std::vector<std::string>{"openmp_parallel@2", "openmp_parallel@1", "naive_loops@1"}));
  ASSERT_EQ(large.unranked.size(), 1u);
  const Result& wrong = large.unranked[0];
  EXPECT_EQ(wrong.strategy, "reshape_blocks");
  EXPECT_FALSE(wrong.Timed());
  EXPECT_EQ(wrong.verdict, report::Verdict::kWrong);
  EXPECT_EQ(UnrankedLabel(wrong), "WRONG");
  EXPECT_NE(wrong.error_message.find("3 of 4194304 elements differ"), std::string::npos);
  // The problem's fields come from the error entry.
  EXPECT_EQ(wrong.op, "avg");
  EXPECT_EQ(wrong.bytes_moved, 83886080);
}

TEST_F(RenderTest, AStrategyWhoseWorkerFailedIsListedWithItsVerdict) {
  const std::pair<const char*, const char*> verdicts[] = {{"crashed", "CRASHED"},
                                                          {"timed_out", "TIMED OUT"},
                                                          {"threw", "THREW"},
                                                          {"exited", "EXITED"},
                                                          {"out_of_memory", "OUT OF MEMORY"}};
  for (const auto& [verdict, label] : verdicts) {
    Json r = SampleJson();
    for (Json& e : r["benchmarks"]) {
      if (e["strategy"] == "reshape_blocks") {
        e["verdict"] = verdict;
        e["error_occurred"] = true;
        e["error_message"] = "crashed with SIGSEGV";
      }
    }
    const ProblemResults vgg = Summarise(Model(r))[1];
    ASSERT_EQ(vgg.unranked.size(), 1u);
    EXPECT_EQ(UnrankedLabel(vgg.unranked[0]), label);
  }
}

TEST_F(RenderTest, AnErrorInOneRepetitionUnranksTheWholeResult) {
  Json r = SampleJson();
  for (Json& e : r["benchmarks"]) {
    if (e["strategy"] == "reshape_blocks" && e["descriptor"] == kVgg &&
        e.value("repetition_index", -1) == 1) {
      e["error_occurred"] = true;
      e["error_message"] = "kernel threw: out of memory";
    }
  }
  const ProblemResults vgg = Summarise(Model(r))[1];
  EXPECT_EQ(Order(vgg.ranked),
            (std::vector<std::string>{"openmp_parallel@2", "openmp_parallel@1", "naive_loops@1"}));
  ASSERT_EQ(vgg.unranked.size(), 1u);
  EXPECT_EQ(UnrankedLabel(vgg.unranked[0]), "ERROR");
  EXPECT_EQ(vgg.unranked[0].error_message, "kernel threw: out of memory");
}

TEST_F(RenderTest, TheStatisticIsTheSameWithOrWithoutAggregates) {
  Json r = SampleJson();
  Json kept = Json::array();
  for (const Json& e : r["benchmarks"]) {
    if (e["run_type"] == "iteration") kept.push_back(e);
  }
  r["benchmarks"] = kept;
  const Result fastest = Summarise(Model(r))[1].ranked.front();
  EXPECT_EQ(fastest.strategy, "reshape_blocks");
  EXPECT_DOUBLE_EQ(*fastest.time_ns, *Summarise(Sample())[1].ranked.front().time_ns);
}

TEST_F(RenderTest, WithOnlyAggregatesTheMedianAggregateIsTheTime) {
  Json r = SampleJson();
  Json kept = Json::array();
  for (const Json& e : r["benchmarks"]) {
    if (e["run_type"] == "aggregate") kept.push_back(e);
  }
  r["benchmarks"] = kept;
  const Result fastest = Summarise(Model(r))[1].ranked.front();
  EXPECT_EQ(fastest.strategy, "reshape_blocks");
  EXPECT_DOUBLE_EQ(*fastest.time_ns, 93100.0);
  EXPECT_TRUE(fastest.samples.empty());
}

TEST_F(RenderTest, AResultWithoutATimeIsNotRanked) {
  Json r = SampleJson();
  Json kept = Json::array();
  for (const Json& e : r["benchmarks"]) {
    // naive_loops keeps only its stddev: no repetition, no median, no mean.
    if (e["strategy"] != "naive_loops" || e.value("aggregate_name", "") == "stddev") {
      kept.push_back(e);
    }
  }
  r["benchmarks"] = kept;
  const ProblemResults stem = Summarise(Model(r))[0];
  EXPECT_EQ(Order(stem.ranked),
            (std::vector<std::string>{"openmp_parallel@2", "openmp_parallel@1"}));
  ASSERT_EQ(stem.unranked.size(), 1u);
  EXPECT_EQ(UnrankedLabel(stem.unranked[0]), "UNTIMED");
}

TEST_F(RenderTest, MarkdownHeaderHasTheBuildAndTheBandwidth) {
  const std::string md = Markdown(Sample());
  for (const char* expected :
       {"| machine | Intel(R) Xeon(R) Processor (2 CPUs, 2000 MHz) |", "| compiler | GNU 12.2.0 |",
        "| flags | `-O3 -DNDEBUG -march=native` |", "| build type | Release |",
        "| git revision | `59af938` |", "| OpenMP threads | 2 |",
        "| L1 | 48 KiB | 24 KiB | 1 | 150 |", "| DRAM | – | 512 MiB | 2 | 18.4 |"}) {
    EXPECT_NE(md.find(expected), std::string::npos) << expected << "\n" << md;
  }
}

TEST_F(RenderTest, MarkdownTablesAreRankedWithUnitsAndRatios) {
  const std::string md = Markdown(Sample());
  const std::string vgg = Between(md, "### `" + kVgg + "`", "###");
  const std::vector<std::string> rows = {
      "| 1 | reshape_blocks | 1 | 93.1 µs | ±14.4% (1 process) | 1/1, ±4.4% within | 1.00× | 10.8 "
      "| 17.8% of L2 | 6.32× |",
      "| 2 | openmp_parallel | 2 | 235 µs | ±14.4% (1 process) | 1/1, ±4.4% within | 2.53× "
      "(2.09–3.05) | 4.27 | 3.62% of L2 | 2.50× |",
      "| 3 | openmp_parallel | 1 | 441 µs | ±14.4% (1 process) | 1/1, ±4.4% within | 4.74× "
      "(3.92–5.73) | 2.28 | 3.76% of L2 | 1.33× |",
      "| 4 | naive_loops | 1 | 588 µs | ±14.4% (1 process) | 1/1, ±4.4% within | 6.32× "
      "(5.22–7.64) | 1.71 | 2.82% of L2 | 1.00× |"};
  size_t at = 0;
  for (const std::string& row : rows) {
    const size_t found = vgg.find(row, at);
    ASSERT_NE(found, std::string::npos) << row << "\n" << vgg;
    at = found + row.size();
  }
  EXPECT_NE(vgg.find("980 KiB moved per call, data in L2."), std::string::npos) << vgg;
}

TEST_F(RenderTest, MarkdownListsTheWrongStrategyUnderItsTableNotInIt) {
  const std::string md = Markdown(Sample());
  const std::string large = Between(md, "### `" + kLarge + "`", "<details>");
  ASSERT_FALSE(large.empty());
  const std::string table = Between(large, "| # |", "Not ranked:");
  ASSERT_FALSE(table.empty()) << large;
  EXPECT_EQ(table.find("reshape_blocks"), std::string::npos) << table;
  EXPECT_NE(large.find("- **WRONG** `reshape_blocks` (1 thread): wrong result: values: 3 of"),
            std::string::npos)
      << large;
  // Nowhere else is the wrong strategy named with a rank for this problem.
  EXPECT_EQ(md.find("| reshape_blocks | 1 | 0"), std::string::npos);
}

TEST_F(RenderTest, MarkdownSummarisesSkippedPairsInDetails) {
  const std::string md = Markdown(Sample());
  // The last <details>: the matrices at each thread count come first.
  const std::string details = md.substr(md.rfind("<details>"));
  EXPECT_NE(details.find("1 strategy/problem pair skipped"), std::string::npos) << details;
  EXPECT_NE(details.find("| reshape_blocks | stride must equal kernel | `" + kResnetStem + "` |"),
            std::string::npos)
      << details;
}

TEST_F(RenderTest, MarkdownEscapesCellsThatWouldBreakTheTable) {
  Json r = SampleJson();
  for (Json& e : r["benchmarks"]) {
    if (e["verdict"] == "FAIL") e["error_message"] = "a|b\n<script>x</script>";
  }
  const std::string md = Markdown(Model(r));
  EXPECT_NE(md.find("a\\|b &lt;script&gt;x&lt;/script&gt;"), std::string::npos) << md;
  EXPECT_EQ(md.find("<script>"), std::string::npos);
}

TEST_F(RenderTest, CsvHasOneRowPerResultAndQuotesByRfc4180) {
  const std::string csv = Csv(Sample());
  const auto rows = ParseCsv(csv);
  // A header, then 3 + 4 + 4 (strategy, descriptor, threads) results.
  ASSERT_EQ(rows.size(), 12u) << csv;
  const std::vector<std::string>& header = rows[0];
  ASSERT_EQ(header.size(), 28u);
  for (const auto& row : rows) ASSERT_EQ(row.size(), header.size()) << csv;
  auto column = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const auto& first = rows[4];  // the fastest result of the second problem
  EXPECT_EQ(first[column("descriptor")], kVgg);
  EXPECT_EQ(first[column("strategy")], "reshape_blocks");
  EXPECT_EQ(first[column("rank")], "1");
  EXPECT_EQ(first[column("time_ns")], "93100.0");
  EXPECT_EQ(first[column("repetitions")], "3");
  EXPECT_EQ(first[column("min_ns")], "92150.0");
  EXPECT_EQ(first[column("max_ns")], "99750.0");
  EXPECT_EQ(first[column("vs_fastest")], "1");
  EXPECT_EQ(first[column("bytes_moved")], "1003520");
  EXPECT_EQ(first[column("op")], "max");
  EXPECT_EQ(first[column("dtype")], "f32");
  EXPECT_EQ(first[column("layout")], "nchw");
  EXPECT_EQ(first[column("verdict")], "pass");

  const auto& wrong = rows.back();
  EXPECT_EQ(wrong[column("strategy")], "reshape_blocks");
  EXPECT_EQ(wrong[column("verdict")], "FAIL");
  EXPECT_EQ(wrong[column("rank")], "");
  EXPECT_EQ(wrong[column("time_ns")], "") << "a wrong strategy's time is never shown";
  EXPECT_EQ(wrong[column("gbps")], "");
  // The message holds commas and double quotes; it reads back exactly.
  EXPECT_EQ(wrong[column("error_message")],
            "wrong result: values: 3 of 4194304 elements differ, first at (0, 0, 5, 7): got 1.5, "
            "want 1.25 (\"seed\" 1)");
  EXPECT_NE(csv.find("(\"\"seed\"\" 1)\""), std::string::npos) << "quotes are doubled";
}

TEST_F(RenderTest, CsvQuotesLineBreaksAndCommasInAnyField) {
  Json r = SampleJson();
  for (Json& e : r["benchmarks"]) {
    if (e["strategy"] == "naive_loops") e["strategy"] = "naive,loops";
    if (e["verdict"] == "FAIL") e["error_message"] = "line one\r\nline two";
  }
  const auto rows = ParseCsv(Csv(Model(r)));
  ASSERT_EQ(rows.size(), 12u);
  EXPECT_EQ(rows[3][5], "naive,loops");
  EXPECT_EQ(rows.back().back(), "line one\r\nline two");
}

// A synthetic report: one iteration entry per (strategy, descriptor, threads, time in ns), and
// the context naming `peers`.
Json Synthetic(const std::vector<std::string>& peers,
               const std::vector<std::tuple<std::string, std::string, int, double>>& runs) {
  Json r = {{"context", {{"machine", "test machine"}, {"peers", peers}}},
            {"benchmarks", Json::array()}};
  for (const auto& [strategy, descriptor, threads, ns] : runs) {
    const std::string layout = descriptor.find(":nhwc:") != std::string::npos ? "nhwc" : "nchw";
    const std::string name = report::ResultName(strategy, descriptor, threads);
    r["benchmarks"].push_back({{"name", name},
                               {"run_name", name},
                               {"run_type", "iteration"},
                               {"real_time", ns},
                               {"cpu_time", ns},
                               {"time_unit", "ns"},
                               {"threads", threads},
                               {"strategy", strategy},
                               {"descriptor", descriptor},
                               {"layout", layout},
                               {"verdict", "pass"}});
  }
  return r;
}

report::Run PeerRun();

const std::string kNchw = "max:fwd:f32:nchw:1x8x16x16:k2x2";
const std::string kNhwc = "max:fwd:f32:nhwc:1x8x16x16:k2x2";
const std::string kOther = "max:fwd:f32:nchw:1x8x32x32:k2x2";

Json PeerReport() {
  Json r = Synthetic({"onednn", "xnnpack"}, {{"reshape_blocks", kNchw, 1, 100},
                                             {"onednn", kNchw, 1, 150},
                                             {"onednn", kNhwc, 1, 120},
                                             {"xnnpack", kNhwc, 1, 80},
                                             {"reshape_blocks", kNchw, 2, 50},
                                             {"onednn", kNchw, 2, 60},
                                             {"reshape_blocks", kOther, 1, 400},
                                             {"xnnpack", kOther, 1, 10}});
  // A wrong peer is never the best one, however fast it looks.
  for (Json& e : r["benchmarks"]) {
    if (e["strategy"] == "xnnpack" && e["descriptor"] == kOther) {
      e["verdict"] = "FAIL";
      e["error_occurred"] = true;
      e["error_message"] = "wrong result";
    }
  }
  return r;
}

report::Run PeerRun() { return Model(PeerReport()); }

const Result& Find(const std::vector<ProblemResults>& problems, const std::string& descriptor,
                   const std::string& strategy, int threads) {
  for (const ProblemResults& p : problems) {
    for (const Result& r : p.ranked) {
      if (p.descriptor == descriptor && r.strategy == strategy && r.threads == threads) return r;
    }
  }
  throw std::runtime_error("no ranked result " + strategy + " on " + descriptor);
}

TEST(PeerTest, TheBestPeerIsTheFastestInEitherLayoutAtTheSameThreadCount) {
  const auto problems = Summarise(PeerRun());
  const Result& one = Find(problems, kNchw, "reshape_blocks", 1);
  EXPECT_FALSE(one.peer);
  EXPECT_EQ(one.best_peer, "xnnpack");
  EXPECT_EQ(one.best_peer_layout, "nhwc");
  ASSERT_TRUE(one.vs_best_peer.has_value());
  EXPECT_DOUBLE_EQ(one.vs_best_peer->value, 0.8);  // xnnpack's 80 ns / 100 ns: slower than the peer
  const Result& two = Find(problems, kNchw, "reshape_blocks", 2);
  EXPECT_EQ(two.best_peer, "onednn");
  EXPECT_EQ(two.best_peer_layout, "nchw");
  EXPECT_DOUBLE_EQ(two.vs_best_peer->value, 1.2);  // faster than every peer at 2 threads
  // The peers themselves are compared too: the best one is 1×.
  const Result& xnn = Find(problems, kNhwc, "xnnpack", 1);
  EXPECT_TRUE(xnn.peer);
  EXPECT_DOUBLE_EQ(xnn.vs_best_peer->value, 1.0);
  EXPECT_DOUBLE_EQ(Find(problems, kNhwc, "onednn", 1).vs_best_peer->value, 80.0 / 120.0);
}

TEST(PeerTest, AWrongPeerIsNeverTheBestPeer) {
  const auto problems = Summarise(PeerRun());  // Find returns a reference into it
  const Result& r = Find(problems, kOther, "reshape_blocks", 1);
  EXPECT_EQ(r.best_peer, "");
  EXPECT_FALSE(r.vs_best_peer.has_value());
}

TEST(PeerTest, AReportWithoutPeersHasNoPeerColumns) {
  Json j = PeerReport();
  j["context"].erase("peers");  // as every report written before peers were recorded
  const report::Run r = Model(j);
  const auto problems = Summarise(r);
  for (const ProblemResults& p : problems) {
    for (const Result& res : p.ranked) {
      EXPECT_FALSE(res.peer);
      EXPECT_FALSE(res.vs_best_peer.has_value());
    }
  }
  EXPECT_EQ(Markdown(r).find("best peer"), std::string::npos);
  EXPECT_EQ(Markdown(report::Read(kSample, report::Expect::kPoolbench)).find("best peer"),
            std::string::npos);
}

TEST(PeerTest, MarkdownShowsTheBestPeerAndSaysHowLayoutsAreCompared) {
  const std::string md = Markdown(PeerRun());
  EXPECT_NE(md.find("| speed-up vs naive_loops | best peer | vs best peer |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("in either layout"), std::string::npos) << md;
  const std::string nchw = Between(md, "### `" + kNchw + "`", "###");
  EXPECT_NE(nchw.find("| 1 | reshape_blocks | 2 | 50.0 ns | – | 1/1 | 1.00× | – | – | – | onednn "
                      "| 1.20× |"),
            std::string::npos)
      << nchw;
  EXPECT_NE(nchw.find("| reshape_blocks | 1 | 100 ns | – | 1/1 | 2.00× | – | – | – | xnnpack "
                      "(nhwc) | 0.80× |"),
            std::string::npos)
      << nchw;
}

TEST(PeerTest, CsvHasTheBestPeerColumns) {
  const auto rows = ParseCsv(Csv(PeerRun()));
  const auto& header = rows[0];
  auto column = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  ASSERT_LT(column("vs_best_peer"), header.size());
  const auto& first = rows[1];  // reshape_blocks at 2 threads, the fastest on kNchw
  EXPECT_EQ(first[column("strategy")], "reshape_blocks");
  EXPECT_EQ(first[column("best_peer")], "onednn");
  EXPECT_EQ(first[column("best_peer_layout")], "nchw");
  EXPECT_EQ(first[column("vs_best_peer")], "1.2");
}

TEST(SummaryJsonTest, HoldsSummarisesDecisionsAndTheTablesText) {
  const Json s = SummaryJson(PeerRun());
  EXPECT_EQ(s["title"], "test machine");
  EXPECT_EQ(s["peers"], Json({"onednn", "xnnpack"}));
  EXPECT_NE(s["results_note"].get<std::string>().find("either layout"), std::string::npos);
  const auto problems = Summarise(PeerRun());
  ASSERT_EQ(s["problems"].size(), problems.size());
  for (size_t i = 0; i < problems.size(); ++i) {
    const Json& p = s["problems"][i];
    EXPECT_EQ(p["descriptor"], problems[i].descriptor);
    ASSERT_EQ(p["ranked"].size(), problems[i].ranked.size());
    for (size_t j = 0; j < problems[i].ranked.size(); ++j) {
      EXPECT_EQ(p["ranked"][j]["strategy"], problems[i].ranked[j].strategy);
      EXPECT_EQ(p["ranked"][j]["threads"], problems[i].ranked[j].threads);
    }
  }
  const Json& fastest = s["problems"][0]["ranked"][0];
  EXPECT_EQ(fastest["cells"]["time"], "50.0 ns");
  EXPECT_EQ(fastest["cells"]["best_peer"], "onednn");
  EXPECT_EQ(fastest["cells"]["vs_best_peer"], "1.20×");
  EXPECT_EQ(s["problems"][1]["ranked"][0]["cells"]["best_peer"], "xnnpack");
  const Json& wrong = s["problems"][2]["unranked"][0];
  EXPECT_EQ(wrong["label"], "WRONG");
  EXPECT_EQ(wrong["strategy"], "xnnpack");
  EXPECT_EQ(wrong["message"], "wrong result");
}

TEST_F(RenderTest, SummaryJsonOfTheSampleHasTheFactsBandwidthAndSkippedPairs) {
  const Json s = SummaryJson(Sample());
  EXPECT_EQ(s["facts"][0]["label"], "machine");
  EXPECT_EQ(s["facts"][0]["value"], "Intel(R) Xeon(R) Processor (2 CPUs, 2000 MHz)");
  bool flags = false;
  for (const Json& f : s["facts"]) {
    if (f["label"] == "flags") flags = f["code"].get<bool>();
  }
  EXPECT_TRUE(flags);
  EXPECT_EQ(s["bandwidth"][0]["level"], "L1");
  EXPECT_EQ(s["bandwidth"][0]["capacity"], "48 KiB");
  EXPECT_TRUE(s["peers"].empty());
  const Json& vgg = s["problems"][1];
  EXPECT_EQ(vgg["data"], "980 KiB moved per call, data in L2.");
  EXPECT_EQ(vgg["where"], "data in L2");
  EXPECT_EQ(vgg["ranked"][0]["cells"]["time"], "93.1 µs");
  EXPECT_EQ(vgg["ranked"][0]["cells"]["spread"], "-1.0/+7.1%");
  EXPECT_EQ(vgg["ranked"][0]["cells"]["vs_fastest"], "1.00×");
  EXPECT_EQ(vgg["ranked"][1]["cells"]["vs_fastest"], "2.53× (2.09–3.05)");
  EXPECT_EQ(vgg["ranked"][0]["cells"]["interval"], "±14.4% (1 process)");
  EXPECT_EQ(vgg["verdict"], "fastest: reshape_blocks (1 thread)");
  EXPECT_EQ(vgg["ranked"][0]["cells"]["bandwidth"], "17.8% of L2");
  EXPECT_EQ(vgg["ranked"][0]["cells"]["speedup"], "6.32×");
  EXPECT_EQ(s["skipped_count"], 1);
  EXPECT_EQ(s["skipped"][0]["reason"], "stride must equal kernel");
  EXPECT_EQ(s["problems"][2]["unranked"][0]["label"], "WRONG");
}

}  // namespace
}  // namespace poolbench::render
