#include "bench/interference.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "support/cpu_competitor.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

// Spins for `d` of wall time.
void Spin(std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
  }
}

// Sets POOLBENCH_PROC_DIR for the lifetime of the object.
class ProcDirOverride {
 public:
  explicit ProcDirOverride(const std::string& dir) {
    ::setenv("POOLBENCH_PROC_DIR", dir.c_str(), 1);
  }
  ~ProcDirOverride() { ::unsetenv("POOLBENCH_PROC_DIR"); }
};

TEST(Interference, ASnapshotReadsTheKernelsCounters) {
  const InterferenceSnapshot a = TakeInterferenceSnapshot();
  Spin(std::chrono::milliseconds(20));
  const InterferenceSnapshot b = TakeInterferenceSnapshot();
  ASSERT_GE(a.run_delay_ns, 0) << "schedstat is readable on Linux";
  ASSERT_GE(a.machine_busy_ticks, 0) << "/proc/stat is readable on Linux";
  EXPECT_GT(b.thread_cpu_ns, a.thread_cpu_ns) << "the spinning thread's CPU time grows";
  const report::Interference e = InterferenceBetween(a, b);
  EXPECT_GE(e.wall_ns, 20e6);
  EXPECT_GT(e.cpu_ns, 0);
  ASSERT_TRUE(e.run_delay_ns.has_value());
  EXPECT_GE(*e.run_delay_ns, 0);
  EXPECT_TRUE(e.unmeasured.empty()) << e.unmeasured;
}

// A process that holds the only CPU this one may use makes this one wait on the run queue, and
// the evidence says so: the repetition is disturbed.
TEST(Interference, ACompetitorOnTheSameCpuDisturbsTheRepetition) {
  InterferenceSnapshot a, b;
  {
    const testing::CpuCompetitor competitor;
    a = TakeInterferenceSnapshot();
    Spin(std::chrono::milliseconds(200));
    b = TakeInterferenceSnapshot();
  }

  const report::Interference e = InterferenceBetween(a, b);
  ASSERT_TRUE(e.run_delay_ns.has_value());
  // The scheduler shares the CPU: this thread waited for about half of the time.
  EXPECT_GT(*e.run_delay_ns, 0.2 * e.wall_ns);
  const std::string why = Disturbance(e);
  EXPECT_NE(why.find("threads waited for a CPU"), std::string::npos) << why;
}

TEST(Interference, TheThresholdIsAShareOfTheWallTime) {
  report::Interference e;
  e.wall_ns = 1e8;
  e.run_delay_ns = kDisturbedFraction * 1e8 * 0.9;
  EXPECT_EQ(Disturbance(e), "");
  e.run_delay_ns = kDisturbedFraction * 1e8 * 1.5;
  EXPECT_EQ(Disturbance(e), "threads waited for a CPU 3.0% of the time");
  e.run_delay_ns = 0;
  e.steal_ns = 0.1 * 1e8;
  EXPECT_EQ(Disturbance(e), "the hypervisor stole 10.0% of the time");
}

// Without the kernel's counters nothing is called clean or disturbed on their account: the
// evidence says what it could not measure.
TEST(Interference, WithoutProcWhatCannotBeMeasuredIsSaid) {
  const testing::TempDir empty("poolbench_interference");
  const ProcDirOverride proc(empty.Path(""));
  const InterferenceSnapshot a = TakeInterferenceSnapshot();
  const InterferenceSnapshot b = TakeInterferenceSnapshot();
  EXPECT_EQ(a.run_delay_ns, -1);
  EXPECT_EQ(a.machine_busy_ticks, -1);
  const report::Interference e = InterferenceBetween(a, b);
  EXPECT_FALSE(e.run_delay_ns.has_value());
  EXPECT_FALSE(e.steal_ns.has_value());
  EXPECT_NE(e.unmeasured.find("run-queue delay"), std::string::npos) << e.unmeasured;
  EXPECT_NE(e.unmeasured.find("steal"), std::string::npos) << e.unmeasured;
  EXPECT_EQ(Disturbance(e), "");
}

}  // namespace
}  // namespace poolbench
