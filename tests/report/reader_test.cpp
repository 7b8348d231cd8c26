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
  static const Json sample = ReadJson(kSample, Expect::kPoolbench);
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
  EXPECT_TRUE(Contains(m, "r.json: benchmarks[0] (BM_Foo): Missing required property"));
  EXPECT_TRUE(Contains(Refusal(Plain()), "r.json: context.poolbench_report_version is missing"));
}

TEST(ReportReader, RefusesFilesThatAreNotReports) {
  const testing::TempDir dir("poolbench_reader_test");
  for (const auto& [name, text, part] : {
           std::tuple{"missing.json", "", "cannot open report"},
           std::tuple{"broken.json", "{\"context\": {}, \"benchmarks\": [", "not valid JSON"},
           std::tuple{"array.json", "[]", "is not a report: expected a JSON object"},
           std::tuple{"nocontext.json", "{\"benchmarks\": []}", "is not a report"},
           std::tuple{"nobench.json", "{\"context\": {}}",
                      "Missing required property 'benchmarks'"},
       }) {
    const std::string path = dir.Path(name);
    if (*text) dir.Write(name, text);
    try {
      ReadJson(path, Expect::kGoogleBenchmark);
      ADD_FAILURE() << "read " << name;
    } catch (const ReportError& e) {
      EXPECT_TRUE(Contains(e.what(), path + ": "));
      EXPECT_TRUE(Contains(e.what(), part));
    }
  }
}

TEST(ReportReader, NamesTheEntryTheFieldTheValueAndWhatWasExpected) {
  const auto entry = [](const char* key, Json value) {
    return Broken([&](Json& r) { r["benchmarks"][1][key] = value; });
  };
  const std::string at =
      "r.json: benchmarks[1].error_occurred (naive_loops/max:fwd:f32:nchw:1x64x112x112:k3x3:s2x2:"
      "p1x1/threads:1) is \"yes\": expected boolean";
  EXPECT_TRUE(Contains(Refusal(entry("error_occurred", "yes")), at));
  EXPECT_TRUE(Contains(Refusal(entry("real_time", "fast")), "real_time ("));
  EXPECT_TRUE(Contains(Refusal(entry("real_time", "fast")), "is \"fast\": expected number"));
  EXPECT_TRUE(
      Contains(Refusal(entry("time_unit", "h")), "expected one of \"ns\", \"us\", \"ms\", \"s\""));
  EXPECT_TRUE(Contains(Refusal(entry("run_type", "median")),
                       "expected one of \"iteration\", \"aggregate\""));
  EXPECT_TRUE(Contains(Refusal(entry("verdict", "ok")), "expected one of \"pass\", \"FAIL\""));
  EXPECT_TRUE(Contains(Refusal(entry("threads", 0)), ".threads (naive_loops/"));
  EXPECT_TRUE(
      Contains(Refusal(entry("threads", 0)), "is 0: Expected number greater than or equal to 1"));
  EXPECT_TRUE(Contains(Refusal(entry("strategy", 3)), ".strategy ("));
  EXPECT_TRUE(Contains(Refusal(entry("strategy", 3)), "is 3: expected string"));
  EXPECT_TRUE(Contains(Refusal(entry("cpu_time", -1)),
                       "is -1: Expected number greater than or equal to 0"));
  const Json no_name = Broken([](Json& r) { r["benchmarks"][1].erase("run_name"); });
  EXPECT_TRUE(Contains(Refusal(no_name), "benchmarks[1] (naive_loops/"));
  EXPECT_TRUE(Contains(Refusal(no_name), "Missing required property 'run_name'"));
}

// What a JSON Schema cannot say is checked by the reader: a row's problem is named three ways
// (run_name, descriptor, op/direction/dtype/layout), and they must agree.
TEST(ReportReader, ARowsDescriptorMustParseAndAgreeWithItsOtherFields) {
  const auto descriptor = [](const std::string& d) {
    return Broken([&](Json& r) {
      for (Json& e : r["benchmarks"]) {
        if (e["run_name"] == r["benchmarks"][1]["run_name"]) e["descriptor"] = d;
      }
    });
  };
  EXPECT_TRUE(Contains(Refusal(descriptor("max:fwd:f32:nchw:1x64x112x112:k0")),
                       "of an invalid problem: kernel height must be > 0"));
  EXPECT_TRUE(
      Contains(Refusal(descriptor("banana")), "has a bad descriptor: bad descriptor 'banana'"));
  EXPECT_TRUE(Contains(Refusal(descriptor("max:fwd:f32:nchw:1x64x112x112:k3:s2:p1")),
                       "not in canonical form (max:fwd:f32:nchw:1x64x112x112:k3x3:s2x2:p1x1)"));
  EXPECT_TRUE(Contains(Refusal(descriptor("avg:fwd:f32:nchw:1x64x112x112:k3x3:s2x2:p1x1")),
                       "has \"op\": \"max\" but its descriptor"));
  EXPECT_TRUE(Contains(Refusal(descriptor("max:fwd:f32:nchw:2x64x112x112:k3x3:s2x2:p1x1")),
                       "but is naive_loops/max:fwd:f32:nchw:2x64x112x112:k3x3:s2x2:p1x1/threads:1 "
                       "by its strategy, descriptor and threads"));
}

