// poolbench check: the cross-check of strategies against the reference over suites, explicit
// problems and random problems, as a table with a repro line per failure.
#include <unistd.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "bench/progress.hpp"
#include "check/cross_check.hpp"
#include "check/problem_checker.hpp"
#include "check/random_problems.hpp"
#include "check/suite.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/pattern.hpp"
#include "io/atomic_file.hpp"
#include "isolate/hang_limit.hpp"
#include "isolate/outcome.hpp"
#include "isolate/worker.hpp"
#include "poolbench/descriptor.hpp"
#include "render/check_results.hpp"

namespace poolbench::cli {
namespace {

struct CheckOptions {
  Selection selection;
  IsolationSelection isolation;
  int fuzz = 0;
  int threads = 2;
  uint64_t seed = 1;
  bool as_written = false;
  bool quiet = false;
  std::string json;   // --json: the results for scripts
  std::string junit;  // --junit: the results as JUnit XML for CI test views
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

  // Counts the outcome of strategy `s` on `p`, and prints the problem's row once its last
  // strategy is in.
  void Add(const Problem& p, const Strategy& s, const isolate::Outcome& o,
           const CheckOptions& opt) {
    std::string cell;
    if (o.fault == isolate::Fault::kNone) {
      const CheckResult result = Decode(o.result);
      Record(s, p, result, opt);
      cell = Count(s, result);
    } else {
      cell = CountFault(s, p, o, opt);
    }
    cell.resize(width_, ' ');
    row_ += " " + cell;
    if (&s != strategies_.back()) return;
    std::string head = FormatDescriptor(p);
    if (head.size() < kProblemWidth) head.resize(kProblemWidth, ' ');
    // Flushed row by row: what a run printed survives whatever happens next.
    if (!quiet_) std::cout << head << row_ << std::endl;
    row_.clear();
  }

  // A check result as a worker sends it: the verdict's digit, then the detail.
  static std::string Encode(const CheckResult& r) {
    return std::to_string(static_cast<int>(r.verdict)) + r.detail;
  }
  static CheckResult Decode(const std::string& text) {
    return {static_cast<Verdict>(text.at(0) - '0'), text.substr(1)};
  }

  // Every check so far, one record per strategy and problem variant, for --json and --junit.
  const std::vector<render::CheckRecord>& records() const { return records_; }

