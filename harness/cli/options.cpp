#include "cli/options.hpp"

#include "check/suite.hpp"

namespace poolbench::cli {

std::vector<Problem> Selection::Problems(std::vector<Problem> (*expand)(const Problem&)) const {
  const bool with_suite = problems.empty() || (suite_option && suite_option->count() > 0);
  return ParseProblems(problems, with_suite ? suite : "", expand);
}

void AddSelectionOptions(CLI::App& cmd, Selection& selection, const std::string& suite,
                         const std::string& suite_help, const std::string& problem_help) {
  selection.suite = suite;
  selection.suite_option =
      cmd.add_option("--suite", selection.suite, suite_help)->capture_default_str();
  cmd.add_option("--problem", selection.problems, problem_help);
  cmd.add_option("--strategy", selection.strategy, "Regular expression selecting strategies")
      ->capture_default_str();
}

}  // namespace poolbench::cli
