#include "check/suite.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "poolbench/descriptor.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

TEST(Suite, BuiltInSuitesLoadAndAreValid) {
  for (const std::string& name : SuiteNames()) {
    const auto entries = LoadSuite(name);
    EXPECT_FALSE(entries.empty()) << name;
  }
  EXPECT_EQ(LoadSuite("seeds").size(), 8u);
  EXPECT_EQ(LoadSuite("all").size(), LoadSuite("seeds,edge,networks,large").size());
}

TEST(Suite, FirstSeedIsThe4x4Example) {
  EXPECT_EQ(FormatDescriptor(LoadSuite("seeds").at(0).problem),
            "max:fwd:i32:nchw:1x1x4x4:k2x2:idx");
}

std::string WriteTemp(const std::string& text) {
  const std::string path = ::testing::TempDir() + "poolbench_suite_test.txt";
  std::ofstream(path) << text;
  return path;
}

TEST(Suite, BadLinesNameTheFileAndLine) {
  const std::string path = WriteTemp("# comment\nmax:1x1x4x4:k2\n\nmax:1x1x4x4:k9\n");
  try {
    LoadSuite(path);
    FAIL() << "an invalid problem was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":4: invalid problem"), std::string::npos)
        << e.what();
  }
  const std::string bad = WriteTemp("max:1x1x4x4:q2\n");
  EXPECT_THROW(LoadSuite(bad), std::invalid_argument);
}

TEST(Suite, UnknownNameListsTheKnownOnes) {
  try {
    LoadSuite("nosuch");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("known: seeds, edge"), std::string::npos) << e.what();
  }
}

TEST(Suite, VariantsCoverEveryDtypeLayoutOpAndDirection) {
  const auto v = CheckVariants(ParseDescriptor("avg:1x1x6x6:k3:s2:p1:excl:div3"));
  // f32, f64, i32: 2 layouts x (max fwd, max fwd with indices, max bwd, avg fwd, avg bwd);
  // u8, which has no backward: 2 layouts x (max fwd, max fwd with indices, avg fwd).
  ASSERT_EQ(v.size(), 36u);
  std::set<std::string> distinct;
  for (const Problem& p : v) distinct.insert(FormatDescriptor(p));
  EXPECT_EQ(distinct.size(), v.size());
  EXPECT_TRUE(distinct.count("max:fwd:i32:nhwc:1x1x6x6:k3x3:s2x2:p1x1"));
  EXPECT_TRUE(distinct.count("max:fwd:i32:nhwc:1x1x6x6:k3x3:s2x2:p1x1:idx"));
  EXPECT_TRUE(distinct.count("avg:fwd:u8:nchw:1x1x6x6:k3x3:s2x2:p1x1:excl:div3"));
  EXPECT_FALSE(distinct.count("avg:bwd:u8:nchw:1x1x6x6:k3x3:s2x2:p1x1:excl:div3"));
  for (const Problem& p : v) {
    EXPECT_EQ(Validate(p), "") << FormatDescriptor(p);
    if (p.op == Op::kAvg) {
      EXPECT_FALSE(p.count_include_pad);
      EXPECT_EQ(p.divisor_override, 3);
    }
  }
}

TEST(Suite, RanksSuiteHoldsValid1DAnd3DProblems) {
  int seen[4] = {0, 0, 0, 0};
  for (const SuiteEntry& e : LoadSuite("ranks")) {
    EXPECT_EQ(Validate(e.problem), "") << FormatDescriptor(e.problem);
    ++seen[SpatialRank(e.problem)];
  }
  EXPECT_GT(seen[1], 0);
  EXPECT_EQ(seen[2], 0);
  EXPECT_GT(seen[3], 0);
}

TEST(Suite, VariantsKeepTheRankOfTheProblem) {
  std::set<std::string> layouts;
  for (const Problem& p : CheckVariants(ParseDescriptor("max:ncw:1x2x9:k3:s2"))) {
    EXPECT_EQ(SpatialRank(p), 1);
    EXPECT_EQ(Validate(p), "") << FormatDescriptor(p);
    layouts.insert(std::string(ToString(p.layout)));
  }
  EXPECT_EQ(layouts, (std::set<std::string>{"ncw", "nwc"}));
  for (const Problem& p : CheckVariants(ParseDescriptor("avg:ncdhw:1x2x4x4x4:k2"))) {
    EXPECT_EQ(SpatialRank(p), 3) << FormatDescriptor(p);
  }
}

