#include <gtest/gtest.h>

#include "history/render.hpp"
#include "render/colours.hpp"
#include "render_fixture.hpp"
#include "support/temp_dir.hpp"

namespace poolbench::history {
namespace {

using testing::Contains;

TEST(HistoryHtml, IsSelfContained) {
  const std::string html = Html(testing::SteppedHistory(), "poolbench history");
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_TRUE(Contains(html, "<!DOCTYPE html>"));
  EXPECT_TRUE(Contains(html, "</html>\n"));
}

TEST(HistoryHtml, HasAChartPerBenchmarkWithAPointPerCommitAndTheStepMarked) {
  const std::string html = Html(testing::SteppedHistory(), "poolbench history");
  const auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = html.find(what); at != std::string::npos; at = html.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<svg "), 2u);
  EXPECT_EQ(count("<circle "), 10u + 9u);  // every timed point; the wrong one is a cross
  EXPECT_EQ(count("WRONG result"), 1u);
  // The step, in the table and on its chart, named by its first commit.
  EXPECT_TRUE(Contains(html, "<code>c60000000000</code>"));
  EXPECT_TRUE(Contains(html, "+30.0% at c6000000"));
  EXPECT_TRUE(Contains(html, "stroke-dasharray"));
  // A point's tooltip names its commit, date and time.
  EXPECT_TRUE(Contains(html, "<title>c60000000000 2026-11-07 (main): 1.30 µs, 2.5 GB/s</title>"));
  // Each strategy's colour, the one every report page gives it.
  EXPECT_TRUE(Contains(html, std::string("stroke=\"") + render::StrategyColour("simd") + "\""));
  EXPECT_TRUE(
      Contains(html, std::string("stroke=\"") + render::StrategyColour("lookup_table") + "\""));
}

TEST(HistoryHtml, OneChartPerMachineSideBySideOnOneScale) {
  const std::string html = Html(testing::TwoMachineHistory(), "poolbench history");
  const auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = html.find(what); at != std::string::npos; at = html.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_TRUE(Contains(html,
                       "2 benchmarks over 10 commits (2026-11-01 to 2026-11-10) on 2 "
                       "machines; 1 steps found."));
  EXPECT_TRUE(Contains(html,
                       "<tr><td><code>arm-1</code></td><td>Neoverse</td><td>ci-1</td>"
                       "<td class=\"n\">10</td></tr>"));
  EXPECT_EQ(count("<svg "), 4u);
  EXPECT_EQ(count("<br>on <b>arm-1</b></figcaption>"), 2u);
  EXPECT_EQ(count("<br>on <b>ci-1</b></figcaption>"), 2u);
  // The step is ci-1's, in the table with its machine.
  EXPECT_TRUE(Contains(html, "</code></td><td><code>ci-1</code></td><td><code>c60000000000"));
  EXPECT_EQ(count("stroke-dasharray"), 1u);
  // simd's two charts share the longer machine's scale (2.00 us, plus the margin).
  const size_t simd =
      html.find("<h2 style=\"border-left: 6px solid " + render::StrategyColour("simd"));
  ASSERT_NE(simd, std::string::npos);
  const std::string simd_part = html.substr(simd);
  size_t scales = 0;
  for (size_t at = simd_part.find(">2.30 µs</text>"); at != std::string::npos;
       at = simd_part.find(">2.30 µs</text>", at + 1)) {
    ++scales;
  }
  EXPECT_EQ(scales, 2u) << simd_part.substr(0, 2000);
}

TEST(HistoryHtml, EscapesNames) {
  const std::string html = Html(testing::SteppedHistory(), "a <b> & c");
  EXPECT_TRUE(Contains(html, "<title>a &lt;b&gt; &amp; c</title>"));
  EXPECT_TRUE(Contains(html, "lookup_table/&lt;odd &amp; name&gt;/threads:2"));
  EXPECT_EQ(html.find("<odd"), std::string::npos);
}

}  // namespace
}  // namespace poolbench::history
