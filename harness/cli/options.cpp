#include "cli/options.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "check/suite.hpp"
#include "io/atomic_file.hpp"
#include "io/plugin_loader.hpp"
#include "poolbench/registry.hpp"
#include "run/memory_budget.hpp"

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

std::vector<int> IntegerList(const std::string& text, const std::string& option, int min, int max) {
  std::vector<int> out;
  size_t begin = 0;
  for (;;) {
    const size_t end = std::min(text.find(',', begin), text.size());
    const std::string item = text.substr(begin, end - begin);
    int64_t value = 0;
    const std::errc ec = ParseAll(item, value);
    const std::string where = option + " '" + text + "': ";
    if (item.empty()) throw CLI::ValidationError(where + "has an empty item");
    if (ec == std::errc::invalid_argument) {
      throw CLI::ValidationError(where + "'" + item + "' is not an integer");
    }
    if (ec != std::errc() || value < min || value > max) {
      throw CLI::ValidationError(where + "'" + item + "' is out of range: expected integers in " +
                                 RangeText(min, max));
    }
    if (std::find(out.begin(), out.end(), value) != out.end()) {
      throw CLI::ValidationError(where + item + " is given twice");
    }
    out.push_back(static_cast<int>(value));
    if (end == text.size()) return out;
    begin = end + 1;
  }
}

CLI::Validator IntegerListIn(int min, int max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        try {
          IntegerList(text, "the list", min, max);
        } catch (const CLI::ValidationError& e) {
          return e.what();
        }
        return {};
      },
      "INT,... in " + RangeText(min, max));
}

CLI::Validator NotEmpty(const std::string& what) {
  return CLI::Validator(
      [what](std::string& text) -> std::string {
        return text.empty()
                   ? "an empty value names no " + what + "; give one, or leave the option out"
                   : "";
      },
      "");
}

void CheckOutputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                  const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  // What a command reads beyond its named inputs: the plugins it loaded, and poolbench itself.
  std::vector<std::string> read = inputs;
  std::error_code exe_ec;
  if (const fs::path exe = fs::read_symlink("/proc/self/exe", exe_ec); !exe_ec) {
    read.push_back(exe.string());
  }
  for (const Strategy* s : Registry::Global().All()) {
    if (std::string plugin = PluginOf(*s); !plugin.empty()) read.push_back(std::move(plugin));
  }
  std::vector<std::pair<std::string, fs::path>> seen;
  for (const auto& [option, path] : outputs) {
    if (path.empty() || path == "-") continue;
    RefuseInputAsOutput(path, read);
    // Two outputs are one file when their targets resolve to one path (links followed, also in
    // the directories leading to them), whether or not it exists yet.
    const fs::path written = OutputTarget(path);
    if (std::error_code dir_ec;
        written.has_parent_path() && !fs::is_directory(written.parent_path(), dir_ec)) {
      throw FileError(path + ": directory " + written.parent_path().string() + " does not exist");
    }
    std::error_code ec;
    const fs::path target = fs::weakly_canonical(fs::absolute(written), ec);
    for (const auto& [other, other_target] : seen) {
      if (!ec && target == other_target) {
        throw CLI::ValidationError(option + " '" + path + "' names the same file as " + other +
                                   ": only the one written last would be left");
      }
    }
    seen.emplace_back(option, target);
  }
}

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

isolate::Options IsolationSelection::Get() const {
  // Read by every worker when it checks a problem's memory: a malformed one is refused here,
  // once, before any work, rather than blamed on every strategy.
  AvailableMemoryBytes();
  isolate::Options o;
  o.isolate = !no_isolation;
  o.timeout_seconds = timeout;
  o.memory_limit_bytes = memory_limit;
  return o;
}

