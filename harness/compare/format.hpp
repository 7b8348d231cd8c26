// Numbers of a comparison as text, one way for the notes compare writes and for the renderings
// of a comparison (render/comparison.hpp).
#pragma once

#include <string>

namespace poolbench::compare {

// `value` through printf's `format` ("%.1f%%").
std::string Printf(const char* format, double value);
// A p-value: three decimals, or scientific below 0.001.
std::string FormatP(double p);
// A fraction as a percentage: 0.05 -> "5%".
std::string FormatPercent(double fraction);
// A ratio new / base as a signed change: 1.123 -> "+12.3%".
std::string FormatChange(double ratio);

}  // namespace poolbench::compare
