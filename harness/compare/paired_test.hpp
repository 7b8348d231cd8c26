// The test of an interleaved comparison: base and new ran alternately, round by round, so each
// round gives one paired observation of the change, the log of new's median over base's. Drift
// of the machine (other work, temperature, frequency) hits both sides of a round alike and
// cancels in the pair; what is left varies from round to round, and that variation, not the
// spread of repetitions inside one process, is the unit of the test.
#pragma once

#include <cstddef>
#include <span>

namespace poolbench::compare {

struct PairedTest {
  size_t rounds = 0;
  double mean_log_ratio = 0;  // mean over rounds of ln(new / base)
  double ratio = 1;           // exp(mean_log_ratio): the typical new / base
  // Sample standard deviation of the log ratios over rounds: how much the measured change
  // itself varies from round to round (0 with a single round).
  double spread = 0;
  // Two-sided p of Student's one-sample t-test of the log ratios against 0 (df = rounds - 1);
  // 1 with fewer than two rounds. When every round gives the same log ratio, p is 0 unless
  // that ratio is exactly 0.
  double p_value = 1;
};

// Tests the paired samples base[r], new[r] (times of round r, all positive and finite).
// Throws std::invalid_argument when the sizes differ, the samples are empty, or a time is not
// positive and finite.
PairedTest PairedLogRatioTest(std::span<const double> base, std::span<const double> head);

// The same test of log ratios given directly (one per round, finite), e.g. a strategy's mean log
// ratio over its benchmarks in each round. Throws std::invalid_argument when empty.
PairedTest LogRatioTest(std::span<const double> log_ratios);

}  // namespace poolbench::compare
