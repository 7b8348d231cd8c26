#include "compare/mann_whitney.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace poolbench::compare {

UTest MannWhitneyU(std::span<const double> x, std::span<const double> y) {
  const size_t n = x.size(), m = y.size(), total = n + m;
  if (n == 0 || m == 0) throw std::invalid_argument("Mann-Whitney U test of an empty sample");
  // The pooled values in order, each marked with its sample.
  std::vector<std::pair<double, bool>> pooled;  // (value, from x)
  pooled.reserve(total);
  for (double v : x) pooled.emplace_back(v, true);
  for (double v : y) pooled.emplace_back(v, false);
  if (!std::all_of(pooled.begin(), pooled.end(),
                   [](const auto& p) { return std::isfinite(p.first); })) {
    throw std::invalid_argument("Mann-Whitney U test of a value that is not finite");
  }
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  // Mid-ranks, doubled so that they are integers: a group of equal values at 0-based positions
  // [first, last] shares the rank (first + last) / 2 + 1. tie_sum is sum(t^3 - t) over groups.
  std::vector<int64_t> rank2(total);
  int64_t rank2_x = 0;
  double tie_sum = 0;
  for (size_t first = 0; first < total;) {
    size_t last = first;
    while (last + 1 < total && pooled[last + 1].first == pooled[first].first) ++last;
    const double t = static_cast<double>(last - first + 1);
    tie_sum += t * t * t - t;
    for (size_t i = first; i <= last; ++i) {
      rank2[i] = static_cast<int64_t>(first + last + 2);
      if (pooled[i].second) rank2_x += rank2[i];
    }
    first = last + 1;
  }
  const auto nn = static_cast<int64_t>(n);
  UTest out;
  out.u = static_cast<double>(rank2_x - nn * (nn + 1)) / 2;

  if (total <= kExactMaxTotal) {
    // Under the null hypothesis every choice of n of the pooled (mid-)ranks as "x" is equally
    // likely. ways[j][s] counts the subsets of size j with doubled rank sum s; the counts stay
    // below C(50, 25) ~ 1.3e14 < 2^53, so doubles hold them exactly.
    const auto max_sum = static_cast<size_t>(total * (total + 1));
    std::vector<std::vector<double>> ways(n + 1, std::vector<double>(max_sum + 1, 0.0));
    ways[0][0] = 1;
    for (size_t i = 0; i < total; ++i) {
      const auto r = static_cast<size_t>(rank2[i]);
      for (size_t j = std::min(n, i + 1); j >= 1; --j) {
        for (size_t s = max_sum; s >= r; --s) ways[j][s] += ways[j - 1][s - r];
      }
    }
    double below = 0, above = 0, all = 0;
    const auto observed = static_cast<size_t>(rank2_x);
    for (size_t s = 0; s <= max_sum; ++s) {
      all += ways[n][s];
      if (s <= observed) below += ways[n][s];
      if (s >= observed) above += ways[n][s];
    }
    out.p_value = std::min(1.0, 2 * std::min(below, above) / all);
    out.exact = true;
    return out;
  }

  // Normal approximation: U has mean n*m/2 and, with ties, variance
  // n*m/12 * ((N+1) - sum(t^3 - t) / (N*(N-1))). The continuity correction moves |U - mean|
  // half a step towards the mean.
  const double dn = static_cast<double>(n), dm = static_cast<double>(m);
  const double dN = static_cast<double>(total);
  const double mean = dn * dm / 2;
  const double variance = dn * dm / 12 * ((dN + 1) - tie_sum / (dN * (dN - 1)));
  out.exact = false;
  if (variance <= 0) {
    out.p_value = 1;  // every value equal: no evidence of any difference
    return out;
  }
  const double z = (std::fabs(out.u - mean) - 0.5) / std::sqrt(variance);
  out.p_value = z <= 0 ? 1.0 : std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return out;
}

double MinimumPValue(size_t n, size_t m) {
  if (n == 0 || m == 0) return 1;
  // C(n+m, n) as a running product in floating point: exact for small sizes, and for large
  // ones only its magnitude matters.
  const size_t k = std::min(n, m);
  double c = 1;
  for (size_t i = 1; i <= k; ++i)
    c = c * static_cast<double>(n + m - k + i) / static_cast<double>(i);
  return std::min(1.0, 2 / c);
}

size_t RepetitionsNeeded(double alpha) {
  size_t k = 1;
  while (MinimumPValue(k, k) >= alpha && k < 1000) ++k;
  return k;
}

}  // namespace poolbench::compare