void AddIsolationOptions(CLI::App& cmd, IsolationSelection& isolation, double timeout) {
  isolation.timeout = timeout;
  cmd.add_option("--timeout", isolation.timeout,
                 "Seconds one strategy may take on one problem (verification and timing) before "
                 "its worker is killed and the entry is reported as timed out (0: no limit)")
      // FiniteIn, as every numeric option: CLI11's own conversion would take "0x10" as 16 s.
      ->check(FiniteIn(0.0, 1e6))
      ->capture_default_str();
  cmd.add_option("--memory-limit", isolation.memory_limit,
                 "Memory a worker may map beyond the harness's own: a byte count with an "
                 "optional K, M, G or T suffix, e.g. 4G (0: no limit); an allocation past it is "
                 "reported as out of memory. Default: the machine's memory")
      // One transform that checks and converts: CLI11 runs an option's validators in an order
      // of its own, and a converter must never see text that is not a byte count.
      ->transform(CLI::Validator(
          [](std::string& text) -> std::string {
            const std::optional<int64_t> bytes = ParseByteCount(text);
            if (!bytes) {
              return "'" + text +
                     "' is not a byte count: expected an integer from 0 to 2^63 - 1 bytes with an "
                     "optional K, M, G or T suffix, e.g. 4G";
            }
            text = std::to_string(*bytes);
            return {};
          },
          "BYTES[K|M|G|T]"))
      ->capture_default_str();
  cmd.add_flag("--no-isolation", isolation.no_isolation,
               "Run every strategy in this process instead of in worker processes (for a "
               "debugger): a crash or a hang then ends the whole run, and there is no time or "
               "memory limit");
}

void AddBenchSelectionOptions(CLI::App& cmd, Selection& selection) {
  AddSelectionOptions(cmd, selection, "seeds,networks",
                      "Suites to time, as written: seeds, edge, networks, large, all, or suite "
                      "files; comma-separated",
                      "A problem descriptor to time (repeatable; alone, it replaces the suites)");
}

std::vector<int> TimingSelection::Threads() const {
  return IntegerList(threads, "--threads", 1, 1024);
}

std::vector<std::string> TimingSelection::BenchArgs() const {
  std::string counts;
  for (int t : Threads()) counts += (counts.empty() ? "" : ",") + std::to_string(t);
  // The shortest text that reads back as the same double.
  const auto text = [](double v) {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  };
  return {"--threads",
          counts,
          "--repetitions",
          std::to_string(repetitions),
          "--min-time",
          text(min_time),
          "--seed",
          std::to_string(seed),
          "--bandwidth-seconds",
          text(bandwidth_seconds)};
}

void AddTimingOptions(CLI::App& cmd, TimingSelection& timing) {
  cmd.add_option("--threads", timing.threads,
                 "OpenMP thread counts for threaded strategies, comma-separated (e.g. 1,2); "
                 "single-threaded strategies run once with 1")
      ->check(IntegerListIn(1, 1024))
      ->capture_default_str();
  cmd.add_option("--repetitions", timing.repetitions,
                 "Repetitions of each benchmark in each of its processes")
      ->check(IntegerIn(1, 1000))
      ->capture_default_str();
  cmd.add_option("--min-time", timing.min_time, "Minimum seconds per repetition")
      ->check(FiniteIn(0.0001, 3600.0))
      ->capture_default_str();
  cmd.add_option("--seed", timing.seed, "Seed of the inputs")
      ->check(UnsignedIn(0, UINT64_MAX))
      ->capture_default_str();
  cmd.add_option("--bandwidth-seconds", timing.bandwidth_seconds,
                 "Seconds per cache level spent measuring bandwidth for the report (0: skip)")
      ->check(FiniteIn(0.0, 60.0))
      ->capture_default_str();
}

compare::Options VerdictSelection::Get() const {
  compare::Options o = options;
  o.correction = compare::ParseCorrection(correction);
  return o;
}

void AddVerdictOptions(CLI::App& cmd, VerdictSelection& verdict, const std::string& alpha_help,
                       const std::string& force_help) {
  cmd.add_option("--threshold", verdict.options.threshold,
                 "Smallest change of the median that counts, as a fraction (0.05 = 5%)")
      ->capture_default_str()
      ->check(FiniteIn(0.0, 100.0));
  cmd.add_option("--alpha", verdict.options.alpha, alpha_help)
      ->capture_default_str()
      ->check(FiniteIn(0.0, 1.0));
  cmd.add_option("--correction", verdict.correction,
                 "Correction of the p-values across benchmarks: bh (Benjamini-Hochberg), holm "
                 "or none")
      ->check(CLI::IsMember({"bh", "holm", "none"}))
      ->capture_default_str();
  cmd.add_flag("--all-rows", verdict.options.all_rows,
               "List every benchmark in the Markdown, not only those that changed");
  cmd.add_flag("--force", verdict.options.force, force_help);
}

}  // namespace poolbench::cli
