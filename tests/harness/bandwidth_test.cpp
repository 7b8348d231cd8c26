#include "bandwidth.hpp"

#include <benchmark/benchmark.h>
#include <gtest/gtest.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "../cli/run_cli.hpp"

namespace poolbench {
namespace {

std::vector<BandwidthLevel> SampleLevels() {
  return {{"L1", 48 << 10, 24 << 10, 1, 150.5},
          {"L2", 2 << 20, 1 << 20, 1, 80.25},
          {"L3", 105 << 20, 105 << 19, 1, 30.125},
          {"DRAM", 0, 420 << 20, 1, 12.0625}};
}

TEST(Bandwidth, LevelForPicksTheSmallestLevelThatHoldsTheBytes) {
  const auto levels = SampleLevels();
  EXPECT_EQ(LevelFor(levels, 0)->level, "L1");
  EXPECT_EQ(LevelFor(levels, 1)->level, "L1");
  EXPECT_EQ(LevelFor(levels, 48 << 10)->level, "L1");
  EXPECT_EQ(LevelFor(levels, (48 << 10) + 1)->level, "L2");
  EXPECT_EQ(LevelFor(levels, 2 << 20)->level, "L2");
  EXPECT_EQ(LevelFor(levels, 64 << 20)->level, "L3");
  EXPECT_EQ(LevelFor(levels, (105 << 20) + 1)->level, "DRAM");
  EXPECT_EQ(LevelFor(levels, int64_t{1} << 40)->level, "DRAM");
}

TEST(Bandwidth, LevelForDoesNotDependOnOrder) {
  auto levels = SampleLevels();
  std::swap(levels[0], levels[3]);
  std::swap(levels[1], levels[2]);
  EXPECT_EQ(LevelFor(levels, 1000)->level, "L1");
  EXPECT_EQ(LevelFor(levels, 3 << 20)->level, "L3");
  EXPECT_EQ(LevelFor(levels, int64_t{1} << 30)->level, "DRAM");
}

TEST(Bandwidth, LevelForWithoutDramOrLevels) {
  auto levels = SampleLevels();
  levels.pop_back();
  EXPECT_EQ(LevelFor(levels, int64_t{1} << 30)->level, "L3");
  EXPECT_EQ(LevelFor({}, 100), nullptr);
}

TEST(Bandwidth, JsonRoundTrip) {
  const auto levels = SampleLevels();
  const report::Json j = report::Json::parse(ToJson(levels).dump());
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), levels.size());
  EXPECT_EQ(j[0]["level"], "L1");
  EXPECT_EQ(j[2]["bytes"], 105 << 19);
  EXPECT_EQ(j[3]["read_write_gbps"], 12.0625);
  const auto back = BandwidthFromJson(j);
  ASSERT_EQ(back.size(), levels.size());
  for (size_t i = 0; i < levels.size(); ++i) {
    EXPECT_EQ(back[i].level, levels[i].level);
    EXPECT_EQ(back[i].capacity_bytes, levels[i].capacity_bytes);
    EXPECT_EQ(back[i].working_set_bytes, levels[i].working_set_bytes);
    EXPECT_EQ(back[i].threads, levels[i].threads);
    EXPECT_EQ(back[i].gbps, levels[i].gbps);
  }
}

