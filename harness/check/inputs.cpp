#include "check/inputs.hpp"

#include <limits>
#include <random>

namespace poolbench {

std::string_view ToString(Flavour f) {
  // In the order of the enumerators.
  static constexpr std::string_view kNames[] = {"ties", "negative", "specials"};
  return kNames[static_cast<size_t>(f)];
}

template <class T>
void FillInput(std::span<T> out, Flavour flavour, uint64_t seed, const InputDomain& domain) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(flavour));
  std::uniform_int_distribution<int> small(-3, 3), negative(-1000, -1), wide(-100000, 100000);
  std::uniform_int_distribution<int> special(0, 31);
  for (T& v : out) {
    switch (flavour) {
      case Flavour::kTies:
        v = static_cast<T>(small(rng));
        break;
      case Flavour::kNegative:
        v = static_cast<T>(negative(rng));
        break;
      case Flavour::kSpecials: {
        v = static_cast<T>(wide(rng));
        if constexpr (IsFloat<T>) {
          v /= T(8);  // fractional values, exact in binary
          const int s = special(rng);
          if (s == 0 && domain.nan) v = std::numeric_limits<T>::quiet_NaN();
          if (s == 1 && domain.infinity) v = -std::numeric_limits<T>::infinity();
          if (s == 2 && domain.infinity) v = std::numeric_limits<T>::infinity();
        } else {
          const int s = special(rng);
          if (s == 0) v = std::numeric_limits<T>::min();
          if (s == 1) v = std::numeric_limits<T>::max();
        }
        break;
      }
    }
  }
}

template void FillInput<float>(std::span<float>, Flavour, uint64_t, const InputDomain&);
template void FillInput<double>(std::span<double>, Flavour, uint64_t, const InputDomain&);
template void FillInput<int32_t>(std::span<int32_t>, Flavour, uint64_t, const InputDomain&);
template void FillInput<uint8_t>(std::span<uint8_t>, Flavour, uint64_t, const InputDomain&);

}  // namespace poolbench
