#include "cli/options.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "check/suite.hpp"

namespace poolbench::cli {
namespace {

// Parses all of `text` as a T. A leading '+' is accepted, as CLI11 accepts it.
template <class T>
std::errc ParseAll(std::string_view text, T& value) {
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
  // from_chars refuses a sign for an unsigned type; a negative integer is out of its range.
  if constexpr (std::is_unsigned_v<T>) {
    if (text.size() > 1 && text.front() == '-') {
      T magnitude{};
      const std::errc ec = ParseAll(text.substr(1), magnitude);
      return ec == std::errc::invalid_argument ? ec : std::errc::result_out_of_range;
    }
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end != text.data() + text.size()) return std::errc::invalid_argument;
  return ec;
}

template <class T>
std::string RangeText(T min, T max) {
  std::ostringstream out;
  out << "[" << min << ", " << max << "]";
  return out.str();
}

template <class T>
CLI::Validator NumberIn(T min, T max, const char* kind) {
  const std::string range = RangeText(min, max);
  return CLI::Validator(
      [min, max, range, kind](std::string& text) -> std::string {
        T value{};
        const std::errc ec = ParseAll(text, value);
        if (ec == std::errc::invalid_argument) {
          return "'" + text + "' is not " + kind + " (expected one in " + range + ")";
        }
        bool in_range = ec == std::errc() && min <= value && value <= max;
        if constexpr (std::numeric_limits<T>::has_infinity)
          in_range = in_range && std::isfinite(value);
        if (!in_range) return "'" + text + "' is out of range: expected " + kind + " in " + range;
        return {};
      },
      std::string(kind == std::string_view("a number") ? "NUMBER" : "INT") + " in " + range);
}

}  // namespace

CLI::Validator IntegerIn(int64_t min, int64_t max) { return NumberIn(min, max, "an integer"); }

CLI::Validator UnsignedIn(uint64_t min, uint64_t max) {
  // from_chars for an unsigned type refuses a '-' (no wrap-around), which is the point.
  return NumberIn(min, max, "an integer");
}

CLI::Validator FiniteIn(double min, double max) { return NumberIn(min, max, "a number"); }

std::vector<Problem> Selection::Problems(std::vector<Problem> (*expand)(const Problem&)) const {
  const bool with_suite = problems.empty() || (suite_option && suite_option->count() > 0);
  // An empty --suite would mean "no suite" below and leave nothing to run.
  if (with_suite && suite.empty()) LoadSuite(suite);
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
