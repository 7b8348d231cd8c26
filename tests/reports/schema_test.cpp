// reports/schema.json is the report contract: the sample report, a merged report and a report
// freshly written by `poolbench bench` satisfy it, and each kind of broken report is rejected
// (checked with Python's jsonschema through scripts/validate_report.py).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "merge.hpp"
#include "report.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kPython = "/usr/bin/python3";
const std::string kValidator = POOLBENCH_SOURCE_DIR "/scripts/validate_report.py";
const std::string kSample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";

struct Outcome {
  int code = -1;
  std::string out;
};

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system((kPython + " -c 'import jsonschema' >/dev/null 2>&1").c_str()) != 0) {
      GTEST_SKIP() << kPython << " cannot import jsonschema (Debian: python3-jsonschema)";
    }
    std::string pattern = (fs::temp_directory_path() / "poolbench_schema_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Runs a command line, returning its exit status and its stdout + stderr.
  Outcome Shell(const std::string& command) const {
    const std::string log = Path("log.txt");
    const int status = std::system((command + " >'" + log + "' 2>&1").c_str());
    std::ifstream in(log);
    Outcome r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out.assign(std::istreambuf_iterator<char>(in), {});
    return r;
  }

  Outcome Validate(const std::string& path) const {
    return Shell(kPython + " '" + kValidator + "' '" + path + "'");
  }

  Outcome ValidateJson(const Json& report) const {
    const std::string path = Path("report.json");
    std::ofstream(path) << report.dump(1);
    return Validate(path);
  }

  // A broken variant of the sample must be rejected, with `expected` in the message.
  void ExpectInvalid(const std::function<void(Json&)>& breakit, const std::string& expected) {
    Json r = report::Load(kSample);
    breakit(r);
    const Outcome run = ValidateJson(r);
    EXPECT_EQ(run.code, 1) << run.out;
    EXPECT_NE(run.out.find(expected), std::string::npos) << run.out;
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

  fs::path dir_;
};

TEST_F(SchemaTest, TheSampleReportIsValid) {
  const Outcome run = Validate(kSample);
  EXPECT_EQ(run.code, 0) << run.out;
}

TEST_F(SchemaTest, AMergedReportIsValid) {
  const Json whole = report::Load(kSample);
  Json a = whole, b = whole;
  a["benchmarks"] = b["benchmarks"] = Json::array();
  for (const Json& e : whole["benchmarks"]) {
    (e["descriptor"].get<std::string>().rfind("avg", 0) == 0 ? b : a)["benchmarks"].push_back(e);
  }
  a["context"]["shard"] = "1/2";
  b["context"]["shard"] = "2/2";
  const Json merged = report::Merge({{"a.json", a}, {"b.json", b}}).report;
  const Outcome run = ValidateJson(merged);
  EXPECT_EQ(run.code, 0) << run.out;
}

TEST_F(SchemaTest, BrokenReportsAreRejected) {
  ExpectInvalid([](Json& r) { FirstIteration(r).erase("real_time"); },
                "$.benchmarks[0]: 'real_time' is a required property");
  ExpectInvalid([](Json& r) { FirstIteration(r)["verdict"] = "ok"; },
                "$.benchmarks[0].verdict: 'ok' is not one of ['pass', 'FAIL']");
  ExpectInvalid([](Json& r) { FirstIteration(r)["op"] = "min"; }, "$.benchmarks[0].op: 'min'");
  ExpectInvalid([](Json& r) { FirstIteration(r)["dtype"] = "f16"; },
                "$.benchmarks[0].dtype: 'f16'");
  ExpectInvalid([](Json& r) { FirstIteration(r)["direction"] = "forward"; },
                "$.benchmarks[0].direction: 'forward'");
  ExpectInvalid([](Json& r) { FirstIteration(r)["layout"] = "NCHW"; },
                "$.benchmarks[0].layout: 'NCHW'");
  ExpectInvalid([](Json& r) { FirstIteration(r)["time_unit"] = "ps"; },
                "$.benchmarks[0].time_unit: 'ps'");
  ExpectInvalid([](Json& r) { FirstIteration(r)["run_type"] = "agg"; },
                "$.benchmarks[0].run_type: 'agg'");
  ExpectInvalid([](Json& r) { FirstIteration(r).erase("strategy"); },
                "'strategy' is a required property");
  ExpectInvalid([](Json& r) { FirstIteration(r).erase("gbps"); }, "'gbps' is a required property");
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
  ExpectInvalid([](Json& r) { r["context"]["poolbench_report_version"] = 2; },
                "$.context.poolbench_report_version: 1 was expected");
  ExpectInvalid([](Json& r) { r["context"]["bandwidth"][0].erase("read_write_gbps"); },
                "$.context.bandwidth[0]: 'read_write_gbps' is a required property");
  ExpectInvalid([](Json& r) { r["context"]["bandwidth"][0]["level"] = "L0.5"; },
                "$.context.bandwidth[0].level");
  ExpectInvalid([](Json& r) { r["context"]["skipped"][0].erase("reason"); },
                "$.context.skipped[0]: 'reason' is a required property");
  ExpectInvalid([](Json& r) { r["context"]["shard"] = "2 of 3"; }, "$.context.shard");
  ExpectInvalid([](Json& r) { r.erase("benchmarks"); }, "'benchmarks' is a required property");
}

TEST_F(SchemaTest, AReportFreshlyWrittenByBenchIsValid) {
  const std::string out = Path("bench.json");
  const Outcome bench =
      Shell(std::string("'") + POOLBENCH_EXE +
            "' bench --suite seeds --strategy 'naive|lookup|openmp' --threads 1,2 "
            "--repetitions 2 --min-time 0.01 --bandwidth-seconds 0.01 --out '" +
            out + "'");
  ASSERT_EQ(bench.code, 0) << bench.out;
  const Outcome run = Validate(out);
  EXPECT_EQ(run.code, 0) << run.out;
  // The run has what the schema's conditional parts are about: aggregates and threads.
  const Json r = report::Load(out);
  bool aggregate = false, two_threads = false;
  for (const Json& e : r["benchmarks"]) {
    aggregate = aggregate || e["run_type"] == "aggregate";
    two_threads = two_threads || e["threads"] == 2;
  }
  EXPECT_TRUE(aggregate && two_threads) << "the run did not exercise the schema";
}

}  // namespace
}  // namespace poolbench
