// report::SaveText, the atomic writer behind every output file of the commands: the file
// appears complete or not at all, and no temporary file is left behind.
#include "report/report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

TEST(SaveText, WritesAndReplacesTheFileLeavingNothingElse) {
  const testing::TempDir dir("poolbench_report_test");
  report::SaveText("first\n", dir.Path("out.md"));
  EXPECT_EQ(testing::Slurp(dir.Path("out.md")), "first\n");
  report::SaveText("second", dir.Path("out.md"));
  EXPECT_EQ(testing::Slurp(dir.Path("out.md")), "second");
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"out.md"});
}

TEST(SaveText, AMissingDirectoryIsNamedAndNothingIsWritten) {
  const testing::TempDir dir("poolbench_report_test");
  try {
    report::SaveText("x", dir.Path("no/out.md"));
    ADD_FAILURE() << "SaveText wrote into a missing directory";
  } catch (const report::ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(dir.Files().empty());
}

// Writers of one path each use a temporary file of their own, so the result is one writer's
// text in full, never a mix, and every temporary file is gone.
TEST(SaveText, ConcurrentWritersOfOnePathNeverMix) {
  const testing::TempDir dir("poolbench_report_test");
  const std::string path = dir.Path("out.txt");
  std::vector<std::string> texts;
  for (char c : std::string("abcdefgh")) texts.push_back(std::string(1 << 16, c));
  std::vector<std::thread> writers;
  for (const std::string& text : texts) {
    writers.emplace_back([&path, &text] {
      for (int i = 0; i < 20; ++i) report::SaveText(text, path);
    });
  }
  for (std::thread& t : writers) t.join();
  const std::string result = testing::Slurp(path);
  EXPECT_NE(std::find(texts.begin(), texts.end(), result), texts.end());
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"out.txt"});
}

}  // namespace
}  // namespace poolbench
