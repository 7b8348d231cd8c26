// The results of `poolbench check` for CI dashboards: JSON for scripts, JUnit XML for the test
// views of CI services (one test suite per strategy, one test case per problem variant).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace poolbench::render {

// One check: a strategy on one problem variant.
struct CheckRecord {
  std::string strategy;
  std::string problem;  // the variant's descriptor
  // "pass", "FAIL" or "skipped", or any other verdict a check reports; it is written as given,
  // and every verdict but "pass" and "skipped" counts as a failure.
  std::string verdict;
  // FAIL: what differed first, where, and on which inputs. skipped: the strategy's reason.
  // pass: notes (declared deviations), often empty.
  std::string message;
  std::string repro;  // the command line that runs just this check
};

// The run the checks belong to.
struct CheckRun {
  uint64_t seed = 1;
  int threads = 1;
  size_t problems = 0;
  std::vector<CheckRecord> records;
};

// True when the record counts as a failure (see CheckRecord::verdict).
bool IsCheckFailure(const CheckRecord& r);

// {"seed", "threads", "problems", "passed", "failed", "skipped", "strategies": {name: {"pass",
// "fail", "skipped"}}, "checks": [{"strategy", "problem", "verdict", "message", "repro"}]}, with
// the checks in the order they ran.
std::string CheckJson(const CheckRun& run);

// JUnit XML: <testsuites> with one <testsuite> per strategy (in the order they first ran), one
// <testcase> per problem variant, a <failure> (message: the first difference; text: the message
// and the repro line) or <skipped> (message: the reason) where that applies. Characters XML 1.0
// cannot hold are replaced by U+FFFD, so the file always parses.
std::string CheckJunit(const CheckRun& run);

}  // namespace poolbench::render
