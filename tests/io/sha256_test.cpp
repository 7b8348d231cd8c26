#include "io/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

TEST(Sha256, MatchesTheStandardTestVectors) {
  const testing::TempDir dir("poolbench_sha256");
  // FIPS 180-2, appendix B.1, and the digest of the empty message.
  EXPECT_EQ(Sha256OfFile(dir.Write("abc", "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256OfFile(dir.Write("empty", "")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, AFileLongerThanOneReadIsHashedWhole) {
  const testing::TempDir dir("poolbench_sha256");
  // 200,000 bytes span several 64 KiB reads; the digest differs from that of its first read.
  const std::string whole = dir.Write("long", std::string(200000, 'a'));
  const std::string first = dir.Write("first", std::string(65536, 'a'));
  EXPECT_EQ(Sha256OfFile(whole).size(), 64u);
  EXPECT_NE(Sha256OfFile(whole), Sha256OfFile(first));
}

TEST(Sha256, AMissingFileIsNamed) {
  try {
    Sha256OfFile("/nonexistent/plugin.so");
    FAIL() << "no error";
  } catch (const Sha256Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/plugin.so: cannot be opened"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace poolbench
