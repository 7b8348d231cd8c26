// Memory before allocation: the estimate of a problem's buffers, the memory available, and the
// refusal that names the problem and the bytes before anything is allocated.
#include "run/memory_budget.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

#include "check/cross_check.hpp"
#include "poolbench/descriptor.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

using testing::Contains;

// Sets $POOLBENCH_MEMORY_LIMIT for the life of the object and restores what was there.
class MemoryLimit {
 public:
  explicit MemoryLimit(const char* value) {
    if (const char* old = std::getenv(kName)) old_ = old;
    ::setenv(kName, value, 1);
  }
  ~MemoryLimit() {
    if (old_) {
      ::setenv(kName, old_->c_str(), 1);
    } else {
      ::unsetenv(kName);
    }
  }

 private:
  static constexpr const char* kName = "POOLBENCH_MEMORY_LIMIT";
  std::optional<std::string> old_;
};

TEST(MemoryBudget, BytesOfEachTensor) {
  const ProblemBytes fwd = BytesOf(ParseDescriptor("max:fwd:f64:nchw:2x3x8x8:k2:idx"));
  EXPECT_EQ(fwd.input, 2 * 3 * 8 * 8 * 8);
  EXPECT_EQ(fwd.output, 2 * 3 * 4 * 4 * 8);
  EXPECT_EQ(fwd.indices, 2 * 3 * 4 * 4 * 8);
  EXPECT_EQ(fwd.gradient, 0);
  const ProblemBytes bwd = BytesOf(ParseDescriptor("avg:bwd:f32:nchw:1x1x8x8:k2"));
  EXPECT_EQ(bwd.gradient, 8 * 8 * 4);
  EXPECT_EQ(bwd.indices, 0) << "avg saves no indices";
  EXPECT_EQ(BytesOf(ParseDescriptor("max:bwd:f32:nchw:1x1x8x8:k2")).indices, 4 * 4 * 8);
}

TEST(MemoryBudget, ARunHoldsOneCopyAndTheCrossCheckSeveral) {
  const Problem p = ParseDescriptor("max:fwd:f32:nchw:1x1x64x64:k2:idx");
  const ProblemBytes b = BytesOf(p);
  EXPECT_EQ(EstimatePeakBytes(p, MemoryUse::kRun), b.input + b.output + b.indices);
  EXPECT_GT(EstimatePeakBytes(p, MemoryUse::kCheck), 3 * EstimatePeakBytes(p, MemoryUse::kRun));
}

// Validate refuses such sizes, but the estimate must not overflow on its way there.
TEST(MemoryBudget, TheEstimateSaturatesInsteadOfOverflowing) {
  Problem p = ParseDescriptor("max:fwd:f64:nchw:1x1x8x8:k2");
  p.n = p.c = int64_t{1} << 20;
  p.h = p.w = int64_t{1} << 20;
  EXPECT_EQ(EstimatePeakBytes(p, MemoryUse::kCheck), INT64_MAX);
}

TEST(MemoryBudget, TheLimitComesFromTheEnvironmentWhenLower) {
  {
    const MemoryLimit limit("3M");
    EXPECT_EQ(AvailableMemoryBytes(), 3 << 20);
  }
  {
    const MemoryLimit limit("12345");
    EXPECT_EQ(AvailableMemoryBytes(), 12345);
  }
  for (const char* bad : {"lots", "-1", "3X", "1e9", "99999999999T"}) {
    const MemoryLimit limit(bad);
    EXPECT_THROW(AvailableMemoryBytes(), std::invalid_argument) << bad;
  }
  // Without the variable the machine's MemAvailable applies, which is known on Linux.
  ASSERT_TRUE(AvailableMemoryBytes().has_value());
  EXPECT_GT(*AvailableMemoryBytes(), 0);
}

TEST(MemoryBudget, AProblemLargerThanTheLimitIsRefusedNamingItAndTheBytes) {
  const Problem p = ParseDescriptor("max:fwd:f32:nchw:1x1x1024x1024:k2");
  const MemoryLimit limit("1M");
  try {
    RequireMemoryFor(p, MemoryUse::kRun);
    FAIL() << "a 4 MiB problem fit in 1 MiB";
  } catch (const MemoryError& e) {
    EXPECT_TRUE(Contains(e.what(), "max:fwd:f32:nchw:1x1x1024x1024:k2x2 needs about 5 MiB"));
    EXPECT_TRUE(Contains(e.what(), "(5242880 bytes)"));
    EXPECT_TRUE(Contains(e.what(), "only 1 MiB is available"));
  }
  const MemoryLimit enough("1G");
  EXPECT_NO_THROW(RequireMemoryFor(p, MemoryUse::kCheck));
}

TEST(MemoryBudget, ByteCountsAreIntegersWithAnOptionalBinarySuffix) {
  EXPECT_EQ(ParseByteCount("0"), 0);
  EXPECT_EQ(ParseByteCount("12345"), 12345);
  EXPECT_EQ(ParseByteCount("3K"), 3 << 10);
  EXPECT_EQ(ParseByteCount("1G"), int64_t{1} << 30);
  EXPECT_EQ(ParseByteCount("8388607T"), int64_t{8388607} << 40);
  for (const char* bad : {"", "-1", "banana", "1.5G", "4GB", "G", "8388608T",
                          "99999999999999999999999", "9223372036854775808", "1 G", "+1"}) {
    EXPECT_FALSE(ParseByteCount(bad).has_value()) << bad;
  }
}

// A refusal names the limit that decided it: the user's POOLBENCH_MEMORY_LIMIT, or the limit a
// worker noted for --memory-limit, not the machine's MemAvailable or RLIMIT_AS.
TEST(MemoryBudget, ARefusalNamesTheLimitThatSetIt) {
  const Problem p = ParseDescriptor("max:fwd:f32:nchw:1x1x1024x1024:k2");
  const auto message = [&] {
    try {
      RequireMemoryFor(p, MemoryUse::kRun);
    } catch (const MemoryError& e) {
      return std::string(e.what());
    }
    return std::string("(not refused)");
  };
  {
    const MemoryLimit limit("1M");
    EXPECT_TRUE(Contains(message(), "only 1 MiB is available (POOLBENCH_MEMORY_LIMIT)"));
  }
  NoteMemoryLimit(int64_t{1} << 20, "the worker's memory limit, --memory-limit");
  EXPECT_TRUE(Contains(message(), "is available (the worker's memory limit, --memory-limit)"));
  NoteMemoryLimit(INT64_MAX, "none");  // what later tests in this process see
}

// The problem: 20 GB of input, refused at once instead of being killed minutes later.
TEST(MemoryBudget, TheCrossCheckRefusesAProblemLargerThanTheMachine) {
  const Problem p = ParseDescriptor("max:fwd:f64:nchw:1x1x50000x50000:k2");
  const MemoryLimit limit("16G");
  try {
    CrossChecker checker(p, 1);
    FAIL() << "a problem of 20 GB was accepted";
  } catch (const MemoryError& e) {
    EXPECT_TRUE(Contains(e.what(), "max:fwd:f64:nchw:1x1x50000x50000:k2x2 needs about"));
    EXPECT_TRUE(Contains(e.what(), "GiB"));
    EXPECT_TRUE(Contains(e.what(), "to cross-check"));
  }
}

}  // namespace
}  // namespace poolbench