  // Prints the summary and the failures; throws the failure exit status if any check failed,
  // the usage status when nothing was checked at all, and kExitNotRun when a strategy named in
  // `strategy_pattern` was checked on no problem.
  void Finish(size_t problems, uint64_t seed, const std::string& strategy_pattern) const {
    std::cout << "\nSummary over " << problems << " problems (seed " << seed << "):\n";
    for (const Strategy* s : strategies_) {
      const Tally& t = tally_.at(s->name());
      std::cout << "  " << std::left << std::setw(width_) << s->name() << "  " << t.pass
                << " pass, " << t.fail << " FAIL, " << t.skipped << " skipped\n";
      for (const auto& [reason, count] : t.reasons) {
        std::cout << "      skipped " << count << ": " << reason << "\n";
      }
    }
    int checked = 0;
    for (const auto& [name, t] : tally_) checked += t.pass + t.fail;
    if (failures_.empty() && checked == 0) {
      std::cout.flush();
      std::cerr << "poolbench: error: nothing was checked: "
                << (problems == 0 ? "no problems were selected (empty suite?)"
                                  : "every selected strategy skipped every problem")
                << "\n";
      throw CLI::RuntimeError(kExitUsage);
    }
    // A strategy that skipped every problem would pass unseen among the others.
    std::string not_run;
    for (const Strategy* s : strategies_) {
      const Tally& t = tally_.at(s->name());
      // (The reference is what the others are checked against: it is never checked itself.)
      if (t.pass + t.fail > 0 || s->name() == kReferenceName) continue;
      std::cout << "warning: " << s->name() << " ran on no problem: it skipped all " << t.skipped
                << " (reasons above)\n";
      if (NamePattern::Names(strategy_pattern, s->name())) not_run = s->name();
    }
    if (failures_.empty() && !not_run.empty()) {
      std::cout << "\n" << not_run << " was named in --strategy and ran on no problem\n";
      std::cout.flush();
      throw CLI::RuntimeError(kExitNotRun);
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

  // Counts a strategy that crashed, hung, threw, exited or ran out of memory on `p`.
  std::string CountFault(const Strategy& s, const Problem& p, const isolate::Outcome& o,
                         const CheckOptions& opt) {
    ++tally_[s.name()].fail;
    failures_.push_back(std::string(s.name()) + " on " + FormatDescriptor(p) + " (seed " +
                        std::to_string(opt.seed) +
                        "): " + std::string(isolate::VerdictLabel(o.fault)) + ": " + o.message +
                        "\n  repro: " + ReproLine(s, p, opt.seed, opt.threads));
    records_.push_back({std::string(s.name()), FormatDescriptor(p),
                        std::string(isolate::VerdictName(o.fault)), o.message,
                        ReproLine(s, p, opt.seed, std::clamp(opt.threads, 1, s.MaxThreads()))});
    switch (o.fault) {
      case isolate::Fault::kCrashed:
        return "CRASH";
      case isolate::Fault::kTimedOut:
        return "TIMEOUT";
      case isolate::Fault::kThrew:
        return "THREW";
      case isolate::Fault::kExited:
        return "EXIT";
      default:
        return "OOM";
    }
  }

  void Record(const Strategy& s, const Problem& p, const CheckResult& r, const CheckOptions& opt) {
    // A failure's detail ends with its repro line; the record keeps the two apart.
    static constexpr std::string_view kRepro = "\n  repro: ";
    std::string message = r.detail;
    if (const size_t at = message.rfind(kRepro); at != std::string::npos) message.resize(at);
    records_.push_back({std::string(s.name()), FormatDescriptor(p),
                        std::string(ToString(r.verdict)), message,
                        ReproLine(s, p, opt.seed, std::clamp(opt.threads, 1, s.MaxThreads()))});
  }

  const std::vector<const Strategy*>& strategies_;
  const bool quiet_;
  std::vector<render::CheckRecord> records_;
  size_t width_ = 7;
  std::map<std::string_view, Tally> tally_;
  std::vector<std::string> failures_;
  std::string row_;  // the cells of the problem being checked
};

void RunCheck(const CheckOptions& opt) {
  const auto strategies = SelectStrategies(opt.selection.strategy);
  const auto problems = SelectProblems(opt);
  // Rows printed on a terminal show the progress themselves, and a progress line would be
  // written into the middle of them.
  const bool rows_on_screen = !opt.quiet && isatty(STDOUT_FILENO);
  Progress progress(std::cerr,
                    rows_on_screen ? Progress::Style::kNone : Progress::StyleOf(STDERR_FILENO));
  // A suite file given as an output would be destroyed; two outputs naming one file would
  // leave only the one written last.
  std::vector<std::string> suite_files;
  std::istringstream suites(opt.selection.suite);
  for (std::string name; std::getline(suites, name, ',');) suite_files.push_back(name);
  CheckOutputs({{"--json", opt.json}, {"--junit", opt.junit}}, suite_files);
  // Staged now, so that an unwritable path fails at once, not after the checks.
  std::optional<PendingFile> json, junit;
  if (!opt.json.empty()) json.emplace(opt.json);
  if (!opt.junit.empty()) junit.emplace(opt.junit);
  CheckReport report(strategies, opt.quiet);
  std::cout.flush();
  // One task per (problem, strategy), problem by problem, so that a worker computes each
  // problem's reference results once for all strategies.
  const size_t n = strategies.size();
  ProblemChecker checker(problems, opt.seed);
  const isolate::Task task = [&](size_t i) {
    return CheckReport::Encode(checker.For(i / n).Check(*strategies[i % n], opt.threads));
  };
  const isolate::Options given = opt.isolation.Get();
  isolate::HangLimit hang(given.timeout_seconds);
  const isolate::Done done = [&](size_t i, isolate::Outcome o) {
    if (i % n == 0) progress.Step(i / n, problems.size(), FormatDescriptor(problems[i / n]));
    o = hang.Note(std::string(strategies[i % n]->name()), std::move(o));
    report.Add(problems[i / n], *strategies[i % n], o, opt);
    return true;
  };
  // An invalid problem is bad input, refused before any strategy runs.
  for (const Problem& p : problems) {
    if (std::string e = Validate(p); !e.empty()) {
      throw CLI::ValidationError("--problem", "invalid problem " + FormatDescriptor(p) + ": " + e);
    }
  }
  isolate::Options isolation = given;
  isolation.timeout_of = [&](size_t i) {
    return hang.SecondsFor(std::string(strategies[i % n]->name()));
  };
  isolate::RunTasks(problems.size() * n, task, isolation, done);
  progress.Finish();
  // Written before Finish(), which throws the failure status: a failing run is when CI needs
  // the files most.
  const render::CheckRun run{opt.seed, opt.threads, problems.size(), report.records()};
  if (json) {
    json->Write(render::CheckJson(run));
    json->Commit();
  }
  if (junit) {
    junit->Write(render::CheckJunit(run));
    junit->Commit();
  }
  report.Finish(problems.size(), opt.seed, opt.selection.strategy);
}

// Random problems are generated up front, so their number is bounded.
constexpr int kMaxFuzz = 1'000'000;

void AddCheckCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<CheckOptions>(
      app, "check", RunCheck,
      "Cross-check strategies against the reference (naive_loops) on suites, explicit problems "
      "and random problems, each strategy in a worker process. Exits 1 if any check fails or a "
      "strategy crashes, hangs, throws, exits or runs out of memory, 2 if nothing was checked, 3 "
      "if a strategy named in --strategy was checked on no problem (it skipped them all).");
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
  cmd->add_option("--json", opt->json,
                  "Also write every check (strategy, problem variant, verdict, message, repro "
                  "line) to this file as JSON")
      ->check(NotEmpty("file"));
  cmd->add_option("--junit", opt->junit,
                  "Also write the checks to this file as JUnit XML for CI test views: a test "
                  "suite per strategy, a test case per problem variant")
      ->check(NotEmpty("file"));
  AddIsolationOptions(*cmd, opt->isolation, 60);
}

}  // namespace

POOLBENCH_CLI_COMMAND(20, AddCheckCommand);

}  // namespace poolbench::cli
