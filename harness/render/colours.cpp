// Fixed colours for the strategies poolbench ships and the peers it compares with; a hashed
// colour for any other strategy.
#include "render/colours.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace poolbench::render {
namespace {

// Tableau-like colours that stay apart on a white page and for the common colour-vision
// deficiencies as far as nine colours can; red (#d62728) is left out: it means WRONG.
constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kFixed = {{
    {"naive_loops", "#7f7f7f"},
    {"lookup_table", "#1f77b4"},
    {"openmp_parallel", "#ff7f0e"},
    {"reshape_blocks", "#2ca02c"},
    {"simd", "#9467bd"},
    {"strided_view", "#17becf"},
    {"onednn", "#8c564b"},
    {"xnnpack", "#e377c2"},
    {"libtorch", "#bcbd22"},
}};

// FNV-1a: simple, and the same on every platform and in every build (std::hash is neither).
uint32_t Fnv1a(std::string_view text) {
  uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

// HSL (hue in degrees, saturation and lightness in [0, 1]) as "#rrggbb".
std::string Hsl(double hue, double s, double l) {
  const double c = (1 - std::abs(2 * l - 1)) * s;
  const double h = hue / 60;
  const double x = c * (1 - std::abs(std::fmod(h, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  if (h < 1) {
    r = c, g = x;
  } else if (h < 2) {
    r = x, g = c;
  } else if (h < 3) {
    g = c, b = x;
  } else if (h < 4) {
    g = x, b = c;
  } else if (h < 5) {
    r = x, b = c;
  } else {
    r = c, b = x;
  }
  const double m = l - c / 2;
  auto byte = [m](double v) { return static_cast<int>(std::lround((v + m) * 255)); };
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", byte(r), byte(g), byte(b));
  return buf;
}

}  // namespace

std::string StrategyColour(std::string_view strategy) {
  for (const auto& [name, colour] : kFixed) {
    if (name == strategy) return std::string(colour);
  }
  // Any other strategy: one of ten colours whose hues sit between the fixed ones (and away from
  // red), in a dark and a middle shade, so that a plugin's strategy never looks like one of
  // poolbench's. Two plugins may share a colour; their names tell them apart.
  static constexpr double kHues[] = {45, 90, 155, 240, 295};
  static constexpr double kLightness[] = {0.32, 0.5};
  const uint32_t h = Fnv1a(strategy);
  return Hsl(kHues[h % 5], 0.65, kLightness[(h / 5) % 2]);
}

}  // namespace poolbench::render
