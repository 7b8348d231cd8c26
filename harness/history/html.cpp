#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "history/render.hpp"
#include "render/colours.hpp"
#include "report/units.hpp"

namespace poolbench::history {
namespace {

// The report page's style sheet (scripts/plot_report.py), plus the chart grid.
constexpr const char* kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 0.92em; }
.wrong { color: #b00020; font-weight: bold; }
.slower { color: #b00020; }
.faster { color: #1a7f37; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; border: 1px solid #ddd; padding: 4px; }
figcaption { font-family: monospace; font-size: 11px; max-width: 440px; overflow-wrap: anywhere; }
svg text { font-family: system-ui, sans-serif; font-size: 10px; fill: #444; }
)css";

constexpr double kWidth = 440, kHeight = 190;
constexpr double kLeft = 62, kRight = 12, kTop = 16, kBottom = 30;

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Day(const std::string& date) { return date.substr(0, 10); }

// The longest time of a series.
double Longest(const Series& s) {
  double top = 0;
  for (const Point& p : s.points) {
    if (p.time_ns) top = std::max(top, *p.time_ns);
  }
  return top;
}

// One benchmark's chart on one machine. x is the commit's position in the whole history, so that
// the charts line up; y is the time from 0 to `top` (the longest of the benchmark on any
// machine), so that a step's height reads as its size and machines compare at a glance.
std::string Chart(const Trend& t, const std::map<std::string, size_t>& position, size_t commits,
                  double top) {
  const std::string colour = render::StrategyColour(t.series.strategy);
  top = top > 0 ? top * 1.15 : 1;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto x = [&](const Point& p) {
    const size_t i = position.at(p.commit);
    return kLeft + (commits > 1 ? plot_w * static_cast<double>(i) / (commits - 1) : plot_w / 2);
  };
  auto y = [&](double ns) { return kTop + plot_h * (1 - ns / top); };

  std::ostringstream svg;
  svg << "<svg width=\"" << kWidth << "\" height=\"" << kHeight << "\" viewBox=\"0 0 " << kWidth
      << " " << kHeight << "\" role=\"img\">";
  // Axes with three time ticks.
  for (int i = 0; i <= 2; ++i) {
    const double ns = top * i / 2.0;
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kWidth - kRight << "\" y1=\"" << Num(y(ns))
        << "\" y2=\"" << Num(y(ns)) << "\" stroke=\"#eee\"/>"
        << "<text x=\"" << kLeft - 4 << "\" y=\"" << Num(y(ns) + 3) << "\" text-anchor=\"end\">"
        << Escape(i == 0 ? "0" : FormatDuration(ns)) << "</text>";
  }
  svg << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft << "\" y1=\"" << kTop << "\" y2=\""
      << kTop + plot_h << "\" stroke=\"#999\"/>";
  if (!t.series.points.empty()) {
    const Point& first = t.series.points.front();
    const Point& last = t.series.points.back();
    svg << "<text x=\"" << Num(x(first)) << "\" y=\"" << kHeight - 16 << "\">"
        << Escape(ShortCommit(first.commit).substr(0, 8)) << "</text>";
    if (&first != &last) {
      svg << "<text x=\"" << Num(x(last)) << "\" y=\"" << kHeight - 16 << "\" text-anchor=\"end\">"
          << Escape(ShortCommit(last.commit).substr(0, 8)) << "</text>";
    }
  }
  // Steps: a dashed line halfway between the last commit before and the first after.
  for (const Step& s : t.steps) {
    const Point& after = t.series.points[s.point];
    double at = x(after);
    for (size_t i = s.point; i-- > 0;) {
      if (t.series.points[i].time_ns) {
        at = (x(t.series.points[i]) + at) / 2;
        break;
      }
    }
    const std::string cls = s.change > 0 ? "slower" : "faster";
    const bool right_half = at > kLeft + plot_w / 2;
    const std::string label =
        FormatChange(s.change) + " at " + ShortCommit(after.commit).substr(0, 8);
    svg << "<line x1=\"" << Num(at) << "\" x2=\"" << Num(at) << "\" y1=\"" << kTop << "\" y2=\""
        << kTop + plot_h << "\" stroke=\"" << (s.change > 0 ? "#b00020" : "#1a7f37")
        << "\" stroke-dasharray=\"4 3\"><title>" << Escape(label)
        << "</title></line>"
        // The label reads away from the nearer edge, so that it stays inside the chart.
        << "<text class=\"" << cls << "\" x=\"" << Num(right_half ? at - 3 : at + 3)
        << "\" text-anchor=\"" << (right_half ? "end" : "start") << "\" y=\"" << kTop - 4
        << "\" style=\"fill:" << (s.change > 0 ? "#b00020" : "#1a7f37") << "\">" << Escape(label)
        << "</text>";
  }
  // The line through the measured points, then the points with their commit as a tooltip.
  svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.5\" points=\"";
  for (const Point& p : t.series.points) {
    if (p.time_ns) svg << Num(x(p)) << "," << Num(y(*p.time_ns)) << " ";
  }
  svg << "\"/>";
  for (const Point& p : t.series.points) {
    std::string tip = ShortCommit(p.commit) + " " + Day(p.date) + " (" + p.branch + "): ";
    if (p.wrong || !p.time_ns) {
      tip += "WRONG result";
      svg << "<text x=\"" << Num(x(p)) << "\" y=\"" << kTop + plot_h
          << "\" text-anchor=\"middle\" class=\"wrong\" style=\"fill:#b00020;font-size:12px\">"
          << "&#215;<title>" << Escape(tip) << "</title></text>";
      continue;
    }
    tip += FormatDuration(*p.time_ns);
    if (p.gbps) tip += ", " + Num(*p.gbps) + " GB/s";
    svg << "<circle cx=\"" << Num(x(p)) << "\" cy=\"" << Num(y(*p.time_ns)) << "\" r=\"3\" fill=\""
        << colour << "\"><title>" << Escape(tip) << "</title></circle>";
  }
  svg << "</svg>";
  return svg.str();
}

}  // namespace

std::string Html(const History& h, const std::string& title) {
  const std::vector<std::string> commits = h.Commits();
  const std::vector<std::string> machines = h.Machines();
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < commits.size(); ++i) position[commits[i]] = i;
  std::map<std::string, double> top;  // per benchmark, over its machines
  for (const Trend& t : h.trends) {
    top[t.series.name] = std::max(top[t.series.name], Longest(t.series));
  }

  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
      << Escape(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>"
      << Escape(title) << "</h1>\n<p>" << h.Benchmarks() << " benchmarks over " << commits.size()
      << " commits";
  if (!h.runs.empty()) {
    out << " (" << Day(h.runs.front().date) << " to " << Day(h.runs.back().date) << ")";
  }
  out << " on " << machines.size() << (machines.size() == 1 ? " machine" : " machines") << "; "
      << h.Steps() << " steps found. " << Escape(MethodNote(h.options))
      << " Each machine's series stands alone: its steps are found among its own commits, and a "
         "benchmark's charts on every machine stand side by side on one time scale. Hover a "
         "point for its commit.</p>\n";

  out << "<h2>Machines</h2>\n<table>\n<tr><th>machine</th><th>CPU</th><th>host</th>"
         "<th>commits</th></tr>\n";
  for (const std::string& machine : machines) {
    std::string cpu, host;
    size_t n = 0;
    for (const Run& r : h.runs) {
      if (r.machine != machine) continue;
      cpu = r.cpu;
      host = r.host;
      ++n;
    }
    out << "<tr><td><code>" << Escape(machine) << "</code></td><td>" << Escape(cpu) << "</td><td>"
        << Escape(host) << "</td><td class=\"n\">" << n << "</td></tr>\n";
  }
  out << "</table>\n";

  out << "<h2>Steps</h2>\n";
  if (h.Steps() == 0) {
    out << "<p>None.</p>\n";
  } else {
    out << "<table>\n<tr><th>change</th><th>benchmark</th><th>machine</th>"
           "<th>first commit after</th><th>date</th><th>p</th></tr>\n";
    for (const Trend& t : h.trends) {
      for (const Step& s : t.steps) {
        const Point& p = t.series.points[s.point];
        char pv[32];
        std::snprintf(pv, sizeof pv, "%.2g", s.p_value);
        out << "<tr><td class=\"n " << (s.change > 0 ? "slower" : "faster") << "\">"
            << FormatChange(s.change) << "</td><td><code>" << Escape(t.series.name)
            << "</code></td><td><code>" << Escape(t.series.machine) << "</code></td><td><code>"
            << Escape(ShortCommit(p.commit)) << "</code></td><td>" << Day(p.date)
            << "</td><td class=\"n\">" << pv << "</td></tr>\n";
      }
    }
    out << "</table>\n";
  }

  // Folded: with many commits it would push the charts far down.
  out << "<details><summary>" << h.runs.size()
      << " runs (a commit on a "
         "machine)</summary>\n<table>\n<tr><th>#</th><th>commit</th><th>date</th><th>branch</th>"
         "<th>machine</th><th>CPU</th><th>benchmarks</th></tr>\n";
  for (size_t i = 0; i < h.runs.size(); ++i) {
    const Run& r = h.runs[i];
    out << "<tr><td class=\"n\">" << i + 1 << "</td><td><code>" << Escape(r.commit)
        << "</code></td><td>" << Escape(r.date) << "</td><td>" << Escape(r.branch) << "</td><td>"
        << Escape(r.machine) << "</td><td>" << Escape(r.cpu) << "</td><td class=\"n\">"
        << r.benchmarks << "</td></tr>\n";
  }
  out << "</table>\n</details>\n";

  // Charts grouped by strategy, strategies in order of their first benchmark's name.
  std::vector<std::string> strategies;
  for (const Trend& t : h.trends) {
    if (std::find(strategies.begin(), strategies.end(), t.series.strategy) == strategies.end()) {
      strategies.push_back(t.series.strategy);
    }
  }
  std::sort(strategies.begin(), strategies.end());
  for (const std::string& strategy : strategies) {
    out << "<h2 style=\"border-left: 6px solid " << render::StrategyColour(strategy)
        << "; padding-left: 6px\">" << Escape(strategy.empty() ? "(no strategy)" : strategy)
        << "</h2>\n<div class=\"grid\">\n";
    for (const Trend& t : h.trends) {
      if (t.series.strategy != strategy) continue;
      out << "<figure>" << Chart(t, position, commits.size(), top[t.series.name]) << "<figcaption>"
          << Escape(t.series.name) << "<br>on <b>" << Escape(t.series.machine)
          << "</b></figcaption></figure>\n";
    }
    out << "</div>\n";
  }
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace poolbench::history
