#include "report/warnings.hpp"

#include <gtest/gtest.h>

namespace poolbench::report {
namespace {

Json Level(const std::string& level, int threads, double gbps) {
  return {{"level", level},
          {"capacity_bytes", 0},
          {"bytes", 1},
          {"threads", threads},
          {"read_write_gbps", gbps}};
}

// A context of a quiet machine with the performance governor and sensible bandwidth.
Json Quiet() {
  return {{"num_cpus", 2},
          {"load_avg", {0.4, 0.3, 0.2}},
          {ctx::kLoadAvgEnd, {1.1, 0.5, 0.3}},
          {ctx::kGovernor, "performance"},
          {ctx::kBandwidth,
           {Level("L1", 1, 200), Level("L2", 1, 100), Level("DRAM", 1, 20), Level("L1", 2, 400),
            Level("L2", 2, 190), Level("DRAM", 2, 25)}}};
}

TEST(Warnings, AQuietMachineHasNone) { EXPECT_TRUE(MachineWarnings(Quiet()).empty()); }

TEST(Warnings, ALoadAtOrAboveTheCpuCountWarns) {
  Json c = Quiet();
  c[ctx::kLoadAvgEnd] = {2.6, 1, 1};
  const auto w = MachineWarnings(c);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, "loaded");
  EXPECT_NE(w[0].message.find("0.40 at the start and 2.60 at the end on 2 CPUs"), std::string::npos)
      << w[0].message;
}

TEST(Warnings, MoreThreadsThanFreeCpusWarn) {
  Json c = Quiet();
  c[ctx::kSettings] = {{"threads", {1, 2}}};
  EXPECT_TRUE(MachineWarnings(c).empty()) << "two threads on two idle CPUs";
  c["load_avg"] = {1.2, 1, 1};
  auto w = MachineWarnings(c);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, "threads_above_free_cpus");
  EXPECT_NE(w[0].message.find("2 threads asked of 2 CPUs of which about 1 was busy with other "
                              "work (1-minute load 1.20 at the start)"),
            std::string::npos)
      << w[0].message;
  // One thread on a loaded machine is the load warning's alone.
  c["load_avg"] = {4.0, 4, 4};
  c[ctx::kSettings] = {{"threads", {1}}};
  w = MachineWarnings(c);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, "loaded");
  c["load_avg"] = {0, 0, 0};
  c[ctx::kSettings] = {{"threads", {4}}};
  w = MachineWarnings(c);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message.find("4 threads asked of 2 CPUs: a team's threads wait"),
            std::string::npos)
      << w[0].message;
}

TEST(Warnings, FrequencyScalingActiveOrUnknownWarns) {
  Json c = Quiet();
  c[ctx::kGovernor] = "powersave";
  auto w = MachineWarnings(c);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, "frequency_scaling");
  EXPECT_NE(w[0].message.find("'powersave'"), std::string::npos);
  c[ctx::kGovernor] = "unknown";
  w = MachineWarnings(c);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message.find("unknown"), std::string::npos);
}

TEST(Warnings, TwoThreadL2BelowOneThreadDramIsImplausible) {
  Json c = Quiet();
  c[ctx::kBandwidth][4] = Level("L2", 2, 15);
  const auto w = MachineWarnings(c);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, "bandwidth");
  EXPECT_NE(w[0].message.find("2-thread L2 15.0 GB/s below 1-thread DRAM 20.0 GB/s"),
            std::string::npos)
      << w[0].message;
}

TEST(Warnings, ALevelSlowerThanTheOneBelowIsImplausible) {
  Json c = Quiet();
  c[ctx::kBandwidth][0] = Level("L1", 1, 80);  // L1 below L2 (100)
  const auto w = MachineWarnings(c);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message.find("1-thread L1 80.0 GB/s below L2 100.0 GB/s"), std::string::npos)
      << w[0].message;
}

TEST(Warnings, AbsentFieldsGiveNoWarning) {
  EXPECT_TRUE(MachineWarnings(Json::object()).empty());
  EXPECT_TRUE(MachineWarnings(Json()).empty());
}

}  // namespace
}  // namespace poolbench::report
