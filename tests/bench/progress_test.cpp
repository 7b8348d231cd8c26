// Progress lines: the clock, the estimate of the time left, the rewritten terminal line and the
// plain lines of a log every few seconds.
#include "bench/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace poolbench {
namespace {

TEST(Progress, ClockReadings) {
  EXPECT_EQ(FormatClock(0), "0:00");
  EXPECT_EQ(FormatClock(42.9), "0:42");
  EXPECT_EQ(FormatClock(230), "3:50");
  EXPECT_EQ(FormatClock(3723), "1:02:03");
  EXPECT_EQ(FormatClock(-1), "0:00");
}

TEST(Progress, TheEstimateIsTheMeanTimeOfTheFinishedSteps) {
  EXPECT_EQ(ProgressLine(0, 80, 0, "first"), "[1/80] 0% elapsed 0:00 eta ? first");
  // 11 steps in 42 s: 69 more take 69 * 42 / 11 = 263 s.
  EXPECT_EQ(ProgressLine(11, 80, 42, "p"), "[12/80] 13% elapsed 0:42 eta 4:23 p");
  EXPECT_EQ(ProgressLine(79, 80, 790, "last"), "[80/80] 98% elapsed 13:10 eta 0:10 last");
}

TEST(Progress, ALogGetsAPlainLineEveryIntervalAndNoCarriageReturn) {
  std::ostringstream log;
  Progress progress(log, Progress::Style::kLog, 5);
  progress.StepAt(0, 4, "a", 0);
  progress.StepAt(1, 4, "b", 4.9);
  EXPECT_EQ(log.str(), "") << "a run shorter than the interval prints nothing";
  progress.StepAt(2, 4, "c", 5.0);
  progress.StepAt(3, 4, "d", 9.0);
  progress.Finish();
  EXPECT_EQ(log.str(), "[3/4] 50% elapsed 0:05 eta 0:05 c\n");
}

TEST(Progress, ATerminalGetsOneLineRewrittenAndClearedAtTheEnd) {
  std::ostringstream tty;
  Progress progress(tty, Progress::Style::kTerminal);
  progress.StepAt(0, 2, "a", 0);
  progress.StepAt(1, 2, "b", 3);
  progress.Finish();
  EXPECT_EQ(tty.str(),
            "\r\033[K[1/2] 0% elapsed 0:00 eta ? a"
            "\r\033[K[2/2] 50% elapsed 0:03 eta 0:03 b"
            "\r\033[K");
  std::ostringstream none;
  Progress quiet(none, Progress::Style::kNone);
  quiet.StepAt(0, 1, "a", 100);
  quiet.Finish();
  EXPECT_EQ(none.str(), "");
}

}  // namespace
}  // namespace poolbench
