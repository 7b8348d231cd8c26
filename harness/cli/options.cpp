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

void AddIsolationOptions(CLI::App& cmd, IsolationSelection& isolation, double timeout) {
  isolation.timeout = timeout;
  cmd.add_option("--timeout", isolation.timeout,
                 "Seconds one strategy may take on one problem (verification and timing) before "
                 "its worker is killed and the entry is reported as timed out (0: no limit)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            // CLI::Range lets NaN through: every comparison with it is false.
            double v = 0;
            return CLI::detail::lexical_cast(text, v) && v >= 0 && v <= 1e6
                       ? ""
                       : "'" + text + "' is not a number of seconds in [0, 1000000]";
          },
          "SECONDS in [0, 1e6]"))
      ->capture_default_str();
  cmd.add_option("--memory-limit", isolation.memory_limit,
                 "Memory a worker may map beyond the harness's own, e.g. 4G (0: no limit); an "
                 "allocation past it is reported as out of memory. Default: the machine's memory")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  cmd.add_flag("--no-isolation", isolation.no_isolation,
               "Run every strategy in this process instead of in worker processes (for a "
               "debugger): a crash or a hang then ends the whole run, and there is no time or "
               "memory limit");
}

}  // namespace poolbench::cli
