// Control of false alarms across the many rows of a comparison: a report has a hundred or more
// benchmarks, so at a per-row level of 5% a few would come out "significant" by chance alone on
// unchanged code. The corrections below adjust the per-row p-values so that the level applies
// to the comparison as a whole.
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace poolbench::compare {

enum class Correction {
  kNone,               // per-row p-values as they are
  kHolm,               // Holm's step-down: the family-wise error rate (any false alarm)
  kBenjaminiHochberg,  // Benjamini-Hochberg step-up: the false discovery rate
};

// "none", "holm", "bh".
std::string_view ToString(Correction c);
// The name for a reader, e.g. "Benjamini-Hochberg (false discovery rate)".
std::string_view Describe(Correction c);
// Parses ToString's names; throws std::invalid_argument naming the accepted ones.
Correction ParseCorrection(std::string_view name);

// The adjusted p-values, in the order of `p`: a row is significant at level alpha after the
// correction exactly when its adjusted p-value is below alpha. Holm: the k-th smallest p
// (1-based) becomes max over j <= k of (m - j + 1) p_(j), capped at 1. Benjamini-Hochberg: the
// k-th smallest becomes min over j >= k of m p_(j) / j, capped at 1. Throws
// std::invalid_argument for a p-value outside [0, 1].
std::vector<double> Adjust(std::span<const double> p, Correction c);

}  // namespace poolbench::compare
