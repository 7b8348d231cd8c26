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

// Parses the text of a suite file; `path` names it in errors and origins. Every line must parse
// and validate, and at least one problem must be there (a suite that checks nothing would pass
// vacuously); otherwise throws std::invalid_argument naming the file, line and problem.
std::vector<SuiteEntry> ParseSuite(const std::string& text, const std::string& path);

// Loads a suite by name ("seeds", "edge", "networks", "large", or "all" for all of them) or by
// path (anything containing '/' or ending in ".txt"), or a comma-separated list of those, and
// parses each file with ParseSuite. Throws std::invalid_argument for an empty name, a directory,
// a file that cannot be read or is larger than 16 MiB (so that /dev/zero fails at once), and
// ParseSuite's errors.
std::vector<SuiteEntry> LoadSuite(const std::string& name_or_path);

// The problems a command runs: each of `descriptors` (its --problem values) parsed and
// validated, in order, then the problems of the suite `suite` (see LoadSuite) unless `suite` is
// empty. `expand`, when given, turns each suite problem into the problems run in its place (check
// passes CheckVariants). Throws DescriptorError for a descriptor that does not parse,
// std::invalid_argument "invalid problem 'D': why" for one that does not validate, and
// LoadSuite's errors.
std::vector<Problem> ParseProblems(const std::vector<std::string>& descriptors,
                                   const std::string& suite = "",
                                   std::vector<Problem> (*expand)(const Problem&) = nullptr);

// The cross-check variants of one suite problem: every dtype in both layouts, and for each, max
// forward without and with indices, max backward, avg forward and avg backward (avg-only
// options are kept for avg and dropped for max).
std::vector<Problem> CheckVariants(const Problem& base);

}  // namespace poolbench
