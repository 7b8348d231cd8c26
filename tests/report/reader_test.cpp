// The one reader of reports: the sample report and a plain Google Benchmark report are read, and
// every kind of malformed report is refused with a message naming the file, the entry and the
// field, before any renderer, merge or comparison sees it.
#include "report/reader.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "support/report_fixtures.hpp"
#include "support/temp_dir.hpp"

namespace poolbench::report {
namespace {

using testing::Contains;

const std::string kSample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";

const Json& Sample() {
  static const Json sample = Read(kSample, Expect::kPoolbench);
  return sample;
}

Json Plain() { return testing::PlainGoogleBenchmarkReport(); }

// The message with which Validate refuses `report`; fails the test if it accepts it.
std::string Refusal(const Json& report, Expect expect = Expect::kPoolbench) {
  try {
    Validate(report, "r.json", expect);
  } catch (const ReportError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted " << report.dump().substr(0, 200);
  return "";
}

// The sample with one change.
Json Broken(const std::function<void(Json&)>& change) {
  Json r = Sample();
  change(r);
  return r;
}

TEST(ReportReader, ReadsTheSampleAndAPlainGoogleBenchmarkReport) {
  EXPECT_FALSE(Sample()["benchmarks"].empty());
  EXPECT_NO_THROW(Validate(Plain(), "plain.json", Expect::kGoogleBenchmark));
}

TEST(ReportReader, APlainGoogleBenchmarkReportIsNotAPoolbenchReport) {
  Json versioned = Plain();
  versioned["context"]["poolbench_report_version"] = 1;
  const std::string m = Refusal(versioned);
  EXPECT_TRUE(Contains(m, "r.json: benchmarks[0] (BM_Foo) lacks the poolbench field \"strategy\""));
  EXPECT_TRUE(Contains(Refusal(Plain()), "r.json: context.poolbench_report_version is missing"));
}

TEST(ReportReader, RefusesFilesThatAreNotReports) {
  const testing::TempDir dir("poolbench_reader_test");
  for (const auto& [name, text, part] : {
           std::tuple{"missing.json", "", "cannot open report"},
           std::tuple{"broken.json", "{\"context\": {}, \"benchmarks\": [", "not valid JSON"},
           std::tuple{"array.json", "[]", "is not a JSON object"},
           std::tuple{"nocontext.json", "{\"benchmarks\": []}", "lacks the \"context\" object"},
           std::tuple{"nobench.json", "{\"context\": {}}", "lacks the \"benchmarks\" array"},
       }) {
    const std::string path = dir.Path(name);
    if (*text) dir.Write(name, text);
    try {
      Read(path, Expect::kGoogleBenchmark);
      ADD_FAILURE() << "read " << name;
    } catch (const ReportError& e) {
      EXPECT_TRUE(Contains(e.what(), path + ": "));
      EXPECT_TRUE(Contains(e.what(), part));
    }
  }
}

TEST(ReportReader, NamesTheEntryAndTheFieldOfTheWrongType) {
  const auto entry = [](const char* key, Json value) {
    return Broken([&](Json& r) { r["benchmarks"][1][key] = value; });
  };
  const std::string at = "r.json: benchmarks[1] (";
  EXPECT_TRUE(Contains(Refusal(entry("error_occurred", "yes")), "\"error_occurred\": \"yes\""));
  EXPECT_TRUE(Contains(Refusal(entry("error_occurred", "yes")), at));
  EXPECT_TRUE(Contains(Refusal(entry("real_time", "fast")), "expected a finite number"));
  EXPECT_TRUE(Contains(Refusal(entry("time_unit", "h")), "\"ns\" or \"us\" or \"ms\" or \"s\""));
  EXPECT_TRUE(Contains(Refusal(entry("run_type", "median")), "\"iteration\" or \"aggregate\""));
  EXPECT_TRUE(Contains(Refusal(entry("verdict", "ok")), "\"pass\" or \"FAIL\""));
  EXPECT_TRUE(Contains(Refusal(entry("threads", 0)), "\"threads\": 0, expected an integer >= 1"));
  EXPECT_TRUE(Contains(Refusal(entry("strategy", 3)), "\"strategy\": 3, expected a string"));
  EXPECT_TRUE(Contains(Refusal(entry("cpu_time", -1)), "negative time"));
  const Json no_name = Broken([](Json& r) { r["benchmarks"][1].erase("run_name"); });
  EXPECT_TRUE(Contains(Refusal(no_name), "lacks the field \"run_name\""));
}

TEST(ReportReader, ReadsTheEntryOfAStrategyWhoseWorkerCrashed) {
  Json r = Sample();
  testing::AddWrong(r, "crasher");
  Json& e = r["benchmarks"].back();
  e["verdict"] = "crashed";
  e["signal"] = "SIGSEGV";
  e["repro"] = "poolbench --plugin /p/crasher.so bench --problem " + testing::kDescriptor;
  EXPECT_NO_THROW(Validate(r, "r.json", Expect::kPoolbench));
  e["signal"] = 11;
  EXPECT_TRUE(Contains(Refusal(r), "\"signal\": 11, expected a string"));
  e["signal"] = "SIGSEGV";
  e["verdict"] = "exploded";
  EXPECT_TRUE(Contains(Refusal(r), "\"timed_out\""));
}

TEST(ReportReader, ARepetitionThatRanMustHaveAPositiveTime) {
  const Json zero = Broken([](Json& r) {
    for (Json& e : r["benchmarks"]) {
      if (e["run_type"] == "iteration" && e["verdict"] == "pass") {
        e["real_time"] = 0;
        break;
      }
    }
  });
  EXPECT_TRUE(Contains(Refusal(zero), "a run without an error must have a positive time"));
}

TEST(ReportReader, ChecksTheContextListsAndTheBandwidth) {
  EXPECT_TRUE(Contains(Refusal(Broken([](Json& r) {
                         r["context"]["skipped"] = {{{"x", 1}}};
                       })),
                       "r.json: context.skipped[0] lacks the field \"strategy\""));
  EXPECT_TRUE(Contains(Refusal(Broken([](Json& r) { r["context"]["shard"] = 2; })),
                       "r.json: context has \"shard\": 2"));
  EXPECT_TRUE(
      Contains(Refusal(Broken([](Json& r) { r["context"]["bandwidth"][0]["level"] = "L0"; })),
               "r.json: context.bandwidth[0].level"));
}

}  // namespace
}  // namespace poolbench::report
