// The Markdown and CSV renderers on the hand-written sample report (tests/data): ranking by
// the mean of the repetitions, wrong strategies listed apart and never ranked, human units,
// escaping, and CSV that a strict RFC 4180 reader reads back exactly.
#include "render/render.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "report/reader.hpp"

namespace poolbench::render {
namespace {

using report::Json;

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
    sample_ = new Json(report::Read(kSample, report::Expect::kPoolbench));
  }
  static void TearDownTestSuite() { delete sample_; }
  static const Json& Sample() { return *sample_; }

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

TEST_F(RenderTest, TimeIsTheMeanAggregateNotTheFirstRepetition) {
  const Result fastest = Summarise(Sample())[1].ranked.front();
  // The first repetition took 99.75 µs; the mean of the three is 95 µs.
  EXPECT_DOUBLE_EQ(fastest.time_ns, 95000.0);
  EXPECT_EQ(fastest.repetitions, 3);
  ASSERT_TRUE(fastest.cv.has_value());
  EXPECT_NEAR(*fastest.cv, 0.0436, 1e-3);
  EXPECT_NEAR(*fastest.gbps, 10.5634, 1e-3);
  EXPECT_EQ(fastest.bandwidth_level, "L2");
}

TEST_F(RenderTest, AWrongStrategyIsNeverRanked) {
  const ProblemResults large = Summarise(Sample())[2];
  EXPECT_EQ(Order(large.ranked),
            (std::vector<std::string>{"openmp_parallel@2", "openmp_parallel@1", "naive_loops@1"}));
  ASSERT_EQ(large.unranked.size(), 1u);
  const Result& wrong = large.unranked[0];
  EXPECT_EQ(wrong.strategy, "reshape_blocks");
  EXPECT_FALSE(wrong.ranked);
  EXPECT_EQ(wrong.verdict, "FAIL");
  EXPECT_EQ(UnrankedLabel(wrong), "WRONG");
  EXPECT_NE(wrong.error_message.find("3 of 4194304 elements differ"), std::string::npos);
  // The problem's fields come from the error entry.
  EXPECT_EQ(wrong.op, "avg");
  EXPECT_EQ(wrong.bytes_moved, 83886080);
}

TEST_F(RenderTest, AnErrorInOneRepetitionUnranksTheWholeResult) {
  Json r = Sample();
  for (Json& e : r["benchmarks"]) {
    if (e["strategy"] == "reshape_blocks" && e["descriptor"] == kVgg &&
        e.value("repetition_index", -1) == 1) {
      e["error_occurred"] = true;
      e["error_message"] = "kernel threw: out of memory";
    }
  }
  const ProblemResults vgg = Summarise(r)[1];
  EXPECT_EQ(Order(vgg.ranked),
            (std::vector<std::string>{"openmp_parallel@2", "openmp_parallel@1", "naive_loops@1"}));
  ASSERT_EQ(vgg.unranked.size(), 1u);
  EXPECT_EQ(UnrankedLabel(vgg.unranked[0]), "ERROR");
  EXPECT_EQ(vgg.unranked[0].error_message, "kernel threw: out of memory");
}

TEST_F(RenderTest, AResultWithoutAPassVerdictIsNotRanked) {
  Json r = Sample();
  for (Json& e : r["benchmarks"]) {
    if (e["strategy"] == "naive_loops") e.erase("verdict");
  }
  const ProblemResults stem = Summarise(r)[0];
  EXPECT_EQ(Order(stem.ranked),
            (std::vector<std::string>{"openmp_parallel@2", "openmp_parallel@1"}));
  ASSERT_EQ(stem.unranked.size(), 1u);
  EXPECT_EQ(UnrankedLabel(stem.unranked[0]), "UNVERIFIED");
}

TEST_F(RenderTest, WithoutAggregatesTheIterationsAreAveraged) {
  Json r = Sample();
  Json kept = Json::array();
  for (const Json& e : r["benchmarks"]) {
    if (e["run_type"] == "iteration") kept.push_back(e);
  }
  r["benchmarks"] = kept;
  const Result fastest = Summarise(r)[1].ranked.front();
  EXPECT_EQ(fastest.strategy, "reshape_blocks");
  EXPECT_NEAR(fastest.time_ns, 95000.0, 1e-6);
  EXPECT_FALSE(fastest.cv.has_value());
  // GB/s scales with the averaged time: bytes / 95 µs.
  EXPECT_NEAR(*fastest.gbps, 1003520 / 95000.0, 1e-3);
}

TEST_F(RenderTest, AResultWithoutATimeIsNotRanked) {
  Json r = Sample();
  Json kept = Json::array();
  for (const Json& e : r["benchmarks"]) {
    // naive_loops keeps only its median and stddev: no mean, no iterations.
    if (e["strategy"] != "naive_loops" || e.value("aggregate_name", "") == "median" ||
        e.value("aggregate_name", "") == "stddev") {
      kept.push_back(e);
    }
  }
  r["benchmarks"] = kept;
  const ProblemResults stem = Summarise(r)[0];
  EXPECT_EQ(Order(stem.ranked),
            (std::vector<std::string>{"openmp_parallel@2", "openmp_parallel@1"}));
  ASSERT_EQ(stem.unranked.size(), 1u);
  EXPECT_EQ(UnrankedLabel(stem.unranked[0]), "ERROR");
  EXPECT_NE(stem.unranked[0].error_message.find("no time"), std::string::npos);
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
      "| 1 | reshape_blocks | 1 | 95.0 µs ±4.4% | 10.6 | 17.5% of L2 | 6.32× |",
      "| 2 | openmp_parallel | 2 | 240 µs ±4.4% | 4.18 | 3.54% of L2 | 2.50× |",
      "| 3 | openmp_parallel | 1 | 450 µs ±4.4% | 2.23 | 3.69% of L2 | 1.33× |",
      "| 4 | naive_loops | 1 | 600 µs ±4.4% | 1.67 | 2.77% of L2 | 1.00× |"};
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
  const std::string details = Between(md, "<details>", "</details>");
  EXPECT_NE(details.find("1 strategy/problem pair skipped"), std::string::npos) << details;
  EXPECT_NE(details.find("| reshape_blocks | stride must equal kernel | `" + kResnetStem + "` |"),
            std::string::npos)
      << details;
}

