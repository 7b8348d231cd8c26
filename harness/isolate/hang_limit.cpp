#include "isolate/hang_limit.hpp"

#include <algorithm>
#include <cstdio>

namespace poolbench::isolate {

double HangLimit::SecondsFor(const std::string& strategy) const {
  // Only a limit can be timed out against, so a strategy that hung had one (timeout_ > 0).
  return hung_.count(strategy) ? std::min(timeout_, kAfterHangSeconds) : timeout_;
}

Outcome HangLimit::Note(const std::string& strategy, Outcome outcome) {
  if (outcome.fault != Fault::kTimedOut) return outcome;
  if (!hung_.insert(strategy).second && SecondsFor(strategy) < timeout_) {
    char text[160];
    std::snprintf(text, sizeof text,
                  " (the limit is %g s, not --timeout, once a strategy has timed out on an "
                  "earlier problem)",
                  SecondsFor(strategy));
    outcome.message += text;
  }
  return outcome;
}

}  // namespace poolbench::isolate
