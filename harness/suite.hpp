// Problem suites: text files of descriptors, one per line ('#' starts a comment), kept in
// harness/suites/ so that anyone extends them without recompiling.
#pragma once

#include <string>
#include <vector>

#include "poolbench/problem.hpp"

namespace poolbench {

struct SuiteEntry {
  Problem problem;
  std::string origin;  // "file:line", for error messages
};

// The directory searched for named suites: $POOLBENCH_SUITE_DIR if set, else
// <prefix>/share/poolbench/suites beside an installed executable, else the source tree's
// harness/suites (compiled in).
std::string SuiteDir();

// The built-in suite names, in the order "all" runs them.
const std::vector<std::string>& SuiteNames();

// Loads a suite by name ("seeds", "edge", "networks", "large", or "all" for all of them) or by
// path (anything containing '/' or ending in ".txt"), or a comma-separated list of those. Every
// line must parse and validate; otherwise throws std::invalid_argument naming the file, line and
// problem.
std::vector<SuiteEntry> LoadSuite(const std::string& name_or_path);

// The cross-check variants of one suite problem: every dtype, and for each, max forward with
// indices, max backward, avg forward and avg backward (avg-only options are kept for avg and
// dropped for max).
std::vector<Problem> CheckVariants(const Problem& base);

}  // namespace poolbench
