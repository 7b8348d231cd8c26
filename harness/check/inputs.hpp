// Seeded test inputs for the cross-check: each "flavour" aims at a class of bugs.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "poolbench/strategy.hpp"

namespace poolbench {

enum class Flavour {
  kTies,      // small integers in [-3, 3]: many equal values, so tie rules show
  kNegative,  // all values negative: zero padding (the seeds' bug) shows
  kSpecials,  // wide values plus NaN and +-inf (floats) or INT32_MIN/MAX (i32)
};
inline constexpr Flavour kAllFlavours[] = {Flavour::kTies, Flavour::kNegative, Flavour::kSpecials};

std::string_view ToString(Flavour f);

// Fills `out` deterministically from (flavour, seed). Specials are left out where `domain`
// says the strategy does not honour them.
template <class T>
void FillInput(std::span<T> out, Flavour flavour, uint64_t seed, const InputDomain& domain);

}  // namespace poolbench
