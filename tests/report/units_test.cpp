#include "report/units.hpp"

#include <gtest/gtest.h>

namespace poolbench {
namespace {

TEST(Units, DurationsUseThreeDigitsInTheLargestFittingUnit) {
  EXPECT_EQ(FormatDuration(44), "44.0 ns");
  EXPECT_EQ(FormatDuration(950), "950 ns");
  EXPECT_EQ(FormatDuration(999.6), "1.00 µs");  // rounding never prints "1000 ns"
  EXPECT_EQ(FormatDuration(95000), "95.0 µs");
  EXPECT_EQ(FormatDuration(1.8e6), "1.80 ms");
  EXPECT_EQ(FormatDuration(52e9), "52.0 s");
  EXPECT_EQ(FormatDuration(7200e9), "7200 s");
}

TEST(Units, BytesUseBinaryUnits) {
  EXPECT_EQ(FormatBytes(112), "112 B");
  EXPECT_EQ(FormatBytes(49152), "48 KiB");
  EXPECT_EQ(FormatBytes(4014080), "3.83 MiB");
  EXPECT_EQ(FormatBytes(536870912), "512 MiB");
}

// The cases compare.cpp had for its own copy, kept with the shared formatter.
TEST(Units, DurationsPickTheUnit) {
  EXPECT_EQ(FormatDuration(812), "812 ns");
  EXPECT_EQ(FormatDuration(5.5), "5.50 ns");
  EXPECT_EQ(FormatDuration(1234), "1.23 µs");
  EXPECT_EQ(FormatDuration(999.7), "1.00 µs");
  EXPECT_EQ(FormatDuration(45.6e6), "45.6 ms");
  EXPECT_EQ(FormatDuration(2e9), "2.00 s");
  EXPECT_EQ(FormatDuration(4000e9), "4000 s");
}

}  // namespace
}  // namespace poolbench
