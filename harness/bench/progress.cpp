#include "bench/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <sstream>

namespace poolbench {

std::string FormatClock(double seconds) {
  const long s = std::isfinite(seconds) && seconds > 0 ? static_cast<long>(seconds) : 0;
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

std::string ProgressLine(size_t index, size_t total, double elapsed, const std::string& what) {
  const size_t done = index;  // the steps before this one are finished
  const size_t percent = total ? 100 * done / total : 0;
  std::ostringstream line;
  line << "[" << index + 1 << "/" << total << "] " << percent << "% elapsed "
       << FormatClock(elapsed) << " eta ";
  if (done) {
    line << FormatClock(elapsed / static_cast<double>(done) * static_cast<double>(total - done));
  } else {
    line << "?";
  }
  line << " " << what;
  return line.str();
}

Progress::Style Progress::StyleOf(int fd) { return ::isatty(fd) ? Style::kTerminal : Style::kLog; }

Progress::Progress(std::ostream& out, Style style, double interval_seconds)
    : out_(out), style_(style), interval_(interval_seconds) {}

void Progress::Step(size_t index, size_t total, const std::string& what) {
  const auto now = std::chrono::steady_clock::now();
  if (!started_) start_ = now;
  StepAt(index, total, what, std::chrono::duration<double>(now - start_).count());
}

void Progress::StepAt(size_t index, size_t total, const std::string& what, double elapsed) {
  started_ = true;
  switch (style_) {
    case Style::kNone:
      return;
    case Style::kTerminal:
      out_ << "\r\033[K" << ProgressLine(index, total, elapsed, what) << std::flush;
      shown_ = true;
      return;
    case Style::kLog:
      if (elapsed - last_logged_ < interval_) return;
      last_logged_ = elapsed;
      out_ << ProgressLine(index, total, elapsed, what) << std::endl;
      return;
  }
}

void Progress::Finish() {
  if (shown_) out_ << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace poolbench
