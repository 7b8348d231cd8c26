#include "history/trends.hpp"

#include <gtest/gtest.h>

namespace poolbench::history {
namespace {

// The commit named by a letter and a number ("a3"), built without `const char* + std::string`,
// which GCC 12 mistakes for an overlapping copy (-Wrestrict).
std::string Named(char letter, int i) {
  std::string name(1, letter);
  name += std::to_string(i);
  return name;
}

Point At(const std::string& commit, std::optional<double> ns) {
  Point p;
  p.commit = commit;
  p.date = "2026-11-01T00:00:00Z";
  p.time_ns = ns;
  p.wrong = !ns;
  return p;
}

TEST(Trends, StepsNameThePointOfTheSeriesAndSkipWrongResults) {
  Series s{"simd/x/threads:1", "ci-1", "simd", "x", 1, {}};
  for (int i = 0; i < 5; ++i) s.points.push_back(At(Named('a', i), 100 + i % 2));
  s.points.push_back(At("wrong", std::nullopt));
  for (int i = 0; i < 5; ++i) s.points.push_back(At(Named('b', i), 150 + i % 2));
  const std::vector<Trend> trends = Analyse({s}, {});
  ASSERT_EQ(trends.size(), 1u);
  ASSERT_EQ(trends[0].steps.size(), 1u);
  // The first timed commit after the step, past the wrong one.
  EXPECT_EQ(trends[0].series.points[trends[0].steps[0].point].commit, "b0");
  EXPECT_NEAR(trends[0].steps[0].change, 0.5, 0.02);
}

TEST(Trends, Formats) {
  EXPECT_EQ(FormatChange(0.2514), "+25.1%");
  EXPECT_EQ(FormatChange(-0.08), "-8.0%");
  EXPECT_EQ(ShortCommit("0123456789abcdef0123"), "0123456789ab");
  EXPECT_EQ(ShortCommit("abc"), "abc");
}

}  // namespace
}  // namespace poolbench::history
