#include "compare/multiple_testing.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace poolbench::compare {

std::string_view ToString(Correction c) {
  switch (c) {
    case Correction::kNone:
      return "none";
    case Correction::kHolm:
      return "holm";
    case Correction::kBenjaminiHochberg:
      return "bh";
  }
  return "none";
}

std::string_view Describe(Correction c) {
  switch (c) {
    case Correction::kNone:
      return "no correction across rows";
    case Correction::kHolm:
      return "Holm (family-wise error rate)";
    case Correction::kBenjaminiHochberg:
      return "Benjamini-Hochberg (false discovery rate)";
  }
  return "";
}

Correction ParseCorrection(std::string_view name) {
  for (Correction c : {Correction::kNone, Correction::kHolm, Correction::kBenjaminiHochberg}) {
    if (name == ToString(c)) return c;
  }
  throw std::invalid_argument("unknown correction '" + std::string(name) +
                              "': expected none, holm or bh");
}

std::vector<double> Adjust(std::span<const double> p, Correction c) {
  for (double v : p) {
    if (!(v >= 0 && v <= 1)) {
      throw std::invalid_argument("p-value " + std::to_string(v) + " is not in [0, 1]");
    }
  }
  const size_t m = p.size();
  std::vector<double> out(p.begin(), p.end());
  if (c == Correction::kNone || m == 0) return out;
  // Row indices by ascending p-value; stable, so that ties keep their order.
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  if (c == Correction::kHolm) {
    double running = 0;
    for (size_t k = 0; k < m; ++k) {
      running = std::max(running, std::min(1.0, static_cast<double>(m - k) * p[order[k]]));
      out[order[k]] = running;
    }
  } else {
    double running = 1;
    for (size_t k = m; k-- > 0;) {
      running =
          std::min(running, static_cast<double>(m) * p[order[k]] / static_cast<double>(k + 1));
      out[order[k]] = std::min(1.0, running);
    }
  }
  return out;
}

}  // namespace poolbench::compare
