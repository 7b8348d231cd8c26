#include "isolate/hang_limit.hpp"

#include <gtest/gtest.h>

#include <string>

namespace poolbench::isolate {
namespace {

Outcome TimedOut() {
  Outcome o;
  o.fault = Fault::kTimedOut;
  o.message = "timed out: did not finish within 10 s (--timeout), and was killed";
  return o;
}

// A strategy gets the full limit until it first times out, and the short one after, alone.
TEST(HangLimit, AStrategyThatHungGetsTheShortLimitOnLaterProblems) {
  HangLimit limit(600);
  EXPECT_EQ(limit.SecondsFor("hangs"), 600);
  Outcome ok;
  EXPECT_EQ(limit.Note("hangs", ok).message, "");
  EXPECT_EQ(limit.SecondsFor("hangs"), 600) << "a task that ended is no hang";
  const Outcome first = limit.Note("hangs", TimedOut());
  EXPECT_EQ(first.message, TimedOut().message) << "the first timeout was at --timeout";
  EXPECT_EQ(limit.SecondsFor("hangs"), HangLimit::kAfterHangSeconds);
  EXPECT_EQ(limit.SecondsFor("works"), 600) << "other strategies keep their limit";
  const Outcome second = limit.Note("hangs", TimedOut());
  EXPECT_NE(second.message.find("the limit is 10 s, not --timeout, once a strategy has timed out"),
            std::string::npos)
      << second.message;
}

// A --timeout below the short limit stays the limit.
TEST(HangLimit, NeverLongerThanTheTimeoutGiven) {
  HangLimit limit(2);
  limit.Note("hangs", TimedOut());
  EXPECT_EQ(limit.SecondsFor("hangs"), 2);
  EXPECT_EQ(limit.Note("hangs", TimedOut()).message, TimedOut().message);
}

}  // namespace
}  // namespace poolbench::isolate
