// Progress of a long run (bench, check) on standard error, with the time left estimated from the
// time the finished steps took. On a terminal it is one line rewritten in place; in a log (a CI
// job, a file) carriage returns would pile up into one unreadable line, so there it is a plain
// line every few seconds instead, and nothing at all for a run shorter than that.
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace poolbench {

// "0:42", "3:50", "1:02:03": seconds as a clock reading (rounded down).
std::string FormatClock(double seconds);

// "[12/80] 13% elapsed 0:42 eta 4:34 <what>": step `index` (0-based) of `total` begins after
// `elapsed` seconds. The ETA assumes the remaining steps take as long as the finished ones did
// on average; it is "?" before any step has finished.
std::string ProgressLine(size_t index, size_t total, double elapsed, const std::string& what);

class Progress {
 public:
  enum class Style {
    kTerminal,  // one line, rewritten with \r
    kLog,       // a line every `interval` seconds
    kNone,
  };
  // kTerminal when `fd` is a terminal, else kLog.
  static Style StyleOf(int fd);

  Progress(std::ostream& out, Style style, double interval_seconds = 5);

  // Step `index` of `total` (`what`: e.g. the problem) begins now.
  void Step(size_t index, size_t total, const std::string& what);
  // The same at `elapsed` seconds since the first step, for tests and replays.
  void StepAt(size_t index, size_t total, const std::string& what, double elapsed);
  // Clears the terminal line, so that what follows starts on a clean one.
  void Finish();

 private:
  std::ostream& out_;
  Style style_;
  double interval_;
  double last_logged_ = 0;
  bool started_ = false;
  bool shown_ = false;  // a terminal line is on screen
  std::chrono::steady_clock::time_point start_;
};

}  // namespace poolbench
