#include "compare/format.hpp"

#include <cstdio>

namespace poolbench::compare {

std::string Printf(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::string FormatP(double p) { return Printf(p >= 0.001 ? "%.3f" : "%.1e", p); }

std::string FormatPercent(double fraction) { return Printf("%g%%", fraction * 100); }

std::string FormatChange(double ratio) { return Printf("%+.1f%%", (ratio - 1) * 100); }

}  // namespace poolbench::compare
