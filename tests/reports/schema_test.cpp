// reports/schema.json is the report contract: the sample report, a merged report and a report
// freshly written by `poolbench bench` satisfy it, and each kind of broken report is rejected
// both by Python's jsonschema (scripts/validate_report.py, what other tools would use) and by
// poolbench's own reader (valijson over the same schema), so that the two never disagree.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "report/merge.hpp"
#include "report/reader.hpp"
#include "report/report.hpp"
#include "report/writer.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

using Json = nlohmann::json;

const std::string kPython = "/usr/bin/python3";
const std::string kValidator = POOLBENCH_SOURCE_DIR "/scripts/validate_report.py";
const std::string kSample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";

using testing::CliResult;

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::RunProgram({kPython, "-c", "import jsonschema"}).status != 0) {
      GTEST_SKIP() << kPython << " cannot import jsonschema (Debian: python3-jsonschema)";
    }
  }

  std::string Path(const std::string& name) const { return dir_.Path(name); }

  CliResult Validate(const std::string& path) const {
    return testing::RunProgram({kPython, kValidator, path});
  }

  CliResult ValidateJson(const Json& report) const {
    return Validate(dir_.Write("report.json", report.dump(1)));
  }

  // A broken variant of the sample must be rejected, with `expected` in the message.
  void ExpectInvalid(const std::function<void(Json&)>& breakit, const std::string& expected) {
    Json r = report::ReadJson(kSample, report::Expect::kPoolbench);
    breakit(r);
    const CliResult run = ValidateJson(r);
    EXPECT_EQ(run.status, 1) << run.Output();
    EXPECT_NE(run.Output().find(expected), std::string::npos) << run.Output();
    EXPECT_THROW(report::Validate(r, "report.json", report::Expect::kPoolbench),
                 report::ReportError)
        << "poolbench's reader accepts what the schema refuses: " << expected;
  }

  static Json& FirstIteration(Json& r) { return r["benchmarks"][0]; }
  static Json& FirstAggregate(Json& r) {
    for (Json& e : r["benchmarks"]) {
      if (e["run_type"] == "aggregate") return e;
    }
    throw std::logic_error("the sample has no aggregate");
  }
  static Json& FailEntry(Json& r) {
    for (Json& e : r["benchmarks"]) {
      if (e["verdict"] == "FAIL") return e;
    }
    throw std::logic_error("the sample has no FAIL entry");
  }

  testing::TempDir dir_{"poolbench_schema"};
};

TEST_F(SchemaTest, TheSampleReportIsValid) {
  const CliResult run = Validate(kSample);
  EXPECT_EQ(run.status, 0) << run.Output();
}

TEST_F(SchemaTest, AMergedReportIsValid) {
  const Json whole = report::ReadJson(kSample, report::Expect::kPoolbench);
  Json a = whole, b = whole;
  a["benchmarks"] = b["benchmarks"] = Json::array();
  for (const Json& e : whole["benchmarks"]) {
    (e["descriptor"].get<std::string>().rfind("avg", 0) == 0 ? b : a)["benchmarks"].push_back(e);
  }
  a["context"]["shard"] = "1/2";
  b["context"]["shard"] = "2/2";
  const Json merged = report::ToJson(
      report::Merge({{"a.json", report::FromJson(a)}, {"b.json", report::FromJson(b)}}).run);
  const CliResult run = ValidateJson(merged);
  EXPECT_EQ(run.status, 0) << run.Output();
}

TEST_F(SchemaTest, BrokenReportsAreRejected) {
  ExpectInvalid([](Json& r) { FirstIteration(r).erase("real_time"); },
                "$.benchmarks[0]: 'real_time' is a required property");
  ExpectInvalid([](Json& r) { FirstIteration(r)["verdict"] = "ok"; },
                "$.benchmarks[0].verdict: 'ok' is not one of ['pass', 'FAIL', 'crashed', "
                "'timed_out', 'threw', 'exited', 'out_of_memory']");
  ExpectInvalid([](Json& r) { FirstIteration(r)["op"] = "min"; }, "$.benchmarks[0].op: 'min'");

  ExpectInvalid([](Json& r) { FirstIteration(r)["direction"] = "forward"; },
                "$.benchmarks[0].direction: 'forward'");
  // dtype and layout are whatever the descriptor says: the reader checks them against it
  // (tests/report/reader_test.cpp), so that a new dtype or layout needs no change here.
  ExpectInvalid([](Json& r) { FirstIteration(r)["time_unit"] = "ps"; },
                "$.benchmarks[0].time_unit: 'ps'");
  ExpectInvalid([](Json& r) { FirstIteration(r)["run_type"] = "agg"; },
                "$.benchmarks[0].run_type: 'agg'");
  ExpectInvalid([](Json& r) { FirstIteration(r).erase("strategy"); },
                "'strategy' is a required property");

  ExpectInvalid([](Json& r) { FirstIteration(r)["real_time"] = "1.5"; },
                "$.benchmarks[0].real_time: '1.5' is not of type 'number'");
  // Counters are numbers; a misspelt string field is not a counter.
  ExpectInvalid([](Json& r) { FirstIteration(r)["strategie"] = "x"; },
                "$.benchmarks[0].strategie: 'x' is not of type 'number'");
  ExpectInvalid([](Json& r) { FirstAggregate(r).erase("aggregate_name"); },
                "'aggregate_name' is a required property");
  ExpectInvalid([](Json& r) { FirstIteration(r).erase("bandwidth_level"); },
                "'bandwidth_level' is a dependency of 'bandwidth_fraction'");
}

