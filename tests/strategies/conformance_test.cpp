// The cross-check over every registered strategy: every problem of the seeds and edge suites
// in every dtype, op and direction, plus seeded random problems. Unsupported problems show as
// skipped with the strategy's reason.
#include <gtest/gtest.h>

#include <map>

#include "check/cross_check.hpp"
#include "check/random_problems.hpp"
#include "check/suite.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/registry.hpp"

namespace poolbench {
namespace {

constexpr uint64_t kSeed = 20261122;

struct SuiteCase {
  std::string strategy;
  Problem problem;
  std::string name;
  friend void PrintTo(const SuiteCase& c, std::ostream* os) {
    *os << c.strategy << " on " << FormatDescriptor(c.problem);
  }
};

std::string Sanitize(std::string s) {
  for (char& ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return s;
}

std::vector<SuiteCase> SuiteCases() {
  std::vector<SuiteCase> cases;
  for (const Strategy* s : Registry::Global().All()) {
    int i = 0;
    for (const SuiteEntry& e : LoadSuite("seeds,edge")) {
      for (const Problem& p : CheckVariants(e.problem)) {
        cases.push_back({std::string(s->name()), p,
                         std::string(s->name()) + "_" + std::to_string(i++) + "_" +
                             Sanitize(FormatDescriptor(p))});
      }
    }
  }
  return cases;
}

class SuiteCrossCheck : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(SuiteCrossCheck, MatchesReference) {
  const SuiteCase& c = GetParam();
  // Two threads, so that a threaded strategy's races would show.
  const CheckResult r =
      CrossCheck(*Registry::Global().Find(c.strategy), c.problem, kSeed, /*threads=*/2);
  if (r.verdict == Verdict::kSkipped) GTEST_SKIP() << r.detail;
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.detail;
}

INSTANTIATE_TEST_SUITE_P(Suites, SuiteCrossCheck, ::testing::ValuesIn(SuiteCases()),
                         [](const auto& info) { return info.param.name; });

// Random problems, in batches so that a failure names the descriptor and seed.
constexpr int kRandomBatches = 12, kBatchSize = 25;

struct RandomCase {
  std::string strategy;
  int batch;
  friend void PrintTo(const RandomCase& c, std::ostream* os) {
    *os << c.strategy << ", random batch " << c.batch;
  }
};

std::vector<RandomCase> RandomCases() {
  std::vector<RandomCase> cases;
  for (const Strategy* s : Registry::Global().All()) {
    for (int b = 0; b < kRandomBatches; ++b) cases.push_back({std::string(s->name()), b});
  }
  return cases;
}

class RandomCrossCheck : public ::testing::TestWithParam<RandomCase> {};

TEST_P(RandomCrossCheck, MatchesReference) {
  const Strategy& s = *Registry::Global().Find(GetParam().strategy);
  int checked = 0;
  std::map<std::string, int> skipped;
  for (int i = 0; i < kBatchSize; ++i) {
    const uint64_t seed = kSeed + GetParam().batch * kBatchSize + i;
    const Problem p = RandomProblem(seed);
    const CheckResult r = CrossCheck(s, p, seed);
    if (r.verdict == Verdict::kSkipped) {
      ++skipped[r.detail];
      continue;
    }
    ++checked;
    EXPECT_EQ(r.verdict, Verdict::kPass) << "random problem seed " << seed << ": " << r.detail;
  }
  std::string reasons;
  for (const auto& [why, n] : skipped) reasons += std::to_string(n) + " skipped: " + why + "; ";
  if (checked == 0) GTEST_SKIP() << reasons;
  RecordProperty("skipped", reasons);
}

INSTANTIATE_TEST_SUITE_P(Random, RandomCrossCheck, ::testing::ValuesIn(RandomCases()),
                         [](const auto& info) {
                           return info.param.strategy + "_batch" + std::to_string(info.param.batch);
                         });

}  // namespace
}  // namespace poolbench
