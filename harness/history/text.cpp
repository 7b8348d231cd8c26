#include <algorithm>
#include <cstdio>
#include <sstream>
#include <utility>

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

std::string Time(const Point& p) {
  return p.wrong ? "WRONG" : p.time_ns ? FormatDuration(*p.time_ns) : "-";
}

std::string PValue(double p) {
  char pv[32];
  std::snprintf(pv, sizeof pv, "%.2g", p);
  return pv;
}

std::string Plural(size_t n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// The latest CPU and the number of commits of `machine`.
std::pair<std::string, size_t> MachineFacts(const History& h, const std::string& machine) {
  std::string cpu;
  size_t commits = 0;
  for (const Run& r : h.runs) {
    if (r.machine != machine) continue;
    cpu = r.cpu;
    ++commits;
  }
  return {cpu, commits};
}

}  // namespace

std::string Text(const History& h) {
  const std::vector<std::string> machines = h.Machines();
  std::ostringstream out;
  out << Plural(h.Benchmarks(), "benchmark") << " over " << Plural(h.Commits().size(), "commit");
  if (!h.runs.empty()) {
    out << " (" << Day(h.runs.front().date) << " to " << Day(h.runs.back().date) << ")";
  }
  out << " on " << Plural(machines.size(), "machine") << "; " << Plural(h.Steps(), "step")
      << " found.\n"
      << "Machines:";
  for (size_t i = 0; i < machines.size(); ++i) {
    const auto [cpu, commits] = MachineFacts(h, machines[i]);
    out << (i ? ", " : " ") << machines[i] << " (" << (cpu.empty() ? "CPU unknown" : cpu) << ", "
        << Plural(commits, "commit") << ")";
  }
  out << ". Each machine's series stands alone: its steps are found among its own commits.\n"
      << MethodNote(h.options) << "\n";
  if (h.Steps() > 0) {
    out << "\nSteps (first commit after each):\n";
    for (const Trend& t : h.trends) {
      for (const Step& s : t.steps) {
        const Point& p = t.series.points[s.point];
        out << "  " << Pad(FormatChange(s.change), 8) << " " << (s.change > 0 ? "slower" : "faster")
            << "  " << t.series.name << "  at " << ShortCommit(p.commit) << " (" << Day(p.date)
            << ") on " << t.series.machine << ", p = " << PValue(s.p_value) << "\n";
      }
    }
  }
  for (const std::string& machine : machines) {
    const auto [cpu, commits] = MachineFacts(h, machine);
    out << "\n== machine " << machine << " (" << (cpu.empty() ? "CPU unknown" : cpu)
        << "): " << Plural(commits, "commit") << " ==\n";
    for (const Trend& t : h.trends) {
      if (t.series.machine != machine) continue;
      out << "\n" << t.series.name << "\n";
      out << Trimmed("  " + Pad("commit", 14) + Pad("date", 12) + Pad("time", 11) + "GB/s") << "\n";
      size_t next = 0;
      for (size_t i = 0; i < t.series.points.size(); ++i) {
        const Point& p = t.series.points[i];
        std::string line = "  " + Pad(ShortCommit(p.commit), 14) + Pad(Day(p.date), 12) +
                           Pad(Time(p), 11) + Pad(Gbps(p.gbps), 8);
        if (next < t.steps.size() && t.steps[next].point == i) {
          line += "<- step " + FormatChange(t.steps[next].change);
          ++next;
        }
        out << Trimmed(line) << "\n";
      }
    }
  }
  return out.str();
}

std::string SideBySide(const History& h, const std::string& benchmark) {
  std::vector<const Trend*> trends;
  for (const Trend& t : h.trends) {
    if (t.series.name == benchmark) trends.push_back(&t);
  }
  std::ostringstream out;
  out << benchmark << " on " << Plural(trends.size(), "machine")
      << ", side by side: each column is one machine's series, with steps found in it alone.\n";
  if (trends.empty()) return out.str();
  // A column per machine, as wide as its name or a time.
  std::vector<size_t> widths;
  std::string head = "  " + Pad("commit", 14) + Pad("date", 12);
  for (const Trend* t : trends) {
    widths.push_back(std::max<size_t>(12, t->series.machine.size() + 2));
    head += Pad(t->series.machine, widths.back());
  }
  out << Trimmed(head) << "\n";
  for (const std::string& commit : h.Commits()) {
    std::string date;
    std::string cells;
    bool any = false;
    for (size_t c = 0; c < trends.size(); ++c) {
      const Series& s = trends[c]->series;
      std::string cell = "-";
      for (size_t i = 0; i < s.points.size(); ++i) {
        if (s.points[i].commit != commit) continue;
        any = true;
        if (date.empty() || s.points[i].date < date) date = s.points[i].date;
        cell = Time(s.points[i]);
        for (const Step& step : trends[c]->steps) {
          if (step.point == i) cell += " *";
        }
      }
      cells += Pad(cell, widths[c]);
    }
    if (any)
      out << Trimmed("  " + Pad(ShortCommit(commit), 14) + Pad(Day(date), 12) + cells) << "\n";
  }
  for (const Trend* t : trends) {
    for (const Step& s : t->steps) {
      const Point& p = t->series.points[s.point];
      out << "  * step on " << t->series.machine << ": " << FormatChange(s.change) << " at "
          << ShortCommit(p.commit) << " (" << Day(p.date) << "), p = " << PValue(s.p_value) << "\n";
    }
  }
  return out.str();
}

}  // namespace poolbench::history
