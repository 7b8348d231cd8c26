#include "bench/bandwidth.hpp"

#include <benchmark/benchmark.h>
#include <gtest/gtest.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace poolbench {
namespace {

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
      // Appended rather than concatenated: GCC 12 gives a false -Wrestrict for "L" + string.
      std::string name = "L";
      name += std::to_string(i + 1);
      EXPECT_EQ(l.level, name) << "levels are reported smallest first";
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

// The measurements run OpenMP teams in this process. Their idle pool is ended after each test:
// the isolation tests fork workers from this process, and a child of a process with a live
// OpenMP pool inherits the pool's bookkeeping without its threads (the harness itself measures
// bandwidth in a worker, never in the process that forks).
class Bandwidth : public ::testing::Test {
 protected:
  void TearDown() override { omp_pause_resource_all(omp_pause_hard); }
};

TEST_F(Bandwidth, MeasuresEveryLevelWithOneThread) {
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

TEST_F(Bandwidth, MeasuresEveryLevelWithTwoThreads) {
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

TEST_F(Bandwidth, PrivateCachesAddUpOverThreads) {
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

TEST_F(Bandwidth, RefusesBadOptions) {
  BandwidthOptions opt;
  opt.threads = -1;
  EXPECT_THROW(MeasureBandwidth(opt), std::invalid_argument);
  opt.threads = 1;
  for (double s : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    opt.seconds_per_level = s;
    EXPECT_THROW(MeasureBandwidth(opt), std::invalid_argument) << s;
  }
}

}  // namespace
}  // namespace poolbench
