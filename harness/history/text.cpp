#include <algorithm>
#include <cstdio>
#include <sstream>

#include "history/render.hpp"
#include "report/units.hpp"

namespace poolbench::history {
namespace {

std::string Day(const std::string& date) { return date.substr(0, 10); }

std::string Gbps(const std::optional<double>& gbps) {
  if (!gbps) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", *gbps);
  return buf;
}

// Pads to `width` characters; UTF-8 continuation bytes (the "µ" of "µs") take no column.
std::string Pad(const std::string& s, size_t width) {
  const size_t columns = static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  return columns >= width ? s : s + std::string(width - columns, ' ');
}

std::string Trimmed(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

std::string Text(const History& h) {
  std::ostringstream out;
  out << h.trends.size() << " benchmark" << (h.trends.size() == 1 ? "" : "s") << " over "
      << h.runs.size() << " commit" << (h.runs.size() == 1 ? "" : "s");
  if (!h.runs.empty()) {
    out << " (" << Day(h.runs.front().date) << " to " << Day(h.runs.back().date) << ")";
  }
  out << "; " << h.Steps() << " step" << (h.Steps() == 1 ? "" : "s") << " found.\n"
      << MethodNote(h.options) << "\n";
  if (h.Steps() > 0) {
    out << "\nSteps (first commit after each):\n";
    for (const Trend& t : h.trends) {
      for (const Step& s : t.steps) {
        const Point& p = t.series.points[s.point];
        char pv[32];
        std::snprintf(pv, sizeof pv, "%.2g", s.p_value);
        out << "  " << Pad(FormatChange(s.change), 8) << " " << (s.change > 0 ? "slower" : "faster")
            << "  " << t.series.name << "  at " << ShortCommit(p.commit) << " (" << Day(p.date)
            << "), p = " << pv << "\n";
      }
    }
  }
  for (const Trend& t : h.trends) {
    out << "\n" << t.series.name << "\n";
    out << Trimmed("  " + Pad("commit", 14) + Pad("date", 12) + Pad("time", 11) + "GB/s") << "\n";
    size_t next = 0;
    for (size_t i = 0; i < t.series.points.size(); ++i) {
      const Point& p = t.series.points[i];
      std::string line = "  " + Pad(ShortCommit(p.commit), 14) + Pad(Day(p.date), 12) +
                         Pad(p.wrong     ? "WRONG"
                             : p.time_ns ? FormatDuration(*p.time_ns)
                                         : "-",
                             11) +
                         Pad(Gbps(p.gbps), 8);
      if (next < t.steps.size() && t.steps[next].point == i) {
        line += "<- step " + FormatChange(t.steps[next].change);
        ++next;
      }
      out << Trimmed(line) << "\n";
    }
  }
  return out.str();
}

}  // namespace poolbench::history
