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
  EXPECT_TRUE(Contains(Refusal(entry("threads", 0)),
                       "\"threads\": 0, expected an integer in [1, 2^31 - 1]"));
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

// Numbers are bounded before anything converts them: a double too large for an integer type is
// undefined behaviour to convert, and an int64 near its maximum overflows when added to.
TEST(ReportReader, RefusesNumbersOutOfRangeNamingTheFieldAndTheEntry) {
  const auto entry = [](const char* key, Json value) {
    return Broken([&](Json& r) { r["benchmarks"][1][key] = value; });
  };
  const std::string at = "r.json: benchmarks[1] (";
  EXPECT_TRUE(Contains(Refusal(entry("bytes_moved", 1e300)), "\"bytes_moved\": 1e+300"));
  EXPECT_TRUE(Contains(Refusal(entry("bytes_moved", 1e300)), at));
  EXPECT_TRUE(Contains(Refusal(entry("threads", 1e20)), "\"threads\": 1e+20, expected an integer"));
  EXPECT_TRUE(Contains(Refusal(entry("threads", int64_t{1} << 40)), "[1, 2^31 - 1]"));
  EXPECT_TRUE(Contains(Refusal(entry("repetitions", uint64_t{1} << 63)), "\"repetitions\""));
  EXPECT_TRUE(Contains(Refusal(entry("family_index", INT64_MAX)),
                       "\"family_index\": 9223372036854775807, expected an integer in [0, 2^53]"));
  EXPECT_TRUE(Contains(Refusal(entry("iterations", -1)), "\"iterations\": -1"));
  const Json slow = Broken([](Json& r) {
    r["benchmarks"][1]["real_time"] = 1e300;
    r["benchmarks"][1]["time_unit"] = "s";
  });
  EXPECT_TRUE(Contains(Refusal(slow), "\"real_time\": 1e+300 s, more than 10^18 ns"));
  EXPECT_NO_THROW(Validate(entry("family_index", int64_t{1} << 53), "r.json", Expect::kPoolbench));
}

// A duplicated entry would count its samples twice in compare and its group twice in render.
TEST(ReportReader, RefusesADuplicatedEntryNamingIt) {
  const Json doubled = Broken([](Json& r) { r["benchmarks"].push_back(r["benchmarks"][1]); });
  const std::string m = Refusal(doubled);
  const size_t last = Sample()["benchmarks"].size();
  EXPECT_TRUE(Contains(m, "r.json: benchmarks[" + std::to_string(last) + "] (" +
                              Sample()["benchmarks"][1]["name"].get<std::string>() + ")"));
  EXPECT_TRUE(Contains(m, "repeats an earlier entry"));
  // Repetitions of one run share a name and differ by repetition_index: not duplicates.
  const Json repeated = Broken([](Json& r) {
    Json again = r["benchmarks"][1];
    again["repetition_index"] = 1000;
    r["benchmarks"].push_back(again);
  });
  EXPECT_NO_THROW(Validate(repeated, "r.json", Expect::kPoolbench));
}

TEST(ReportReader, RefusesAMalformedShard) {
  for (const char* shard : {"0/2", "3/2", "1/", "x/2", "1/2/3", "1/2000000000000"}) {
    const Json r = Broken([&](Json& j) { j["context"]["shard"] = shard; });
    EXPECT_TRUE(Contains(Refusal(r), "context has \"shard\"")) << shard;
  }
  EXPECT_EQ(ParseShard("2/4"), (std::pair{2, 4}));
  EXPECT_EQ(ParseShard("1/2000000000"), (std::pair{1, 2000000000}));
  EXPECT_FALSE(ParseShard("-1/2"));
}

// The parser keeps its own stack on the heap, but everything after it recurses: a report nested
// 100,000 deep is refused while it is parsed, before anything walks it.
TEST(ReportReader, RefusesNestingDeeperThanTheLimit) {
  const testing::TempDir dir("poolbench_reader_test");
  const int depth = 100000;
  const std::string deep = "{\"context\": {\"x\": " + std::string(depth, '[') +
                           std::string(depth, ']') + "}, \"benchmarks\": []}";
  dir.Write("deep.json", deep);
  try {
    Read(dir.Path("deep.json"), Expect::kGoogleBenchmark);
    ADD_FAILURE() << "a report nested 100,000 deep was read";
  } catch (const ReportError& e) {
    EXPECT_TRUE(Contains(e.what(), dir.Path("deep.json") + ": nested deeper than 64 levels"));
  }
  const std::string ok = "{\"context\": {\"x\": " + std::string(60, '[') + std::string(60, ']') +
                         "}, \"benchmarks\": []}";
  dir.Write("ok.json", ok);
  EXPECT_NO_THROW(Read(dir.Path("ok.json"), Expect::kGoogleBenchmark));
  std::filesystem::create_directory(dir.Path("dir.json"));
  try {
    Read(dir.Path("dir.json"), Expect::kGoogleBenchmark);
    ADD_FAILURE() << "a directory was read as a report";
  } catch (const ReportError& e) {
    EXPECT_TRUE(Contains(e.what(), "is a directory"));
  }
}

}  // namespace
}  // namespace poolbench::report
