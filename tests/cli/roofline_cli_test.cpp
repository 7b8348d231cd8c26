// poolbench roofline through the executable: the JSON and the table, and bad options.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "report/roofline.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

using testing::CliResult;
using testing::RunPoolbench;

TEST(RooflineCommand, JsonOutputParsesAndHasTheLevels) {
  const CliResult r = RunPoolbench({"roofline", "--json", "--seconds", "0.02"});
  ASSERT_EQ(r.status, 0) << r.out;
  const report::Json j = report::Json::parse(r.out);
  ASSERT_TRUE(j.contains("bandwidth")) << r.out;
  // The measurement itself is bench/bandwidth_test's; here the JSON must read back as levels.
  const std::vector<BandwidthLevel> levels = BandwidthFromJson(j["bandwidth"]);
  ASSERT_GE(levels.size(), 2u) << r.out;
  EXPECT_EQ(levels.back().level, "DRAM");
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
