#include "compare/paired_test.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace poolbench::compare {

PairedTest PairedLogRatioTest(std::span<const double> base, std::span<const double> head) {
  if (base.size() != head.size()) {
    throw std::invalid_argument("paired test: " + std::to_string(base.size()) +
                                " base rounds but " + std::to_string(head.size()) + " new rounds");
  }
  std::vector<double> d;
  for (size_t r = 0; r < base.size(); ++r) {
    if (!(base[r] > 0 && std::isfinite(base[r]) && head[r] > 0 && std::isfinite(head[r]))) {
      throw std::invalid_argument("paired test: round " + std::to_string(r + 1) +
                                  " has a time that is not positive and finite");
    }
    d.push_back(std::log(head[r] / base[r]));
  }
  return LogRatioTest(d);
}

PairedTest LogRatioTest(std::span<const double> d) {
  if (d.empty()) throw std::invalid_argument("paired test: no rounds");
  PairedTest t;
  t.rounds = d.size();
  double sum = 0;
  for (double x : d) sum += x;
  t.mean_log_ratio = sum / static_cast<double>(d.size());
  t.ratio = std::exp(t.mean_log_ratio);
  if (d.size() < 2) return t;
  double ss = 0;
  for (double x : d) ss += (x - t.mean_log_ratio) * (x - t.mean_log_ratio);
  t.spread = std::sqrt(ss / static_cast<double>(d.size() - 1));
  if (t.spread == 0) {
    t.p_value = t.mean_log_ratio == 0 ? 1 : 0;
    return t;
  }
  const double se = t.spread / std::sqrt(static_cast<double>(d.size()));
  const boost::math::students_t dist(static_cast<double>(d.size() - 1));
  t.p_value = std::min(
      1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(t.mean_log_ratio) / se)));
  return t;
}

}  // namespace poolbench::compare
