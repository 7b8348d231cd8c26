#include "report/units.hpp"

#include <cmath>
#include <cstdio>

namespace poolbench {
namespace {

// Three significant digits in the largest unit that keeps the value at least 1. The unit
// changes where rounding would print four digits ("1000 ns" becomes "1.00 µs"). With
// `whole`, whole numbers print without decimals ("48 KiB", as cache sizes are written).
std::string Scaled(double v, double step, const char* const* units, int count, bool whole) {
  int unit = 0;
  while (unit + 1 < count && std::fabs(v) >= step - 0.5) {
    v /= step;
    ++unit;
  }
  const double a = std::fabs(v);
  char buf[48];
  if ((whole && a == std::floor(a)) || a >= 99.95) {
    std::snprintf(buf, sizeof buf, "%.0f %s", v, units[unit]);
  } else {
    std::snprintf(buf, sizeof buf, a >= 9.995 ? "%.1f %s" : "%.2f %s", v, units[unit]);
  }
  return buf;
}

}  // namespace

std::string FormatDuration(double ns) {
  static constexpr const char* kUnits[] = {"ns", "µs", "ms", "s"};
  return Scaled(ns, 1000, kUnits, 4, false);
}

std::string FormatBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  return Scaled(static_cast<double>(bytes), 1024, kUnits, 5, true);
}

}  // namespace poolbench
