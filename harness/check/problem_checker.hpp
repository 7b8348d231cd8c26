// The cross-checker of the problem being run, for tasks that go problem by problem (one task per
// (problem, strategy) in `check` and `bench`): a problem's inputs and reference results are
// computed once, by its first task, and dropped when the next problem begins. In an isolated
// run it lives in the worker, so a worker started after a fault builds it again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "check/cross_check.hpp"
#include "poolbench/problem.hpp"

namespace poolbench {

class ProblemChecker {
 public:
  ProblemChecker(const std::vector<Problem>& problems, uint64_t seed)
      : problems_(problems), seed_(seed) {}
  // The checker of problems[index], built when the index changes. Throws what CrossChecker's
  // constructor throws.
  CrossChecker& For(size_t index) {
    if (!checker_ || index_ != index) {
      checker_.reset();
      checker_.emplace(problems_[index], seed_);
      index_ = index;
    }
    return *checker_;
  }

 private:
  const std::vector<Problem>& problems_;
  uint64_t seed_;
  std::optional<CrossChecker> checker_;
  size_t index_ = 0;
};

}  // namespace poolbench
