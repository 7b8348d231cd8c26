// The atomic writer behind every output file of the commands: the file appears complete or not
// at all, and no temporary file is left behind.
#include "io/atomic_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

TEST(AtomicFile, WritesAndReplacesTheFileLeavingNothingElse) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  WriteFileAtomically(dir.Path("out.md"), "first\n");
  EXPECT_EQ(testing::Slurp(dir.Path("out.md")), "first\n");
  WriteFileAtomically(dir.Path("out.md"), "second");
  EXPECT_EQ(testing::Slurp(dir.Path("out.md")), "second");
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"out.md"});
}

TEST(AtomicFile, AMissingDirectoryIsNamedAndNothingIsWritten) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  try {
    WriteFileAtomically(dir.Path("no/out.md"), "x");
    ADD_FAILURE() << "WriteFileAtomically wrote into a missing directory";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(dir.Files().empty());
}

// Writers of one path each use a temporary file of their own, so the result is one writer's
// text in full, never a mix, and every temporary file is gone.
TEST(AtomicFile, ConcurrentWritersOfOnePathNeverMix) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  const std::string path = dir.Path("out.txt");
  std::vector<std::string> texts;
  for (char c : std::string("abcdefgh")) texts.push_back(std::string(1 << 16, c));
  std::vector<std::thread> writers;
  for (const std::string& text : texts) {
    writers.emplace_back([&path, &text] {
      for (int i = 0; i < 20; ++i) WriteFileAtomically(path, text);
    });
  }
  for (std::thread& t : writers) t.join();
  const std::string result = testing::Slurp(path);
  EXPECT_NE(std::find(texts.begin(), texts.end(), result), texts.end());
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"out.txt"});
}

TEST(AtomicFile, APendingFileIsInvisibleUntilCommittedAndRemovedWhenDropped) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  {
    PendingFile dropped(dir.Path("dropped.txt"));
    dropped.Write("never seen");
    EXPECT_EQ(dir.Files().size(), 1u) << "the temporary file, beside the destination";
  }
  EXPECT_TRUE(dir.Files().empty());

  PendingFile kept(dir.Path("kept.txt"));
  kept.Write("a");
  kept.Write("b");
  EXPECT_FALSE(std::filesystem::exists(dir.Path("kept.txt")));
  kept.Commit();
  EXPECT_EQ(testing::Slurp(dir.Path("kept.txt")), "ab");
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"kept.txt"});
  EXPECT_THROW(kept.Write("c"), FileError);
}

}  // namespace
}  // namespace poolbench
