// The matrix of problems × strategies and the thread scaling that open every report: the winner
// of each row, wrong, crashed and skipped cells shown as such, the thread counts, and the same
// matrix at the top of the Markdown and in the summary the HTML page is drawn from.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "render/cells.hpp"
#include "render/render.hpp"
#include "report/reader.hpp"
#include "support/report_model.hpp"

namespace poolbench::render {
namespace {

using report::Json;
using State = MatrixCell::State;

const std::string kSample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";
const std::string kStem = "max:fwd:f32:nchw:1x64x112x112:k3x3:s2x2:p1x1";
const std::string kVgg = "max:fwd:f32:nchw:1x64x56x56:k2x2";
const std::string kLarge = "avg:fwd:f32:nchw:1x1x4096x4096:k2x2";

using testing::Model;

Json SampleJson() { return report::ReadJson(kSample, report::Expect::kPoolbench); }
report::Run Sample() { return Model(SampleJson()); }

const MatrixCell& At(const Matrix& m, const std::string& descriptor, const std::string& strategy) {
  size_t row = 0, col = 0;
  while (row < m.descriptors.size() && m.descriptors[row] != descriptor) ++row;
  while (col < m.strategies.size() && m.strategies[col] != strategy) ++col;
  if (row == m.descriptors.size() || col == m.strategies.size()) {
    throw std::runtime_error("no cell " + strategy + " on " + descriptor);
  }
  return m.cells[row][col];
}

std::vector<std::string> Winners(const Matrix& m, size_t row) {
  std::vector<std::string> out;
  for (size_t c = 0; c < m.strategies.size(); ++c) {
    if (m.cells[row][c].winner) out.push_back(m.strategies[c]);
  }
  return out;
}

TEST(MatrixTest, SeveralThreadCountsGiveABestOfMatrixThenOnePerCount) {
  const report::Run r = Sample();
  const auto ms = Matrices(r, Summarise(r));
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_EQ(ms[0].title, "best of 1, 2 threads");
  EXPECT_EQ(ms[0].threads, 0);
  EXPECT_EQ(ms[1].title, "1 thread");
  EXPECT_EQ(ms[2].title, "2 threads");
  for (const Matrix& m : ms) {
    EXPECT_EQ(m.strategies,
              (std::vector<std::string>{"naive_loops", "openmp_parallel", "reshape_blocks"}));
    EXPECT_EQ(m.descriptors, (std::vector<std::string>{kStem, kVgg, kLarge}));
    ASSERT_EQ(m.cells.size(), 3u);
    for (const auto& row : m.cells) EXPECT_EQ(row.size(), 3u);
  }
}

TEST(MatrixTest, TheFastestOfEachRowIsTheWinnerAtItsBestThreadCount) {
  const report::Run r = Sample();
  const Matrix best = Matrices(r, Summarise(r))[0];
  EXPECT_EQ(Winners(best, 0), std::vector<std::string>{"openmp_parallel"});
  EXPECT_EQ(Winners(best, 1), std::vector<std::string>{"reshape_blocks"});
  EXPECT_EQ(Winners(best, 2), std::vector<std::string>{"openmp_parallel"});
  EXPECT_EQ(best.wins, (std::vector<int>{0, 2, 1}));
  const MatrixCell& omp = At(best, kStem, "openmp_parallel");
  EXPECT_EQ(omp.state, State::kRanked);
  EXPECT_EQ(omp.result.threads, 2);
  EXPECT_DOUBLE_EQ(*omp.result.time_ns, 931000.0);
  EXPECT_TRUE(omp.threads_shown);
  // naive_loops ran at one thread count only: nothing to say about threads.
  EXPECT_FALSE(At(best, kStem, "naive_loops").threads_shown);
  const CellText t = MatrixCellText(omp);
  EXPECT_EQ(t.main, "931 µs");
  EXPECT_EQ(t.threads, "2 thr");
  EXPECT_EQ(t.speedup, "2.53×");
  // At one thread the row has another winner.
  EXPECT_EQ(Winners(Matrices(r, Summarise(r))[1], 0), std::vector<std::string>{"openmp_parallel"});
  EXPECT_DOUBLE_EQ(*At(Matrices(r, Summarise(r))[1], kStem, "openmp_parallel").result.time_ns,
                   1764000.0);
}

TEST(MatrixTest, WrongSkippedAndNotRunCellsAreShownNotLeftOut) {
  const report::Run r = Sample();
  const auto ms = Matrices(r, Summarise(r));
  const MatrixCell& wrong = At(ms[0], kLarge, "reshape_blocks");
  EXPECT_EQ(wrong.state, State::kUnranked);
  EXPECT_FALSE(wrong.winner);
  EXPECT_EQ(MatrixCellText(wrong).main, "WRONG");
  EXPECT_NE(MatrixCellText(wrong).note.find("3 of 4194304 elements differ"), std::string::npos);
  EXPECT_EQ(MatrixCellText(wrong).speedup, "") << "a wrong result has no speed-up";

  const MatrixCell& skipped = At(ms[0], kStem, "reshape_blocks");
  EXPECT_EQ(skipped.state, State::kSkipped);
  EXPECT_EQ(skipped.reason, "stride must equal kernel");
  EXPECT_EQ(MatrixCellText(skipped).main, "skipped");
  // reshape_blocks is single-threaded: at 2 threads it was not run.
  EXPECT_EQ(At(ms[2], kVgg, "reshape_blocks").state, State::kNotRun);
  EXPECT_EQ(MatrixCellText(At(ms[2], kVgg, "reshape_blocks")).main, "–");
}

TEST(MatrixTest, AFailureAtAnyThreadCountOutweighsAPassAtAnother) {
  Json j = SampleJson();
  for (Json& e : j["benchmarks"]) {
    if (e["strategy"] == "openmp_parallel" && e["descriptor"] == kVgg && e["threads"] == 2) {
      e["verdict"] = "FAIL";
      e["error_occurred"] = true;
      e["error_message"] = "wrong result: a race";
    }
  }
  const report::Run r = Model(j);
  const auto ms = Matrices(r, Summarise(r));
  const MatrixCell& best = At(ms[0], kVgg, "openmp_parallel");
  EXPECT_EQ(best.state, State::kUnranked);
  EXPECT_EQ(best.result.threads, 2);
  EXPECT_EQ(MatrixCellText(best).threads, "2 thr");
  EXPECT_EQ(At(ms[1], kVgg, "openmp_parallel").state, State::kRanked);
  EXPECT_EQ(At(ms[2], kVgg, "openmp_parallel").state, State::kUnranked);
}

TEST(MatrixTest, OtherVerdictsSuchAsCrashedAreShownByName) {
  Json j = SampleJson();
  for (Json& e : j["benchmarks"]) {
    if (e["strategy"] == "naive_loops" && e["descriptor"] == kVgg) {
      e["verdict"] = "crashed";
      e["error_occurred"] = true;
      e["error_message"] = "worker killed by signal 11 (SIGSEGV)";
    }
    if (e["strategy"] == "naive_loops" && e["descriptor"] == kLarge) {
      e["verdict"] = "timed_out";
      e["error_occurred"] = true;
      e["error_message"] = "no result within 60 s";
    }
  }
  const report::Run r = Model(j);
  const auto ms = Matrices(r, Summarise(r));
  EXPECT_EQ(MatrixCellText(At(ms[0], kVgg, "naive_loops")).main, "CRASHED");
  EXPECT_EQ(MatrixCellText(At(ms[0], kVgg, "naive_loops")).note,
            "worker killed by signal 11 (SIGSEGV)");
  EXPECT_EQ(MatrixCellText(At(ms[0], kLarge, "naive_loops")).main, "TIMED OUT");
  const std::string md = Markdown(r);
  EXPECT_NE(md.find("**CRASHED**"), std::string::npos) << md;
  EXPECT_NE(md.find("**TIMED OUT**"), std::string::npos) << md;
}

TEST(MatrixTest, OneThreadCountGivesOneMatrix) {
  Json j = SampleJson();
  Json kept = Json::array();
  for (const Json& e : j["benchmarks"]) {
    if (e.value("threads", 1) == 1) kept.push_back(e);
  }
  j["benchmarks"] = kept;
  const report::Run r = Model(j);
  const auto ms = Matrices(r, Summarise(r));
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].title, "1 thread");
  EXPECT_FALSE(At(ms[0], kStem, "openmp_parallel").threads_shown);
  EXPECT_TRUE(ThreadScaling(Summarise(r)).empty());
}