TEST_F(SchemaTest, AWrongStrategyMustBeAnUntimedErrorEntry) {
  ExpectInvalid([](Json& r) { FailEntry(r)["gbps"] = 3.5; }, "gbps: False schema");
  ExpectInvalid([](Json& r) { FailEntry(r)["speedup_vs_reference"] = 2.0; },
                "speedup_vs_reference: False schema");
  ExpectInvalid([](Json& r) { FailEntry(r)["real_time"] = 12.0; }, "real_time: 0 was expected");
  ExpectInvalid([](Json& r) { FailEntry(r).erase("error_occurred"); },
                "'error_occurred' is a required property");
  ExpectInvalid([](Json& r) { FailEntry(r).erase("error_message"); },
                "'error_message' is a required property");
}

TEST_F(SchemaTest, BrokenContextsAreRejected) {
  ExpectInvalid([](Json& r) { r["context"].erase("poolbench_report_version"); },
                "'poolbench_report_version' is a required property");
  ExpectInvalid([](Json& r) { r["context"]["poolbench_report_version"] = 4; },
                "$.context.poolbench_report_version: 4 is not one of [1, 2, 3]");
  ExpectInvalid([](Json& r) { r["context"]["bandwidth"][0].erase("read_write_gbps"); },
                "$.context.bandwidth[0]: 'read_write_gbps' is a required property");
  ExpectInvalid([](Json& r) { r["context"]["bandwidth"][0]["level"] = "L0.5"; },
                "$.context.bandwidth[0].level");
  ExpectInvalid([](Json& r) { r["context"]["skipped"][0].erase("reason"); },
                "$.context.skipped[0]: 'reason' is a required property");
  ExpectInvalid([](Json& r) { r["context"]["shard"] = "2"; }, "$.context.shard");
  ExpectInvalid([](Json& r) { r.erase("benchmarks"); }, "'benchmarks' is a required property");
}

// The mark of an interrupted bench's partial report (harness/cli/bench_command.cpp writes it).
TEST_F(SchemaTest, ThePartialReportOfAnInterruptedBenchIsValid) {
  Json r = report::ReadJson(kSample, report::Expect::kPoolbench);
  r["context"]["incomplete"] = {{"signal", "SIGINT"},
                                {"entries", r["benchmarks"].size()},
                                {"problems_done", 1},
                                {"problems", 3},
                                {"journal", "r.json.journal"}};
  const CliResult run = ValidateJson(r);
  EXPECT_EQ(run.status, 0) << run.Output();
  ExpectInvalid([](Json& r) { r["context"]["incomplete"] = true; }, "$.context.incomplete");
  ExpectInvalid(
      [](Json& r) {
        r["context"]["incomplete"] = {{"signal", "SIGINT"}};
      },
      "$.context.incomplete: 'entries' is a required property");
}

TEST_F(SchemaTest, AReportFreshlyWrittenByBenchIsValid) {
  const std::string out = Path("bench.json");
  const CliResult bench = testing::RunPoolbench(
      {"bench", "--suite", "seeds", "--strategy", "naive|lookup|openmp", "--threads", "1,2",
       "--repetitions", "2", "--min-time", "0.01", "--bandwidth-seconds", "0.01", "--out", out});
  ASSERT_EQ(bench.status, 0) << bench.Output();
  const CliResult run = Validate(out);
  EXPECT_EQ(run.status, 0) << run.Output();
  // The run has what the schema's conditional parts are about: aggregates and threads.
  const Json r = report::ReadJson(out, report::Expect::kPoolbench);
  bool aggregate = false, two_threads = false;
  for (const Json& e : r["benchmarks"]) {
    aggregate = aggregate || e["run_type"] == "aggregate";
    two_threads = two_threads || e["threads"] == 2;
  }
  EXPECT_TRUE(aggregate && two_threads) << "the run did not exercise the schema";
}

}  // namespace
}  // namespace poolbench
