// A benchmark's series with the steps found in it: what both renderers of the history (the
// terminal text and the HTML page) show.
#pragma once

#include <string>
#include <vector>

#include "history/change_points.hpp"
#include "history/store.hpp"

namespace poolbench::history {

// A step of a series, by the index of its first point after the step in Series::points.
struct Step {
  size_t point = 0;
  double change = 0;  // median time after / before - 1: positive is slower
  double p_value = 1;
};

struct Trend {
  Series series;
  std::vector<Step> steps;
};

// What was analysed and how, for the renderers to state.
struct History {
  std::vector<Run> runs;      // every commit of every machine shown, oldest first
  std::vector<Trend> trends;  // by benchmark name, then machine
  ChangePointOptions options;
  size_t Steps() const;
  // The machines of the runs, sorted.
  std::vector<std::string> Machines() const;
  // The commits of the runs, each once, in the order of their first run (oldest first).
  std::vector<std::string> Commits() const;
  // The distinct benchmark names of the trends.
  size_t Benchmarks() const;
};

// Finds the steps of each series over its points that have a time (wrong results are left
// out of the test but stay in the series). Each series is one machine's, so steps are found per
// machine: a step between two machines' times cannot happen.
std::vector<Trend> Analyse(std::vector<Series> series, const ChangePointOptions& options);

// One line saying how steps are found, with the options' values.
std::string MethodNote(const ChangePointOptions& options);

// The first `n` characters of a commit, as the renderers show it.
std::string ShortCommit(const std::string& commit);

// A change as a signed percentage: "+25.1%", "-8.0%".
std::string FormatChange(double change);

}  // namespace poolbench::history
