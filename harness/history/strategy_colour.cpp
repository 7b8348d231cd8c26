#include "history/strategy_colour.hpp"

#include <array>
#include <cstdint>
#include <utility>

namespace poolbench::history {

std::string StrategyColour(std::string_view strategy) {
  // matplotlib's tab10, which the report's charts draw with.
  static constexpr std::array<const char*, 10> kPalette = {
      "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  static constexpr std::array<std::pair<std::string_view, size_t>, 9> kKnown = {{
      {"naive_loops", 7},
      {"reshape_blocks", 1},
      {"strided_view", 2},
      {"lookup_table", 4},
      {"openmp_parallel", 5},
      {"simd", 0},
      {"onednn", 3},
      {"xnnpack", 8},
      {"libtorch", 6},
  }};
  for (const auto& [name, index] : kKnown) {
    if (name == strategy) return kPalette[index];
  }
  // FNV-1a: the same name gives the same colour on every machine and in every run.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : strategy) h = (h ^ c) * 1099511628211ull;
  return kPalette[h % kPalette.size()];
}

}  // namespace poolbench::history
