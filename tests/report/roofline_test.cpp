// The roofline as reports record it: which level a problem's bytes fit in, and the
// context.bandwidth JSON, written and read back, with malformed entries named.
#include "report/roofline.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "report/reader.hpp"
#include "report/report.hpp"

namespace poolbench {
namespace {

std::vector<BandwidthLevel> SampleLevels() {
  return {{"L1", 48 << 10, 24 << 10, 1, 150.5},
          {"L2", 2 << 20, 1 << 20, 1, 80.25},
          {"L3", 105 << 20, 105 << 19, 1, 30.125},
          {"DRAM", 0, 420 << 20, 1, 12.0625}};
}

TEST(Roofline, LevelForPicksTheSmallestLevelThatHoldsTheBytes) {
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

TEST(Roofline, LevelForDoesNotDependOnOrder) {
  auto levels = SampleLevels();
  std::swap(levels[0], levels[3]);
  std::swap(levels[1], levels[2]);
  EXPECT_EQ(LevelFor(levels, 1000)->level, "L1");
  EXPECT_EQ(LevelFor(levels, 3 << 20)->level, "L3");
  EXPECT_EQ(LevelFor(levels, int64_t{1} << 30)->level, "DRAM");
}

TEST(Roofline, LevelForWithoutDramOrLevels) {
  auto levels = SampleLevels();
  levels.pop_back();
  EXPECT_EQ(LevelFor(levels, int64_t{1} << 30)->level, "L3");
  EXPECT_EQ(LevelFor({}, 100), nullptr);
}

TEST(Roofline, JsonRoundTrip) {
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

TEST(Roofline, ReadsTheSampleReport) {
  const report::Json r = report::ReadJson(POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json",
                                          report::Expect::kPoolbench);
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

TEST(Roofline, MalformedJsonNamesTheField) {
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

}  // namespace
}  // namespace poolbench
