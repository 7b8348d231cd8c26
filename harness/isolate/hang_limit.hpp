// How long a strategy may take on a problem, once it has hung. A strategy that never returns
// would cost the full --timeout on every problem (600 s per problem in bench: hours over a
// suite); after its first timeout it gets a short limit, which still lets a slow but working
// strategy finish a problem the size of its others.
#pragma once

#include <set>
#include <string>

#include "isolate/outcome.hpp"

namespace poolbench::isolate {

class HangLimit {
 public:
  // The limit after a first timeout, at most: long enough for a verification and a timing of a
  // large layer, short against the default limits.
  static constexpr double kAfterHangSeconds = 10;

  // `timeout_seconds`: the limit of a strategy that has not hung (0: none).
  explicit HangLimit(double timeout_seconds) : timeout_(timeout_seconds) {}

  // The limit of `strategy`'s next task.
  double SecondsFor(const std::string& strategy) const;
  // Records the outcome of a task of `strategy`; a timeout shortens its later limits. Returns
  // the outcome, with a note on its message when its limit was the shortened one.
  Outcome Note(const std::string& strategy, Outcome outcome);

 private:
  double timeout_;
  std::set<std::string> hung_;
};

}  // namespace poolbench::isolate
