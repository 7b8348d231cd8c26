// poolbench check: the cross-check of strategies against the reference over suites, explicit
// problems and random problems, as a table with a repro line per failure.
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <map>

#include "bench/progress.hpp"
#include "check/cross_check.hpp"
#include "check/random_problems.hpp"
#include "check/suite.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "poolbench/descriptor.hpp"

namespace poolbench::cli {
namespace {

struct CheckOptions {
  Selection selection;
  int fuzz = 0;
  int threads = 2;
  uint64_t seed = 1;
  bool as_written = false;
  bool quiet = false;
};

// The problems to check: suite problems in every variant unless --as-written, then the
// random ones.
std::vector<Problem> SelectProblems(const CheckOptions& opt) {
  std::vector<Problem> out = opt.selection.Problems(opt.as_written ? nullptr : CheckVariants);
  for (int i = 0; i < opt.fuzz; ++i) out.push_back(RandomProblem(opt.seed + i));
  return out;
}

// What one strategy did over all problems.
struct Tally {
  int pass = 0, fail = 0, skipped = 0;
  std::map<std::string, int> reasons;
};

// The table, the tallies and the failures of a run, as the checks come in.
class CheckReport {
 public:
  CheckReport(const std::vector<const Strategy*>& strategies, bool quiet)
      : strategies_(strategies), quiet_(quiet) {
    for (const Strategy* s : strategies) {
      width_ = std::max(width_, s->name().size());
      tally_[s->name()];
    }
    if (quiet_) return;
    std::cout << std::left << std::setw(kProblemWidth) << "problem";
    for (const Strategy* s : strategies) std::cout << " " << std::setw(width_) << s->name();
    std::cout << "\n";
  }

  // Checks every strategy on `p` and prints the problem's row.
  void CheckProblem(const Problem& p, const CheckOptions& opt) {
    std::string row = FormatDescriptor(p);
    if (row.size() < kProblemWidth) row.resize(kProblemWidth, ' ');
    CrossChecker checker(p, opt.seed);
    for (const Strategy* s : strategies_) {
      std::string cell = Count(*s, checker.Check(*s, opt.threads));
      cell.resize(width_, ' ');
      row += " " + cell;
    }
    if (!quiet_) std::cout << row << "\n";
  }

  // Prints the summary and the failures; throws the failure exit status if any check failed.
  void Finish(size_t problems, uint64_t seed) const {
    std::cout << "\nSummary over " << problems << " problems (seed " << seed << "):\n";
    for (const Strategy* s : strategies_) {
      const Tally& t = tally_.at(s->name());
      std::cout << "  " << std::left << std::setw(width_) << s->name() << "  " << t.pass
                << " pass, " << t.fail << " FAIL, " << t.skipped << " skipped\n";
      for (const auto& [reason, count] : t.reasons) {
        std::cout << "      skipped " << count << ": " << reason << "\n";
      }
    }
    if (failures_.empty()) {
      std::cout << "\nAll checks passed.\n";
      return;
    }
    std::cout << "\nFailures:\n";
    for (const auto& f : failures_) std::cout << "  " << f << "\n";
    std::cout << "\n" << failures_.size() << " check(s) FAILED\n";
    throw CLI::RuntimeError(kExitFailure);
  }

 private:
  static constexpr size_t kProblemWidth = 58;

  // Counts a result and returns its cell in the table.
  std::string Count(const Strategy& s, const CheckResult& r) {
    Tally& t = tally_[s.name()];
    switch (r.verdict) {
      case Verdict::kPass:
        ++t.pass;
        break;
      case Verdict::kFail:
        ++t.fail;
        failures_.push_back(r.detail);
        break;
      case Verdict::kSkipped:
        ++t.skipped;
        ++t.reasons[r.detail];
        return s.name() == kReferenceName ? "ref" : "skip";
    }
    return std::string(ToString(r.verdict));
  }

  const std::vector<const Strategy*>& strategies_;
  const bool quiet_;
  size_t width_ = 7;
  std::map<std::string_view, Tally> tally_;
  std::vector<std::string> failures_;
};

void RunCheck(const CheckOptions& opt) {
  const auto strategies = SelectStrategies(opt.selection.strategy);
  const auto problems = SelectProblems(opt);
  // Rows printed on a terminal show the progress themselves, and a progress line would be
  // written into the middle of them.
  const bool rows_on_screen = !opt.quiet && isatty(STDOUT_FILENO);
  Progress progress(std::cerr,
                    rows_on_screen ? Progress::Style::kNone : Progress::StyleOf(STDERR_FILENO));
  CheckReport report(strategies, opt.quiet);
  for (size_t i = 0; i < problems.size(); ++i) {
    progress.Step(i, problems.size(), FormatDescriptor(problems[i]));
    report.CheckProblem(problems[i], opt);
  }
  progress.Finish();
  report.Finish(problems.size(), opt.seed);
}

// Random problems are generated up front, so their number is bounded.
constexpr int kMaxFuzz = 1'000'000;

void AddCheckCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<CheckOptions>(
      app, "check", RunCheck,
      "Cross-check strategies against the reference (naive_loops) on suites, explicit problems "
      "and random problems. Exits 1 if any check fails.");
  AddSelectionOptions(*cmd, opt->selection, "seeds,edge",
                      "Suites to check: seeds, edge, networks, large, all, or suite files; "
                      "comma-separated. Each problem runs in every dtype, max/avg and fwd/bwd "
                      "unless --as-written",
                      "A problem descriptor to check as written, e.g. "
                      "max:fwd:f32:nchw:1x1x4x4:k2x2 (repeatable; alone, it replaces the default "
                      "suites)");
  cmd->add_option("--fuzz", opt->fuzz, "Also check this many seeded random problems")
      ->check(IntegerIn(0, kMaxFuzz));
  cmd->add_option("--seed", opt->seed, "Seed of the inputs and of the random problems")
      ->check(UnsignedIn(0, UINT64_MAX))
      ->capture_default_str();
  cmd->add_flag("--as-written", opt->as_written,
                "Check suite problems only in the op, dtype and direction written in the suite");
  cmd->add_option("--threads", opt->threads,
                  "Threads for strategies that can use several (races show only there); "
                  "single-threaded strategies always run on one")
      ->check(IntegerIn(1, 1024))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", opt->quiet, "Print only the summary and failures, not the table");
}

}  // namespace

POOLBENCH_CLI_COMMAND(20, AddCheckCommand);

}  // namespace poolbench::cli
