// The statistic every view shows for a result: the median of its repetitions' times. The median
// rather than the mean because a repetition disturbed by other work on the machine is slow by
// an amount that has nothing to do with the code: one such repetition moves the mean as far as
// it was disturbed, and the median not at all while most repetitions are undisturbed.
#pragma once

#include <optional>
#include <vector>

#include "report/model.hpp"

namespace poolbench::report {

// The statistic's name, as reports and the docs give it.
inline constexpr const char* kStatisticName = "median";

// The median of `values` (the mean of the middle two of an even count); nullopt when empty.
std::optional<double> Median(std::vector<double> values);

// The real times of a result's samples, in nanoseconds per call.
std::vector<double> RealTimes(const Result& r);

// The statistic of a result: the median of its samples, else the median its report gave as an
// aggregate; nullopt for a failed result or one with neither.
std::optional<double> Statistic(const Result& r);

}  // namespace poolbench::report
