// The tester: runs the reference (naive_loops), then a strategy, on the same seeded inputs,
// and compares every output. A mismatch report carries the descriptor, the seed and a repro
// command line.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "poolbench/problem.hpp"
#include "poolbench/strategy.hpp"

namespace poolbench {

inline constexpr std::string_view kReferenceName = "naive_loops";

enum class Verdict { kPass, kFail, kSkipped };
std::string_view ToString(Verdict v);

struct CheckResult {
  Verdict verdict = Verdict::kPass;
  // Skipped: the strategy's reason. Fail: what differed, where, and how to reproduce it.
  // Pass: notes such as input values left out by the strategy's declared domain.
  std::string detail;
};

// Checks strategies on one problem. The reference's results are computed once per input set
// and reused for every strategy checked, so checking N strategies costs N + 1 runs, not 2N.
class CrossChecker {
 public:
  // Throws std::invalid_argument for an invalid problem or when the reference strategy is not
  // registered, and MemoryError (run/memory_budget.hpp) when the problem's buffers would not fit
  // in the memory available; Check throws MemoryError, naming the problem, when an allocation
  // of the harness fails.
  CrossChecker(const Problem& p, uint64_t seed);
  ~CrossChecker();
  // Runs `s` with `threads` threads (at most s.MaxThreads()). What the strategy throws
  // propagates: a strategy that throws has no verdict of its own here.
  CheckResult Check(const Strategy& s, int threads = 1);

 private:
  Problem p_;
  uint64_t seed_;
  const Strategy* ref_ = nullptr;
  // Reference runs per (flavour, honours NaN, honours infinity), typed by the problem's dtype.
  std::map<std::tuple<int, bool, bool>, std::shared_ptr<void>> runs_;
};

// Checks `s` on the valid problem `p` with every input flavour derived from `seed`.
// Float averages and float gradients are compared within
//   |got - want| <= (kh * kw + 2) * epsilon(T) * magnitude,
// where magnitude is the same operation applied to |input| (a bound on the rounding error of
// any summation order); everything else (max values, indices, integers) compares exactly,
// NaN equal to NaN. Throws std::invalid_argument for an invalid problem or when the reference
// strategy is not registered.
CheckResult CrossCheck(const Strategy& s, const Problem& p, uint64_t seed, int threads = 1);

// "--plugin PATH " when `s` came from a plugin that poolbench does not load by default, else
// empty: what a command line needs to find the strategy again.
std::string PluginOption(const Strategy& s);

// The command line that reproduces one check, with the --plugin the strategy needs.
std::string ReproLine(const Strategy& s, const Problem& p, uint64_t seed, int threads = 1);

}  // namespace poolbench
