#include "history/trends.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace poolbench::history {

size_t History::Steps() const {
  size_t n = 0;
  for (const Trend& t : trends) n += t.steps.size();
  return n;
}

std::vector<std::string> History::Machines() const {
  std::set<std::string> machines;
  for (const Run& r : runs) machines.insert(r.machine);
  return {machines.begin(), machines.end()};
}

std::vector<std::string> History::Commits() const {
  std::vector<std::string> commits;
  std::set<std::string> seen;
  for (const Run& r : runs) {
    if (seen.insert(r.commit).second) commits.push_back(r.commit);
  }
  return commits;
}

size_t History::Benchmarks() const {
  std::set<std::string> names;
  for (const Trend& t : trends) names.insert(t.series.name);
  return names.size();
}

std::vector<Trend> Analyse(std::vector<Series> series, const ChangePointOptions& options) {
  std::vector<Trend> out;
  out.reserve(series.size());
  for (Series& s : series) {
    std::vector<double> times;
    std::vector<size_t> where;  // index in s.points of each time
    for (size_t i = 0; i < s.points.size(); ++i) {
      if (s.points[i].time_ns && *s.points[i].time_ns > 0) {
        times.push_back(*s.points[i].time_ns);
        where.push_back(i);
      }
    }
    Trend t{std::move(s), {}};
    for (const ChangePoint& c : FindChangePoints(times, options)) {
      t.steps.push_back({where[c.index], c.change, c.p_value});
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::string MethodNote(const ChangePointOptions& o) {
  char buf[400];
  std::snprintf(
      buf, sizeof buf,
      "Steps: binary segmentation over each commit's median log-time, split at the "
      "largest shift of the mean; a split is kept "
      "when the Mann-Whitney U test of the two sides gives p < %g divided by the "
      "splits that could be tested (Bonferroni) and the medians differ by at least %g%%; at least "
      "%zu commits on each side.",
      o.alpha, o.min_effect * 100, o.min_segment);
  return buf;
}

std::string ShortCommit(const std::string& commit) { return commit.substr(0, 12); }

std::string FormatChange(double change) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", change * 100);
  return buf;
}

}  // namespace poolbench::history
