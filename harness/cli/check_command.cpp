// poolbench check: the cross-check of strategies against the reference over suites, explicit
// problems and random problems, as a table with a repro line per failure.
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <map>

#include "check/cross_check.hpp"
#include "check/random_problems.hpp"
#include "check/suite.hpp"
#include "cli/commands.hpp"
#include "poolbench/descriptor.hpp"

namespace poolbench::cli {
namespace {

struct CheckOptions {
  std::string suite = "seeds,edge";
  std::vector<std::string> problems;
  std::string strategy = ".";
  int fuzz = 0;
  int threads = 2;
  uint64_t seed = 1;
  bool as_written = false;
  bool quiet = false;
  bool suite_given = false;
};

std::vector<Problem> SelectProblems(const CheckOptions& opt) {
  // Explicit problems without --suite (a repro line) run just those. Suite problems run in
  // every variant unless --as-written.
  const bool with_suite = opt.problems.empty() || opt.suite_given;
  std::vector<Problem> out = ParseProblems(opt.problems, with_suite ? opt.suite : "",
                                           opt.as_written ? nullptr : CheckVariants);
  for (int i = 0; i < opt.fuzz; ++i) out.push_back(RandomProblem(opt.seed + i));
  return out;
}

void RunCheck(const CheckOptions& opt) {
  const auto strategies = SelectStrategies(opt.strategy);
  const auto problems = SelectProblems(opt);
  const bool progress = isatty(STDERR_FILENO);

  struct Tally {
    int pass = 0, fail = 0, skipped = 0;
    std::map<std::string, int> reasons;
  };
  std::map<std::string_view, Tally> tally;
  std::vector<std::string> failures;

  size_t width = 7;
  for (const Strategy* s : strategies) width = std::max(width, s->name().size());
  if (!opt.quiet) {
    std::cout << std::left << std::setw(58) << "problem";
    for (const Strategy* s : strategies) std::cout << " " << std::setw(width) << s->name();
    std::cout << "\n";
  }
  for (size_t i = 0; i < problems.size(); ++i) {
    const Problem& p = problems[i];
    if (progress) std::cerr << "\r[" << i + 1 << "/" << problems.size() << "] " << std::flush;
    std::string row = FormatDescriptor(p);
    if (row.size() < 58) row.resize(58, ' ');
    CrossChecker checker(p, opt.seed);
    for (const Strategy* s : strategies) {
      const CheckResult r = checker.Check(*s, opt.threads);
      Tally& t = tally[s->name()];
      std::string cell(ToString(r.verdict));
      switch (r.verdict) {
        case Verdict::kPass:
          ++t.pass;
          break;
        case Verdict::kFail:
          ++t.fail;
          failures.push_back(r.detail);
          break;
        case Verdict::kSkipped:
          ++t.skipped;
          ++t.reasons[r.detail];
          cell = s->name() == kReferenceName ? "ref" : "skip";
          break;
      }
      cell.resize(width, ' ');
      row += " " + cell;
    }
    if (!opt.quiet) std::cout << row << "\n";
  }
  if (progress) std::cerr << "\r" << std::string(30, ' ') << "\r";

  std::cout << "\nSummary over " << problems.size() << " problems (seed " << opt.seed << "):\n";
  for (const Strategy* s : strategies) {
    const Tally& t = tally[s->name()];
    std::cout << "  " << std::left << std::setw(width) << s->name() << "  " << t.pass << " pass, "
              << t.fail << " FAIL, " << t.skipped << " skipped\n";
    for (const auto& [reason, count] : t.reasons) {
      std::cout << "      skipped " << count << ": " << reason << "\n";
    }
  }
  if (!failures.empty()) {
    std::cout << "\nFailures:\n";
    for (const auto& f : failures) std::cout << "  " << f << "\n";
    std::cout << "\n" << failures.size() << " check(s) FAILED\n";
    throw CLI::RuntimeError(kExitFailure);
  }
  std::cout << "\nAll checks passed.\n";
}

}  // namespace

void AddCheckCommand(CLI::App& app) {
  auto opt = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Cross-check strategies against the reference (naive_loops) on suites, explicit problems "
      "and random problems. Exits 1 if any check fails.");
  CLI::Option* suite =
      cmd->add_option("--suite", opt->suite,
                      "Suites to check: seeds, edge, networks, large, all, or suite files; "
                      "comma-separated. Each problem runs in every dtype, max/avg and fwd/bwd "
                      "unless --as-written")
          ->capture_default_str();
  cmd->add_option("--problem", opt->problems,
                  "A problem descriptor to check as written, e.g. max:fwd:f32:nchw:1x1x4x4:k2x2 "
                  "(repeatable; alone, it replaces the default suites)");
  cmd->add_option("--strategy", opt->strategy, "Regular expression selecting strategies")
      ->capture_default_str();
  cmd->add_option("--fuzz", opt->fuzz, "Also check this many seeded random problems")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", opt->seed, "Seed of the inputs and of the random problems")
      ->capture_default_str();
  cmd->add_flag("--as-written", opt->as_written,
                "Check suite problems only in the op, dtype and direction written in the suite");
  cmd->add_option("--threads", opt->threads,
                  "Threads for strategies that can use several (races show only there); "
                  "single-threaded strategies always run on one")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", opt->quiet, "Print only the summary and failures, not the table");
  cmd->callback([opt, suite] {
    opt->suite_given = suite->count() > 0;
    RunCheck(*opt);
  });
}

POOLBENCH_CLI_COMMAND(20, AddCheckCommand);

}  // namespace poolbench::cli
