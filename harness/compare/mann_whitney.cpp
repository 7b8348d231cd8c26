#include "compare/mann_whitney.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace poolbench::compare {

namespace {

// The pooled values ranked: mid-ranks doubled so that they are integers (a group of equal values
// at 0-based positions [first, last] shares the rank (first + last) / 2 + 1).
struct Ranks {
  std::vector<int64_t> rank2;  // of each pooled value, in sorted order
  int64_t rank2_x = 0;         // the sum over the values of x
  double tie_sum = 0;          // sum(t^3 - t) over the groups of t equal values
};

Ranks Rank(std::span<const double> x, std::span<const double> y) {
  std::vector<std::pair<double, bool>> pooled;  // (value, from x)
  pooled.reserve(x.size() + y.size());
  for (double v : x) pooled.emplace_back(v, true);
  for (double v : y) pooled.emplace_back(v, false);
  if (!std::all_of(pooled.begin(), pooled.end(),
                   [](const auto& p) { return std::isfinite(p.first); })) {
    throw std::invalid_argument("Mann-Whitney U test of a value that is not finite");
  }
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const size_t total = pooled.size();
  Ranks r;
  r.rank2.resize(total);
  for (size_t first = 0; first < total;) {
    size_t last = first;
    while (last + 1 < total && pooled[last + 1].first == pooled[first].first) ++last;
    const double t = static_cast<double>(last - first + 1);
    r.tie_sum += t * t * t - t;
    for (size_t i = first; i <= last; ++i) {
      r.rank2[i] = static_cast<int64_t>(first + last + 2);
      if (pooled[i].second) r.rank2_x += r.rank2[i];
    }
    first = last + 1;
  }
  return r;
}

// Under the null hypothesis every choice of n of the pooled (mid-)ranks as "x" is equally
// likely. ways[j][s] counts the subsets of size j with doubled rank sum s; the counts stay
// below C(50, 25) ~ 1.3e14 < 2^53, so doubles hold them exactly.
double ExactPValue(const Ranks& r, size_t n) {
  const size_t total = r.rank2.size();
  const auto max_sum = static_cast<size_t>(total * (total + 1));
  std::vector<std::vector<double>> ways(n + 1, std::vector<double>(max_sum + 1, 0.0));
  ways[0][0] = 1;
  for (size_t i = 0; i < total; ++i) {
    const auto rank = static_cast<size_t>(r.rank2[i]);
    for (size_t j = std::min(n, i + 1); j >= 1; --j) {
      for (size_t s = max_sum; s >= rank; --s) ways[j][s] += ways[j - 1][s - rank];
    }
  }
  double below = 0, above = 0, all = 0;
  const auto observed = static_cast<size_t>(r.rank2_x);
  for (size_t s = 0; s <= max_sum; ++s) {
    all += ways[n][s];
    if (s <= observed) below += ways[n][s];
    if (s >= observed) above += ways[n][s];
  }
  return std::min(1.0, 2 * std::min(below, above) / all);
}

// Normal approximation: U has mean n*m/2 and, with ties, variance
// n*m/12 * ((N+1) - sum(t^3 - t) / (N*(N-1))). The continuity correction moves |U - mean|
// half a step towards the mean.
double NormalPValue(const Ranks& r, double u, size_t n, size_t m) {
  const double dn = static_cast<double>(n), dm = static_cast<double>(m);
  const double dN = static_cast<double>(n + m);
  const double mean = dn * dm / 2;
  const double variance = dn * dm / 12 * ((dN + 1) - r.tie_sum / (dN * (dN - 1)));
  if (variance <= 0) return 1;  // every value equal: no evidence of any difference
  const double z = (std::fabs(u - mean) - 0.5) / std::sqrt(variance);
  return z <= 0 ? 1.0 : std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

}  // namespace

UTest MannWhitneyU(std::span<const double> x, std::span<const double> y) {
  const size_t n = x.size(), m = y.size();
  if (n == 0 || m == 0) throw std::invalid_argument("Mann-Whitney U test of an empty sample");
  const Ranks ranks = Rank(x, y);
  const auto nn = static_cast<int64_t>(n);
  UTest out;
  out.u = static_cast<double>(ranks.rank2_x - nn * (nn + 1)) / 2;
  out.exact = n + m <= kExactMaxTotal;
  out.p_value = out.exact ? ExactPValue(ranks, n) : NormalPValue(ranks, out.u, n, m);
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