TEST_F(RenderTest, MarkdownEscapesCellsThatWouldBreakTheTable) {
  Json r = Sample();
  for (Json& e : r["benchmarks"]) {
    if (e["verdict"] == "FAIL") e["error_message"] = "a|b\n<script>x</script>";
  }
  const std::string md = Markdown(r);
  EXPECT_NE(md.find("a\\|b &lt;script&gt;x&lt;/script&gt;"), std::string::npos) << md;
  EXPECT_EQ(md.find("<script>"), std::string::npos);
}

TEST_F(RenderTest, CsvHasOneRowPerResultAndQuotesByRfc4180) {
  const std::string csv = Csv(Sample());
  const auto rows = ParseCsv(csv);
  // A header, then 3 + 4 + 4 (strategy, descriptor, threads) results.
  ASSERT_EQ(rows.size(), 12u) << csv;
  const std::vector<std::string>& header = rows[0];
  ASSERT_EQ(header.size(), 17u);
  for (const auto& row : rows) ASSERT_EQ(row.size(), header.size()) << csv;
  auto column = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const auto& first = rows[4];  // the fastest result of the second problem
  EXPECT_EQ(first[column("descriptor")], kVgg);
  EXPECT_EQ(first[column("strategy")], "reshape_blocks");
  EXPECT_EQ(first[column("rank")], "1");
  EXPECT_EQ(first[column("time_ns")], "95000.0");
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
  Json r = Sample();
  for (Json& e : r["benchmarks"]) {
    if (e["strategy"] == "naive_loops") e["strategy"] = "naive,loops";
    if (e["verdict"] == "FAIL") e["error_message"] = "line one\r\nline two";
  }
  const auto rows = ParseCsv(Csv(r));
  ASSERT_EQ(rows.size(), 12u);
  EXPECT_EQ(rows[3][5], "naive,loops");
  EXPECT_EQ(rows.back()[16], "line one\r\nline two");
}

}  // namespace
}  // namespace poolbench::render
