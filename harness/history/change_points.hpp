// Step changes in a benchmark's times across commits, found by a test rather than a fixed
// threshold: binary segmentation over the log-times, where each split is placed at the largest
// shift in mean (the classic CUSUM statistic) and accepted only when the Mann-Whitney U test
// over the two sides is significant after a Bonferroni correction for the splits that could be
// tested, and the medians of the two sides differ by at least a minimum effect. Noise alone then
// rarely makes a step, whatever its size, and a step smaller than the minimum effect is never one.
//
// Each commit is one value (its median time): the variation between runs, not the repetitions
// inside one process, is what a step must stand out from.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace poolbench::history {

struct ChangePointOptions {
  double alpha = 0.05;       // family-wise significance level of each accepted split
  double min_effect = 0.05;  // smallest change of the median time that counts (0.05 = 5%)
  // Fewest commits on each side of a step. The exact U test needs 4 against 4 to reach
  // p < 0.05, so a step is named once four commits after it have been measured.
  size_t min_segment = 4;
};

// A step: the series is different from `index` on.
struct ChangePoint {
  size_t index = 0;    // the first value after the step
  double change = 0;   // median after / median before - 1, between the neighbouring segments
  double p_value = 1;  // of the U test that accepted the split
};

// The steps of `times` (positive), in order. Throws std::invalid_argument for a time that is not
// positive and finite, or options out of range (alpha not in (0, 1), min_segment < 1).
std::vector<ChangePoint> FindChangePoints(std::span<const double> times,
                                          const ChangePointOptions& options = {});

}  // namespace poolbench::history