TEST(ReportReader, EntriesOfOneRunMustAgreeOnWhatTheyMeasured) {
  const Json r = Broken([](Json& j) { j["benchmarks"][1]["bytes_moved"] = 8; });
  EXPECT_TRUE(Contains(Refusal(r), "disagrees with an earlier entry of run"));
}

TEST(ReportReader, AVersionThisPoolbenchDoesNotReadIsRefusedNamingIt) {
  EXPECT_TRUE(
      Contains(Refusal(Broken([](Json& r) { r["context"]["poolbench_report_version"] = 999; })),
               "r.json: report format version 999; this poolbench reads versions 1 to 3 "
               "(written by a newer poolbench?)"));
  EXPECT_TRUE(
      Contains(Refusal(Broken([](Json& r) { r["context"]["poolbench_report_version"] = "1"; })),
               "report format version \"1\""));
  // Both versions it reads become the same model.
  EXPECT_NO_THROW(Validate(Broken([](Json& r) { r["context"]["poolbench_report_version"] = 2; }),
                           "r.json", Expect::kPoolbench));
}

TEST(ReportReader, ReadsTheEntryOfAStrategyWhoseWorkerCrashed) {
  Json r = Sample();
  testing::AddWrong(r, "crasher");
  Json& e = r["benchmarks"].back();
  e["verdict"] = "crashed";
  e["signal"] = "SIGSEGV";
  e["repro"] = "poolbench --plugin /p/crasher.so bench --problem " + testing::kDescriptor;
  EXPECT_NO_THROW(Validate(r, "r.json", Expect::kPoolbench));
  const report::Run run = FromJson(r);
  EXPECT_EQ(run.results.back().verdict, Verdict::kCrashed);
  EXPECT_EQ(run.results.back().signal, "SIGSEGV");
  EXPECT_FALSE(run.results.back().Timed());
  e["signal"] = 11;
  EXPECT_TRUE(Contains(Refusal(r), ".signal (crasher/"));
  EXPECT_TRUE(Contains(Refusal(r), "is 11: expected string"));
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
                       "r.json: context.skipped[0]: "));
  EXPECT_TRUE(Contains(Refusal(Broken([](Json& r) { r["context"]["shard"] = 2; })),
                       "r.json: context.shard is 2: expected string"));
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
  const std::string at = "r.json: benchmarks[1].";
  EXPECT_TRUE(Contains(Refusal(entry("bytes_moved", 1e300)), at + "bytes_moved ("));
  EXPECT_TRUE(Contains(Refusal(entry("bytes_moved", 1e300)), "is 1e+300"));
  EXPECT_TRUE(Contains(Refusal(entry("threads", 1e20)), "threads (naive_loops"));
  EXPECT_TRUE(Contains(Refusal(entry("threads", int64_t{1} << 40)),
                       "is 1099511627776: Expected number less than or equal to 2147483647"));
  EXPECT_TRUE(Contains(Refusal(entry("repetitions", uint64_t{1} << 63)), ".repetitions ("));
  EXPECT_TRUE(Contains(Refusal(entry("family_index", INT64_MAX)),
                       "is 9223372036854775807: Expected number less than or equal to "
                       "9007199254740992"));
  EXPECT_TRUE(Contains(Refusal(entry("iterations", -1)), "iterations (naive_loops"));
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
  for (const char* shard : {"0/2", "3/2", "x/2", "1/2/3", "1/2000000000000"}) {
    const Json r = Broken([&](Json& j) { j["context"]["shard"] = shard; });
    EXPECT_TRUE(Contains(Refusal(r), "context has \"shard\"")) << shard;
  }
  EXPECT_TRUE(Contains(Refusal(Broken([&](Json& j) { j["context"]["shard"] = "1/"; })),
                       "context.shard is \"1/\""));
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
