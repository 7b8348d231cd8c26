// Durations and byte counts for people: the one formatter every command and renderer uses, so
// a time or a size reads the same in the terminal, in Markdown and in a comparison.
#pragma once

#include <cstdint>
#include <string>

namespace poolbench {

// A time in nanoseconds with three significant digits in the largest unit that keeps it at
// least 1: "44.0 ns", "950 ns", "1.23 µs", "45.6 ms", "2.00 s", "7200 s". The unit changes
// where rounding would print four digits, so 999.6 ns is "1.00 µs", never "1000 ns".
std::string FormatDuration(double ns);

// A byte count in binary units, whole numbers without decimals (as cache sizes are written)
// and others with three significant digits: "112 B", "48 KiB", "3.83 MiB", "512 MiB".
std::string FormatBytes(int64_t bytes);

}  // namespace poolbench
