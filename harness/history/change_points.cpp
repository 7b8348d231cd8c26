#include "history/change_points.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "compare/mann_whitney.hpp"

namespace poolbench::history {
namespace {

double Median(std::span<const double> v) {
  std::vector<double> s(v.begin(), v.end());
  std::sort(s.begin(), s.end());
  const size_t n = s.size();
  return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

// The classic binary segmentation statistic for a split of `v` before `k`: the difference of the
// two sides' means weighted by sqrt(k (n - k) / n), largest at the position of a shift in level.
// It weighs the size of a difference, not only its order, so a step is placed at its commit even
// when a noisy commit before it is slow; outliers are kept from making a step by the rank test
// that decides.
double Shift(std::span<const double> v, size_t k) {
  double left = 0, right = 0;
  for (size_t i = 0; i < k; ++i) left += v[i];
  for (size_t i = k; i < v.size(); ++i) right += v[i];
  const double n = static_cast<double>(k), m = static_cast<double>(v.size() - k);
  return std::sqrt(n * m / (n + m)) * std::abs(left / n - right / m);
}

void Split(std::span<const double> logs, size_t offset, const ChangePointOptions& opt,
           std::vector<ChangePoint>& found) {
  const size_t n = logs.size();
  if (n < 2 * opt.min_segment) return;
  // The split is placed where the two sides differ most, over every position: restricting it to
  // positions with min_segment values on each side would move a step near an edge to the
  // nearest allowed position, and name the wrong commit.
  size_t best = 0;
  double best_shift = -1;
  for (size_t k = 1; k < n; ++k) {
    const double shift = Shift(logs, k);
    if (shift > best_shift) best_shift = shift, best = k;
  }
  // The largest difference is next to an edge: that edge is left undecided (a step there is
  // named once enough commits follow it), and the rest is searched.
  if (best < opt.min_segment) return Split(logs.subspan(best), offset + best, opt, found);
  if (n - best < opt.min_segment) return Split(logs.first(best), offset, opt, found);
  // Only splits with min_segment values on each side are ever tested, so the family-wise error
  // is bounded by alpha over that many tests.
  const size_t candidates = n - 2 * opt.min_segment + 1;
  const auto left = logs.first(best), right = logs.subspan(best);
  const compare::UTest test = compare::MannWhitneyU(left, right);
  const double change = std::exp(Median(right) - Median(left)) - 1;
  if (test.p_value >= opt.alpha / static_cast<double>(candidates) ||
      std::abs(change) < opt.min_effect) {
    return;
  }
  found.push_back({offset + best, change, test.p_value});
  Split(left, offset, opt, found);
  Split(right, offset + best, opt, found);
}

}  // namespace

std::vector<ChangePoint> FindChangePoints(std::span<const double> times,
                                          const ChangePointOptions& options) {
  if (!(options.alpha > 0 && options.alpha < 1)) {
    throw std::invalid_argument("change points: alpha must be in (0, 1)");
  }
  if (options.min_segment < 1) {
    throw std::invalid_argument("change points: the minimum segment must be at least 1");
  }
  std::vector<double> logs;
  logs.reserve(times.size());
  for (double t : times) {
    if (!(t > 0) || !std::isfinite(t)) {
      throw std::invalid_argument("change points: times must be positive and finite");
    }
    logs.push_back(std::log(t));
  }
  std::vector<ChangePoint> found;
  Split(logs, 0, options, found);
  std::sort(found.begin(), found.end(),
            [](const ChangePoint& a, const ChangePoint& b) { return a.index < b.index; });
  // The size of each step is measured between the segments on either side of it in the final
  // segmentation, not the halves it was first found between, which may hold other steps.
  const std::span<const double> all(logs);
  for (size_t i = 0; i < found.size(); ++i) {
    const size_t lo = i == 0 ? 0 : found[i - 1].index;
    const size_t hi = i + 1 == found.size() ? logs.size() : found[i + 1].index;
    const size_t at = found[i].index;
    found[i].change =
        std::exp(Median(all.subspan(at, hi - at)) - Median(all.subspan(lo, at - lo))) - 1;
  }
  return found;
}

}  // namespace poolbench::history