TEST(Bandwidth, ReadsTheSampleReport) {
  const report::Json r = report::Load(POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json");
  const auto levels = BandwidthFromJson(r["context"]["bandwidth"]);
  ASSERT_FALSE(levels.empty());
  EXPECT_EQ(ToJson(levels), r["context"]["bandwidth"]) << "the report is written as ToJson does";
}

// Expects BandwidthFromJson to refuse `j` with a message containing `needle`.
void ExpectMalformed(const report::Json& j, const std::string& needle) {
  try {
    BandwidthFromJson(j);
    ADD_FAILURE() << "accepted " << j.dump();
  } catch (const report::ReportError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << needle;
  }
}

TEST(Bandwidth, MalformedJsonNamesTheField) {
  ExpectMalformed(report::Json::object(), "expected an array");
  ExpectMalformed(report::Json::array({1}), "bandwidth[0]: expected an object");
  const report::Json good = ToJson(SampleLevels());
  for (const char* key : {"level", "capacity_bytes", "bytes", "threads", "read_write_gbps"}) {
    report::Json j = good;
    j[1].erase(key);
    ExpectMalformed(j, std::string("bandwidth[1]: missing the field \"") + key + "\"");
  }
  auto with = [&](const char* key, report::Json value) {
    report::Json j = good;
    j[2][key] = std::move(value);
    return j;
  };
  ExpectMalformed(with("level", 3), "bandwidth[2].level: expected a level name");
  for (const char* bad : {"", "L0", "l2", "L10", "dram", "L3 "}) {
    ExpectMalformed(with("level", bad), "bandwidth[2].level: expected a level name");
  }
  ExpectMalformed(with("bytes", "1024"), "bandwidth[2].bytes: expected an integer");
  ExpectMalformed(with("bytes", 1.5), "bandwidth[2].bytes: expected an integer");
  ExpectMalformed(with("bytes", 0), "bandwidth[2].bytes: must be at least 1");
  ExpectMalformed(with("capacity_bytes", -1), "bandwidth[2].capacity_bytes: must be at least 0");
  ExpectMalformed(with("capacity_bytes", UINT64_MAX), "bandwidth[2].capacity_bytes: out of range");
  ExpectMalformed(with("threads", 0), "bandwidth[2].threads: must be at least 1");
  ExpectMalformed(with("threads", int64_t{1} << 40), "bandwidth[2].threads: out of range");
  ExpectMalformed(with("read_write_gbps", "fast"), "bandwidth[2].read_write_gbps");
  ExpectMalformed(with("read_write_gbps", 0), "bandwidth[2].read_write_gbps");
  ExpectMalformed(with("read_write_gbps", -3.5), "bandwidth[2].read_write_gbps");
  ExpectMalformed(with("read_write_gbps", nullptr), "bandwidth[2].read_write_gbps");
}

void ExpectPlausible(const std::vector<BandwidthLevel>& levels, int threads) {
  ASSERT_GE(levels.size(), 2u) << "expected at least one cache level and DRAM";
  EXPECT_EQ(levels.back().level, "DRAM");
  EXPECT_EQ(levels.back().capacity_bytes, 0);
  EXPECT_GE(levels.back().working_set_bytes, int64_t{256} << 20);
  for (size_t i = 0; i < levels.size(); ++i) {
    const BandwidthLevel& l = levels[i];
    SCOPED_TRACE(l.level);
    EXPECT_EQ(l.threads, threads);
    EXPECT_TRUE(std::isfinite(l.gbps));
    EXPECT_GT(l.gbps, 0);
    if (i + 1 < levels.size()) {
      EXPECT_EQ(l.level, "L" + std::to_string(i + 1)) << "levels are reported smallest first";
      EXPECT_GT(l.capacity_bytes, 0);
      // The working set is half the level: it fits, with room for everything else.
      EXPECT_LE(l.working_set_bytes, l.capacity_bytes / 2);
      EXPECT_GT(levels[i + 1].working_set_bytes, l.working_set_bytes);
      EXPECT_GT(LevelFor(levels, l.working_set_bytes)->capacity_bytes, 0) << "fits a cache";
    }
  }
  // A working set beyond the last cache maps to DRAM.
  EXPECT_EQ(LevelFor(levels, levels.back().working_set_bytes), &levels.back());
}

TEST(Bandwidth, MeasuresEveryLevelWithOneThread) {
  std::vector<std::string> announced;
  BandwidthOptions opt;
  opt.seconds_per_level = 0.005;
  const auto levels = MeasureBandwidth(opt, [&](size_t i, size_t n, const BandwidthLevel& l) {
    EXPECT_EQ(i, announced.size());
    EXPECT_GT(n, i);
    announced.push_back(l.level);
  });
  ExpectPlausible(levels, 1);
  ASSERT_EQ(announced.size(), levels.size());
  for (size_t i = 0; i < levels.size(); ++i) EXPECT_EQ(announced[i], levels[i].level);
}

#ifdef __linux__
cpu_set_t Affinity() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(pthread_getaffinity_np(pthread_self(), sizeof(set), &set), 0);
  return set;
}
#endif

