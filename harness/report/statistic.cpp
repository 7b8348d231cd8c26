#include "report/statistic.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <map>
#include <set>

namespace poolbench::report {
namespace {

// The standard error of a sample median is about sqrt(pi / 2) = 1.25 times that of the mean.
constexpr double kMedianEfficiency = 1.2533;

double StudentT975(int df) {
  return boost::math::quantile(boost::math::students_t(static_cast<double>(df)), 0.975);
}

// Mean and sample standard deviation of `x` (at least two values).
std::pair<double, double> MeanSd(const std::vector<double>& x) {
  double mean = 0;
  for (double v : x) mean += v / static_cast<double>(x.size());
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return {mean, std::sqrt(ss / static_cast<double>(x.size() - 1))};
}

std::vector<double> Logs(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v) out.push_back(std::log(x));
  return out;
}

}  // namespace

std::optional<double> Median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  const size_t h = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + h, v.end());
  if (v.size() % 2) return v[h];
  const double upper = v[h];
  return (*std::max_element(v.begin(), v.begin() + h) + upper) / 2;
}

std::vector<double> RealTimes(const Result& r) {
  std::vector<double> out;
  out.reserve(r.samples.size());
  for (const Sample& s : r.samples) out.push_back(s.real_ns);
  return out;
}

std::vector<double> CleanTimes(const Result& r, bool keep_disturbed) {
  std::vector<double> out;
  for (const Sample& s : r.samples) {
    if (keep_disturbed || !s.Disturbed()) out.push_back(s.real_ns);
  }
  return out;
}

bool KeepsDisturbed(const Context& c) {
  const auto it = c.settings.find("keep_disturbed");
  return it != c.settings.end() && it->is_boolean() && it->get<bool>();
}

Estimate EstimateOf(const Result& r, bool keep_disturbed) {
  Estimate e;
  e.kept_disturbed = keep_disturbed;
  if (r.Failed()) return e;
  if (r.samples.empty()) {
    e.time_ns = r.aggregate_ns;
    return e;
  }
  std::map<int, std::vector<double>> clean;  // by process
  std::set<int> run;
  for (const Sample& s : r.samples) {
    run.insert(s.process);
    if ((keep_disturbed || !s.Disturbed()) && s.real_ns > 0) clean[s.process].push_back(s.real_ns);
  }
  e.processes_run = static_cast<int>(run.size());
  e.processes = static_cast<int>(clean.size());
  std::vector<double> medians, within;
  for (const auto& [process, times] : clean) {
    e.clean += static_cast<int>(times.size());
    medians.push_back(*Median(times));
    if (times.size() >= 2) within.push_back(MeanSd(Logs(times)).second);
  }
  if (medians.empty()) return e;
  e.time_ns = Median(medians);
  if (!within.empty()) e.spread_within = Median(within);
  // The draws the interval is over: the processes' times, or with one process its repetitions.
  const std::vector<double> draws = Logs(medians.size() >= 2 ? medians : clean.begin()->second);
  if (medians.size() >= 2) e.spread_between = MeanSd(draws).second;
  if (draws.size() < 2) return e;
  e.df = static_cast<int>(draws.size()) - 1;
  e.log_se =
      kMedianEfficiency * MeanSd(draws).second / std::sqrt(static_cast<double>(draws.size()));
  const double half = StudentT975(e.df) * e.log_se;
  e.interval = Interval{*e.time_ns * std::exp(-half), *e.time_ns * std::exp(half)};
  return e;
}

std::string DisturbedReason(const Result& r, const Estimate& e) {
  if (r.Failed() || r.samples.empty()) return "";
  const int needed = std::min(e.processes_run, 2);
  if (e.processes >= needed && e.processes > 0) return "";
  // The first disturbance names what happened; the counts say how much of it.
  std::string first;
  int disturbed = 0;
  for (const Sample& s : r.samples) {
    if (!s.Disturbed()) continue;
    ++disturbed;
    if (first.empty()) first = s.disturbance;
  }
  return std::to_string(e.processes) + " of " + std::to_string(e.processes_run) +
         " processes had a clean repetition (" + std::to_string(needed) + " needed; " +
         std::to_string(disturbed) + " of " + std::to_string(r.samples.size()) +
         " repetitions disturbed" + (first.empty() ? "" : ", e.g. " + first) + ")";
}

std::optional<Ratio> RatioOf(const Estimate& a, const Estimate& b) {
  if (!a.time_ns || !b.time_ns || *a.time_ns <= 0 || *b.time_ns <= 0) return std::nullopt;
  Ratio r{*a.time_ns / *b.time_ns, std::nullopt};
  if (a.df > 0 && b.df > 0) {
    const double se = std::sqrt(a.log_se * a.log_se + b.log_se * b.log_se);
    const double half = StudentT975(std::min(a.df, b.df)) * se;
    r.interval = Interval{r.value * std::exp(-half), r.value * std::exp(half)};
  }
  return r;
}

bool Separated(const Estimate& a, const Estimate& b) {
  const std::optional<Ratio> r = RatioOf(a, b);
  return r && r->interval && (r->interval->hi < 1 || r->interval->lo > 1);
}

}  // namespace poolbench::report
