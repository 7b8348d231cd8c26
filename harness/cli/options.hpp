// Pieces the subcommands share: adding a subcommand whose options outlive parsing, and the
// selection of strategies and problems that check and bench both take.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compare/compare.hpp"
#include "isolate/worker.hpp"
#include "poolbench/problem.hpp"

namespace poolbench::cli {

// Adds the subcommand `name` to `app`. Its options live in an Options object shared with the
// subcommand's callback, which calls run(options) when the subcommand is given. Returns the
// subcommand, to add the options to, and the object they are bound to.
template <class Options>
std::pair<CLI::App*, std::shared_ptr<Options>> AddSubcommand(CLI::App& app, const std::string& name,
                                                             void (*run)(const Options&),
                                                             const std::string& help) {
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->callback([options, run] { run(*options); });
  return {cmd, options};
}

// A validator for a numeric option that accepts exactly the numbers in [min, max] and refuses
// everything else with the range in the message. CLI11's own conversion saturates ("-1" for an
// unsigned option becomes its maximum, a 20-digit integer becomes INT64_MAX) and CLI::Range
// lets NaN through (every comparison with NaN is false), so the text is parsed here first, in
// full, with std::from_chars: a value that does not fit the type, a NaN or an infinity is
// refused before CLI11 converts it.
CLI::Validator IntegerIn(int64_t min, int64_t max);
CLI::Validator UnsignedIn(uint64_t min, uint64_t max);
CLI::Validator FiniteIn(double min, double max);

// A list of integers, comma-separated ("1,2,4"), each in [min, max]: an empty item ("1,,2"), a
// repeated one or a value out of range is refused with the option's name. For options that
// CLI11 would split itself, dropping empty items without a word.
std::vector<int> IntegerList(const std::string& text, const std::string& option, int min, int max);
CLI::Validator IntegerListIn(int min, int max);

// For an optional output (or any text option whose empty value means "not given"): refuses an
// empty value given on the command line, which would otherwise be taken for the option not given
// and leave the command to exit 0 without writing anything (`--json "$UNSET_VARIABLE"`).
CLI::Validator NotEmpty(const std::string& what);

// The files a command writes, as (option, path): refused before any work when one names the
// same file as another (only the one written last would be left), as one of `inputs`, a plugin
// loaded or the poolbench executable (links followed; writing it would destroy what is read),
// or a place where it cannot be written (OutputTarget: a directory, a device; or in a directory
// that does not exist). Outputs not given (empty) and "-" (standard output) are skipped; a command
// whose output must be given checks it with OutputTarget, which refuses an empty path.
void CheckOutputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                  const std::vector<std::string>& inputs);

// Which strategies and problems a command runs: --strategy, --suite and --problem.
struct Selection {
  std::string strategy = ".";
  std::string suite;
  std::vector<std::string> problems;
  const CLI::Option* suite_option = nullptr;  // to tell a --suite given from the default

  // Explicit problems without --suite (a repro line) run just those; otherwise the suite's
  // problems follow them, each replaced by `expand(problem)` when `expand` is given.
  std::vector<Problem> Problems(std::vector<Problem> (*expand)(const Problem&) = nullptr) const;
};

// Adds --suite (defaulting to `suite`), --problem and --strategy to `cmd`.
void AddSelectionOptions(CLI::App& cmd, Selection& selection, const std::string& suite,
                         const std::string& suite_help, const std::string& problem_help);

// How check, bench, pool and list run strategies: in worker processes with a time limit per
// (strategy, problem) entry and a memory limit (--timeout, --memory-limit), or all in this
// process (--no-isolation).
struct IsolationSelection {
  double timeout = 60;
  uint64_t memory_limit = isolate::PhysicalMemoryBytes();
  bool no_isolation = false;

  // Throws std::invalid_argument for a malformed $POOLBENCH_MEMORY_LIMIT.
  isolate::Options Get() const;
};

// Adds --timeout (defaulting to `timeout` seconds), --memory-limit and --no-isolation to `cmd`.
// --memory-limit takes a byte count with an optional K, M, G or T suffix (powers of 1024); a
// negative, fractional or malformed one, or one beyond 2^63 - 1 bytes, is refused. So is a
// malformed $POOLBENCH_MEMORY_LIMIT, when the command starts rather than in every worker.
void AddIsolationOptions(CLI::App& cmd, IsolationSelection& isolation, double timeout);

// bench's --suite, --problem and --strategy, with its default suites; ab forwards them to both
// sides' bench.
void AddBenchSelectionOptions(CLI::App& cmd, Selection& selection);

// How bench times each benchmark: --threads, --repetitions, --min-time, --seed and
// --bandwidth-seconds, declared once for bench and for ab, which forwards them (ab sets its own
// defaults before adding them).
struct TimingSelection {
  std::string threads = "1";
  int repetitions = 2;
  double min_time = 0.05;
  uint64_t seed = 1;
  double bandwidth_seconds = 0.1;

  // The thread counts, each once ("--threads" refuses "1,,2" and "2,2").
  std::vector<int> Threads() const;
  // These options as bench's arguments.
  std::vector<std::string> BenchArgs() const;
};
void AddTimingOptions(CLI::App& cmd, TimingSelection& timing);

// How compare and ab decide a benchmark changed: --threshold, --alpha, --correction, --all-rows
// and --force. Their tests differ (compare: Mann-Whitney U over repetitions; ab: Student's t over
// paired rounds), so the help of --alpha and --force is the caller's.
struct VerdictSelection {
  compare::Options options;
  std::string correction = "bh";

  // The options with the correction parsed.
  compare::Options Get() const;
};
void AddVerdictOptions(CLI::App& cmd, VerdictSelection& verdict, const std::string& alpha_help,
                       const std::string& force_help);

}  // namespace poolbench::cli
