// Every strategy keeps its colour whatever else a report holds: fixed colours for poolbench's
// strategies and the peers, one of ten others by a hash of the name, never the red of WRONG.
#include "render/colours.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <string>

#include "render/render.hpp"
#include "report/reader.hpp"

namespace poolbench::render {
namespace {

using report::Json;

TEST(ColoursTest, KnownStrategiesHaveFixedDistinctColours) {
  const std::set<std::string> known = {"naive_loops",    "lookup_table", "openmp_parallel",
                                       "reshape_blocks", "simd",         "strided_view",
                                       "onednn",         "xnnpack",      "libtorch"};
  std::set<std::string> colours;
  for (const std::string& s : known) colours.insert(StrategyColour(s));
  EXPECT_EQ(colours.size(), known.size());
  EXPECT_EQ(StrategyColour("naive_loops"), "#7f7f7f");
  EXPECT_EQ(StrategyColour("simd"), "#9467bd");
  EXPECT_EQ(colours.count("#d62728"), 0u) << "red is kept for WRONG";
}

// The hue of "#rrggbb" in degrees.
double Hue(const std::string& hex) {
  const double r = std::stoi(hex.substr(1, 2), nullptr, 16) / 255.0;
  const double g = std::stoi(hex.substr(3, 2), nullptr, 16) / 255.0;
  const double b = std::stoi(hex.substr(5, 2), nullptr, 16) / 255.0;
  const double mx = std::max({r, g, b}), mn = std::min({r, g, b}), d = mx - mn;
  if (d == 0) return 0;
  double h = mx == r ? std::fmod((g - b) / d, 6.0) : mx == g ? (b - r) / d + 2 : (r - g) / d + 4;
  h *= 60;
  return h < 0 ? h + 360 : h;
}

TEST(ColoursTest, OtherNamesGetAStableHashedColourThatIsNotRed) {
  const std::regex hex("#[0-9a-f]{6}");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string name = "plugin_strategy_" + std::to_string(i);
    const std::string c = StrategyColour(name);
    ASSERT_TRUE(std::regex_match(c, hex)) << c;
    EXPECT_EQ(StrategyColour(name), c);
    const double h = Hue(c);
    EXPECT_TRUE(h >= 10 && h <= 350) << name << " " << c << " hue " << h;
    seen.insert(c);
  }
  EXPECT_EQ(seen.size(), 10u) << "the hash spreads names over all ten further colours";
  for (const char* fixed : {"naive_loops", "lookup_table", "openmp_parallel", "reshape_blocks",
                            "simd", "strided_view", "onednn", "xnnpack", "libtorch"}) {
    EXPECT_EQ(seen.count(StrategyColour(fixed)), 0u) << fixed << " shares a colour with a plugin";
  }
  // Pinned, so that a change of the hash (every plugin's colour in every report) is deliberate.
  EXPECT_EQ(StrategyColour("example_separable"), "#52871d");
  EXPECT_EQ(StrategyColour("plugin_wrong_zeros"), "#1d875a");
}

// A report of `strategies` on one problem.
Json ReportOf(const std::vector<std::string>& strategies) {
  Json r = {{"context", {{"machine", "m"}}}, {"benchmarks", Json::array()}};
  double ns = 100;
  for (const std::string& s : strategies) {
    r["benchmarks"].push_back({{"name", s},
                               {"run_name", s},
                               {"run_type", "iteration"},
                               {"real_time", ns += 10},
                               {"cpu_time", ns},
                               {"time_unit", "ns"},
                               {"threads", 1},
                               {"strategy", s},
                               {"descriptor", "max:fwd:f32:nchw:1x1x8x8:k2x2"},
                               {"verdict", "pass"}});
  }
  return r;
}

TEST(ColoursTest, AStrategyHasTheSameColourInReportsWithDifferentStrategySets) {
  const Json a = SummaryJson(report::FromJson(ReportOf({"naive_loops", "zeta_plugin", "xnnpack"})));
  const Json b = SummaryJson(
      report::FromJson(ReportOf({"alpha_plugin", "zeta_plugin", "simd", "xnnpack", "beta"})));
  for (const char* s : {"zeta_plugin", "xnnpack"}) {
    EXPECT_EQ(a["colours"][s], b["colours"][s]) << s;
    EXPECT_EQ(a["colours"][s], StrategyColour(s));
  }
  // The charts' points and the tables' rows use the same colour.
  EXPECT_EQ(b["problems"][0]["ranked"][1]["colour"], StrategyColour("zeta_plugin"));
  EXPECT_EQ(b["matrices"][0]["strategies"][0]["colour"], StrategyColour("alpha_plugin"));
}

}  // namespace
}  // namespace poolbench::render