TEST(MatrixTest, PeersComeLastAndTheReferenceFirst) {
  Json j = SampleJson();
  j["context"]["peers"] = {"aaa_peer"};
  for (Json& e : j["benchmarks"]) {
    if (e["strategy"] == "reshape_blocks") e["strategy"] = "aaa_peer";
  }
  j["context"]["skipped"][0]["strategy"] = "aaa_peer";
  const report::Run r = Model(j);
  const Matrix m = Matrices(r, Summarise(r))[0];
  EXPECT_EQ(m.strategies, (std::vector<std::string>{"naive_loops", "openmp_parallel", "aaa_peer"}));
}

TEST(MatrixTest, ThreadScalingIsTheSpeedUpPerProblemAndItsGeometricMean) {
  const auto scaling = ThreadScaling(Summarise(Sample()));
  ASSERT_EQ(scaling.size(), 1u) << "only openmp_parallel ran at several thread counts";
  const Scaling& s = scaling[0];
  EXPECT_EQ(s.strategy, "openmp_parallel");
  EXPECT_EQ(s.base_threads, 1);
  EXPECT_EQ(s.threads, 2);
  ASSERT_EQ(s.speedups.size(), 3u);
  EXPECT_EQ(s.speedups[0].first, kStem);
  EXPECT_DOUBLE_EQ(s.speedups[0].second, 1764.0 / 931.0);
  EXPECT_DOUBLE_EQ(s.speedups[1].second, 441.0 / 235.2);
  const double product = s.speedups[0].second * s.speedups[1].second * s.speedups[2].second;
  EXPECT_NEAR(s.geomean, std::cbrt(product), 1e-12);
  EXPECT_LE(s.min, s.geomean);
  EXPECT_GE(s.max, s.geomean);
}

