#include "report/statistic.hpp"

#include <algorithm>

namespace poolbench::report {

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

std::optional<double> Statistic(const Result& r) {
  if (r.Failed()) return std::nullopt;
  if (!r.samples.empty()) return Median(RealTimes(r));
  return r.aggregate_ns;
}

}  // namespace poolbench::report
