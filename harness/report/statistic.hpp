// The statistic every view shows for a result, and how sure it is.
//
// A result is measured in several worker processes (bench --processes), each timing a few
// repetitions; the same code runs up to several times faster or slower in one process than in
// another (where its buffers landed, what else ran), so processes, not repetitions, are the
// independent draws. Repetitions that other work disturbed (report::Sample::disturbance) are
// left out. Then:
// - each process's time is the median of its clean repetitions;
// - the result's time is the median of its processes' times: a process or a repetition slowed
//   by something that has nothing to do with the code moves the median not at all while most
//   are clean;
// - its 95% interval is Student's t over the logarithms of the processes' times, with the
//   standard error of a median (1.25 times that of a mean); with one process, over that
//   process's repetitions, which says nothing of the variation between processes (the views say
//   so);
// - two results are told apart only when the interval of their ratio excludes 1; otherwise
//   they tie.
#pragma once

#include <optional>
#include <vector>

#include "report/model.hpp"

namespace poolbench::report {

// The statistic's name, as reports and the docs give it.
inline constexpr const char* kStatisticName = "median of the processes' medians";

// The median of `values` (the mean of the middle two of an even count); nullopt when empty.
std::optional<double> Median(std::vector<double> values);

// The real times of a result's samples, in nanoseconds per call (disturbed ones too).
std::vector<double> RealTimes(const Result& r);

// The estimate of a result from its clean samples (the report's aggregate when it kept no
// repetitions); an empty estimate for a failed result. With `keep_disturbed` (bench
// --keep-disturbed), disturbed samples count as clean.
Estimate EstimateOf(const Result& r, bool keep_disturbed = false);

// Why a result cannot be ranked although it ran correctly: fewer clean processes than it needs
// (2 when it ran in several, 1 otherwise), with the disturbances of the others; empty when it
// can be ranked.
std::string DisturbedReason(const Result& r, const Estimate& e);

// Whether the run kept disturbed repetitions in the statistic (its bench_settings say so).
bool KeepsDisturbed(const Context& c);

// The real times of the repetitions the statistic is over: the clean ones, or with
// `keep_disturbed` every one.
std::vector<double> CleanTimes(const Result& r, bool keep_disturbed);

// a / b and its 95% interval from the two estimates; the interval is unset when either has no
// uncertainty. Nullopt when either has no time.
std::optional<Ratio> RatioOf(const Estimate& a, const Estimate& b);

// Whether a and b are told apart: the interval of their ratio excludes 1. Without an interval
// they are not.
bool Separated(const Estimate& a, const Estimate& b);

}  // namespace poolbench::report