TEST(MatrixTest, MarkdownOpensWithTheMatrixAheadOfTheFactsAndTables) {
  const std::string md = Markdown(Sample());
  const size_t glance = md.find("## At a glance: best of 1, 2 threads");
  const size_t facts = md.find("## Build and machine");
  const size_t tables = md.find("### `" + kVgg + "`");
  ASSERT_NE(glance, std::string::npos) << md;
  EXPECT_LT(glance, facts);
  EXPECT_LT(facts, tables);
  EXPECT_NE(md.find("| problem | naive_loops | openmp_parallel | reshape_blocks |"),
            std::string::npos)
      << md;
  // The VGG row: the winner starred, the roofline named, the thread count of the best time.
  const size_t row = md.find("| `" + kVgg + "`<br>980 KiB in L2 |");
  ASSERT_NE(row, std::string::npos) << md;
  const std::string line = md.substr(row, md.find('\n', row) - row);
  EXPECT_NE(line.find("| **588 µs**<br>1.00× · 2.82% |"), std::string::npos) << line;
  EXPECT_NE(line.find("| **235 µs** (2 thr)<br>2.50× · 3.62% |"), std::string::npos) << line;
  EXPECT_NE(line.find("| **93.1 µs** ★<br>6.32× · 17.8% |"), std::string::npos) << line;
  // The wrong strategy's cell, and the skipped one.
  const size_t large = md.find("| `" + kLarge + "`");
  const std::string large_line = md.substr(large, md.find('\n', large) - large);
  EXPECT_NE(large_line.find("| **WRONG** |"), std::string::npos) << large_line;
  const size_t stem = md.find("| `" + kStem + "`");
  EXPECT_NE(md.substr(stem, md.find('\n', stem) - stem).find("| skipped |"), std::string::npos);
  EXPECT_NE(md.find("| problems won ★ / tied ☆ | 0 / 0 | 2 / 0 | 1 / 0 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("<details><summary>Matrix at 2 threads</summary>"), std::string::npos);
  EXPECT_NE(md.find("| openmp_parallel | 1 → 2 | 1.89× | 1.88× – 1.90× | 3 |"), std::string::npos)
      << md;
}

TEST(MatrixTest, SummaryJsonCarriesTheMatricesCellsAndColours) {
  const Json s = SummaryJson(Sample());
  ASSERT_EQ(s["matrices"].size(), 3u);
  const Json& m = s["matrices"][0];
  EXPECT_EQ(m["title"], "best of 1, 2 threads");
  EXPECT_EQ(m["strategies"][0]["name"], "naive_loops");
  EXPECT_EQ(m["strategies"][0]["colour"], "#7f7f7f");
  const Json& vgg = m["rows"][1];
  EXPECT_EQ(vgg["descriptor"], kVgg);
  const Json& winner = vgg["cells"][2];
  EXPECT_EQ(winner["state"], "ranked");
  EXPECT_TRUE(winner["winner"].get<bool>());
  EXPECT_DOUBLE_EQ(winner["vs_winner"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(vgg["cells"][0]["vs_winner"].get<double>(), 93.1 / 588.0);
  const Json& wrong = m["rows"][2]["cells"][2];
  EXPECT_EQ(wrong["state"], "unranked");
  EXPECT_EQ(wrong["main"], "WRONG");
  EXPECT_TRUE(wrong["vs_winner"].is_null());
  EXPECT_EQ(m["rows"][0]["cells"][2]["state"], "skipped");
  EXPECT_EQ(s["scaling"][0]["strategy"], "openmp_parallel");
  EXPECT_EQ(s["colours"]["reshape_blocks"], "#2ca02c");
}

TEST(SpreadTest, TheFastestAndSlowestRepetitionAgainstTheMedian) {
  const Result r = Summarise(Sample())[1].ranked.front();  // reshape_blocks: 99.75, 92.15, 93.1
  EXPECT_EQ(SpreadText(r), "-1.0/+7.1%");
  Result single = r;
  single.samples.resize(1);
  EXPECT_EQ(SpreadText(single), "–");
}

}  // namespace
}  // namespace poolbench::render