TEST(Bandwidth, MeasuresEveryLevelWithTwoThreads) {
#ifdef __linux__
  const cpu_set_t before = Affinity();
#endif
  BandwidthOptions opt;
  opt.threads = 2;
  opt.seconds_per_level = 0.005;
  const auto levels = MeasureBandwidth(opt);
  ExpectPlausible(levels, 2);
#ifdef __linux__
  // The measurement pins its threads to one CPU each; the OpenMP threads that later parallel
  // regions reuse must get their affinity back.
#pragma omp parallel num_threads(2)
  {
    const cpu_set_t after = Affinity();
#pragma omp critical
    EXPECT_TRUE(CPU_EQUAL(&before, &after)) << "thread " << omp_get_thread_num();
  }
#endif
}

TEST(Bandwidth, PrivateCachesAddUpOverThreads) {
  const auto& caches = benchmark::CPUInfo::Get().caches;
  const auto l1 = std::find_if(caches.begin(), caches.end(), [](const auto& c) {
    return c.level == 1 && (c.type == "Data" || c.type == "Unified");
  });
  if (l1 == caches.end() || l1->num_sharing != 1 || omp_get_num_procs() < 2) {
    GTEST_SKIP() << "needs two CPUs with a private L1 data cache each";
  }
  BandwidthOptions opt;
  opt.seconds_per_level = 0.001;
  const auto one = MeasureBandwidth(opt);
  opt.threads = 2;
  const auto two = MeasureBandwidth(opt);
  // Two threads on two cores use two L1 caches, and each gets a working set as large as one
  // thread alone does.
  EXPECT_EQ(one[0].capacity_bytes, l1->size);
  EXPECT_EQ(two[0].capacity_bytes, 2 * l1->size);
  EXPECT_EQ(two[0].working_set_bytes, 2 * one[0].working_set_bytes);
}

TEST(Bandwidth, RefusesBadOptions) {
  BandwidthOptions opt;
  opt.threads = -1;
  EXPECT_THROW(MeasureBandwidth(opt), std::invalid_argument);
  opt.threads = 1;
  for (double s : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    opt.seconds_per_level = s;
    EXPECT_THROW(MeasureBandwidth(opt), std::invalid_argument) << s;
  }
}

using testing::CliResult;
using testing::RunPoolbench;

TEST(RooflineCommand, JsonOutputParsesAndHasTheLevels) {
  const CliResult r = RunPoolbench({"roofline", "--json", "--seconds", "0.02"});
  ASSERT_EQ(r.status, 0) << r.out;
  const report::Json j = report::Json::parse(r.out);
  ASSERT_TRUE(j.contains("bandwidth")) << r.out;
  ExpectPlausible(BandwidthFromJson(j["bandwidth"]), 1);
}

TEST(RooflineCommand, TableHasARowPerLevel) {
  const CliResult r = RunPoolbench({"roofline", "--seconds", "0.005", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.rfind("level", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nL1 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nDRAM "), std::string::npos) << r.out;
}

TEST(RooflineCommand, BadOptionsExitWithUsageError) {
  for (const char* args : {"--threads -1", "--threads x", "--seconds 0", "--seconds -2",
                           "--seconds nan", "--seconds 1e9", "--threads 100000"}) {
    std::vector<std::string> argv = {"roofline", "--json"};
    std::istringstream words(args);
    for (std::string w; words >> w;) argv.push_back(w);
    const CliResult r = RunPoolbench(argv);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_EQ(r.out, "") << args;
  }
}

}  // namespace
}  // namespace poolbench