// What check and bench share: explicit descriptors first and validated, then the suite,
// expanded only when asked.
TEST(Suite, ParseProblemsValidatesDescriptorsThenAppendsTheSuite) {
  const auto alone = ParseProblems({"max:1x1x4x4:k2", "avg:1x1x6x6:k3"});
  ASSERT_EQ(alone.size(), 2u);
  EXPECT_EQ(FormatDescriptor(alone[1]), "avg:fwd:f32:nchw:1x1x6x6:k3x3");
  const auto seeds = LoadSuite("seeds");
  const auto with_suite = ParseProblems({"max:1x1x4x4:k2"}, "seeds");
  ASSERT_EQ(with_suite.size(), 1 + seeds.size());
  EXPECT_EQ(FormatDescriptor(with_suite[1]), FormatDescriptor(seeds[0].problem));
  EXPECT_EQ(ParseProblems({}, "seeds", CheckVariants).size(), 36 * seeds.size());
  try {
    ParseProblems({"max:1x1x4x4:k9"}, "seeds");
    FAIL() << "an invalid problem was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("invalid problem 'max:1x1x4x4:k9': ", 0), 0u) << e.what();
  }
}

// A suite that names no problem would check nothing and pass; each way of getting one is refused
// with a message that says why.
std::string RefusalOf(const std::string& suite) {
  try {
    LoadSuite(suite);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(Suite, VacuousSuitesAreRefused) {
  testing::TempDir dir("poolbench_suite");
  const std::string empty = dir.Path("empty.txt"), comments = dir.Path("comments.txt");
  std::ofstream(empty).flush();
  std::ofstream(comments) << "# nothing here\n\n   # indented comment\n\t\n";
  EXPECT_TRUE(testing::Contains(RefusalOf(empty), "has no problems"));
  EXPECT_TRUE(testing::Contains(RefusalOf(comments), "has no problems"));
  EXPECT_TRUE(testing::Contains(RefusalOf(""), "empty suite name"));
  EXPECT_TRUE(testing::Contains(RefusalOf("seeds,"), "empty suite name in the list 'seeds,'"));
  EXPECT_TRUE(testing::Contains(RefusalOf(",seeds"), "empty suite name"));
  EXPECT_TRUE(testing::Contains(RefusalOf("seeds,,edge"), "empty suite name"));
  EXPECT_TRUE(testing::Contains(RefusalOf(dir.Path("")), "is a directory"));
  EXPECT_TRUE(testing::Contains(RefusalOf(dir.Path("missing.txt")),
                                "cannot open suite: No such file or directory"));
}

// A FIFO without a writer blocked the reader for ever: it is refused at once, and so is a device.
TEST(Suite, FifosAndDevicesAreRefusedWithoutWaiting) {
  testing::TempDir dir("poolbench_suite");
  const std::string fifo = dir.Path("suite.fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(testing::Contains(RefusalOf(fifo), "suite.fifo: is a FIFO, not a suite file"));
  EXPECT_TRUE(testing::Contains(RefusalOf("/dev/null"), "is a character device, not a suite file"));
}

// /dev/zero never ends and has no newline: reading it line by line would fill memory.
TEST(Suite, EndlessOrHugeFilesFailAtTheSizeLimit) {
  EXPECT_TRUE(testing::Contains(RefusalOf("/dev/zero"), "is a character device"));
  testing::TempDir dir("poolbench_suite");
  const std::string big = dir.Path("big.txt");
  {
    std::ofstream out(big);
    const std::string line = "max:1x1x4x4:k2\n";
    for (size_t written = 0; written <= (size_t{16} << 20); written += line.size()) out << line;
  }
  EXPECT_TRUE(testing::Contains(RefusalOf(big), "more than a suite can be (16 MiB)"));
}

TEST(Suite, ParseSuiteNamesTheOriginOfEachProblem) {
  const auto entries = ParseSuite("# c\n\nmax:1x1x4x4:k2  # trailing\r\n", "mem.txt");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].origin, "mem.txt:3");
  EXPECT_THROW(ParseSuite("", "mem.txt"), std::invalid_argument);
}

}  // namespace
}  // namespace poolbench
