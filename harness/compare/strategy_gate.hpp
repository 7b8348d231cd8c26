// The per-strategy gate of a round comparison (`poolbench ab`). One benchmark's change is tested
// over a handful of rounds, and on a shared machine each round's pair of processes can differ by
// tens of percent, so a real, uniform slowdown of one strategy often stays within a single
// benchmark's noise. The mean of the strategy's log ratios over all its benchmarks varies far
// less from round to round: tested like one benchmark (Student's t over the rounds, Holm across
// the strategies, against its own noise floor), it finds such a change with few rounds, and
// each benchmark of that strategy whose change exceeds the threshold in the same direction is
// then flagged with it.
#pragma once

#include <vector>

#include "compare/compare.hpp"

namespace poolbench::compare {

// Tests each strategy with at least one benchmark that ran on both sides in every round of
// `rounds` (Row::round_log_ratios), sets the verdict of the rows of a strategy that changed where
// their own test did not flag them (kSame or kWithinNoise, ratio beyond the threshold in the
// strategy's direction) with a note saying so, and returns the gates by strategy name.
std::vector<StrategyGate> GateStrategies(std::vector<Row>& rows, const Options& options,
                                         size_t rounds);

}  // namespace poolbench::compare
