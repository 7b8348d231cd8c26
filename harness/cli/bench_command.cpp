// poolbench bench: verify, then time every selected strategy on every selected problem with
// Google Benchmark, and write the JSON report.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "bench/bench_runner.hpp"
#include "bench/progress.hpp"
#include "check/suite.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/options.hpp"
#include "cli/pattern.hpp"
#include "cli/views.hpp"
#include "io/atomic_file.hpp"
#include "poolbench/descriptor.hpp"
#include "render/cells.hpp"
#include "render/render.hpp"
#include "report/journal.hpp"
#include "report/reader.hpp"
#include "report/report.hpp"
#include "report/units.hpp"
#include "report/writer.hpp"

namespace poolbench::cli {
namespace {

struct BenchOptions {
  Selection selection;
  IsolationSelection isolation;
  TimingSelection timing;
  int processes = 3;
  int retries = 2;
  bool keep_disturbed = false;
  std::string shard;
  std::string out = "poolbench_report.json";
  ViewOutputs views;
  bool resume = false;
};

// The problems to time, as written; a problem listed twice is timed once.
std::vector<Problem> SelectProblems(const BenchOptions& opt) {
  std::vector<Problem> out;
  std::set<std::string> seen;
  for (const Problem& p : opt.selection.Problems()) {
    if (seen.insert(FormatDescriptor(p)).second) out.push_back(p);
  }
  return out;
}

std::pair<int, int> ShardOption(const std::string& s) {
  if (const auto shard = report::ParseShard(s)) return *shard;
  throw CLI::ValidationError("--shard", "'" + s + "' is not I/N with 1 <= I <= N (e.g. 2/4)");
}

// Right-aligns text in a column `width` characters wide. std::setw counts bytes, and "µs" is
// three bytes for two characters, so this counts UTF-8 characters to keep the columns straight.
std::string AlignRight(const std::string& text, size_t width) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return std::string(width > chars ? width - chars : 0, ' ') + text;
}

std::string AlignLeft(const std::string& text, size_t width) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return text + std::string(width > chars ? width - chars : 0, ' ');
}

// A fixed-width row of the console table; the column widths fit the longest usual values, and
// the last columns (best peer, processes) are as wide as they are.
void Row(const std::vector<std::string>& cells) {
  struct Column {
    size_t width;
    bool left;
  };
  static constexpr Column kColumns[] = {{18, true},  {7, false}, {10, false}, {20, false},
                                        {20, false}, {7, false}, {16, true},  {8, false}};
  std::string line = "  " + AlignLeft(cells[0], kColumns[0].width);
  for (size_t i = 1; i < cells.size(); ++i) {
    if (i >= std::size(kColumns)) {
      if (!cells[i].empty()) line += "  " + cells[i];
      continue;
    }
    const Column c = kColumns[i];
    line += "  " + (c.left ? AlignLeft(cells[i], c.width) : AlignRight(cells[i], c.width));
  }
  std::cout << line << "\n";
}

// A header naming the columns, then per problem its verdict (a winner, or a tie), one line per
// ranked result, fastest first, and the results that are not ranked: the selection and order of
// render::Summarise(), as in every rendering of the report; then the run's warnings.
void PrintSummary(const report::Run& run) {
  const bool peers = !run.context.peers.empty();
  Row({"strategy", "threads", "time", "95% interval", "vs fastest", "GB/s", "% of roofline",
       "speed-up", peers ? "vs best peer" : "", "processes"});
  for (const render::ProblemResults& p : render::Summarise(run)) {
    std::cout << p.descriptor << ": " << render::VerdictText(p) << "\n";
    for (const render::Result& e : p.ranked) {
      std::string peer;
      if (e.vs_best_peer) peer = render::VsBestPeerText(e) + " vs " + render::BestPeerText(e);
      Row({e.strategy, std::to_string(e.threads), render::TimeText(e), render::IntervalText(e),
           render::VsFastestText(e), render::GbpsText(e), render::BandwidthText(e),
           render::SpeedupText(e), peer, render::ProcessesText(e)});
    }
    for (const render::Result& e : p.unranked) {
      const std::string& why = e.disturbed.empty() ? e.error_message : e.disturbed;
      std::cout << "  " << render::UnrankedLabel(e) << " (not ranked): " << e.strategy << " ("
                << e.threads << " thr)" << (why.empty() ? "" : ": ") << why << "\n";
    }
  }
  std::cout << "(time: median of the processes' medians of their clean repetitions, with its 95% "
               "interval; vs fastest: time / the problem's fastest; speed-up: vs naive_loops; "
               "processes: clean / run, and the spread between and within them)\n";
  for (const report::Warning& w : run.context.warnings) {
    std::cout << "warning: " << w.message << "\n";
  }
}

// Everything that decides a run's entries: a resumed run must have the same.
report::Json Settings(const std::vector<const Strategy*>& strategies,
                      const std::vector<Problem>& problems, const BenchConfig& cfg) {
  report::Json settings = {{"problems", report::Json::array()},
                           {"strategies", report::Json::array()},
                           {"threads", cfg.threads},
                           {"repetitions", cfg.repetitions},
                           {"processes", cfg.processes},
                           {"retries", cfg.retries},
                           {"keep_disturbed", cfg.keep_disturbed},
                           {"min_time", cfg.min_time},
                           {"seed", cfg.seed},
                           {"shard", cfg.shard},
                           {"bandwidth_seconds", cfg.bandwidth_seconds}};
  for (const Problem& p : problems) settings["problems"].push_back(FormatDescriptor(p));
  for (const Strategy* s : strategies) settings["strategies"].push_back(s->name());
  return settings;
}

// The journal of the run: a new one, or with --resume the one an interrupted run left, checked
// to belong to the same settings. `earlier` receives what the journal holds.
report::JournalWriter OpenJournal(const BenchOptions& opt, const report::Json& settings,
                                  std::optional<report::JournalContents>& earlier) {
  const std::string path = report::JournalPath(opt.out);
  if (!opt.resume) {
    const bool unfinished = std::filesystem::exists(std::filesystem::symlink_status(path));
    report::JournalWriter journal = report::JournalWriter::Create(path, settings);
    if (unfinished) {
      std::cerr << "poolbench: replacing " << path << ", the journal of an unfinished run ("
                << "bench --resume would have finished that run)\n";
    }
    return journal;
  }
  // Lost only when nothing is there at all (lstat: a dangling link is something).
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
    throw CLI::ValidationError("--resume", "there is no journal " + path +
                                               " to resume (the run finished, or never started)");
  }
  earlier.emplace();
  report::JournalWriter journal = report::JournalWriter::Resume(path, *earlier);
  const std::vector<std::string> differences =
      report::SettingsDifferences(earlier->settings, settings);
  if (!differences.empty()) {
    std::string list;
    for (const std::string& d : differences) list += "\n  " + d;
    throw CLI::ValidationError(
        "--resume", "the journal " + path + " is of a run with other settings:" + list +
                        "\nresume with the options of that run, or start afresh without --resume");
  }
  if (earlier->dropped_tail) {
    std::cerr << "poolbench: the last result in " << path
              << " was cut short; it is measured again\n";
  }
  journal.Continue(*earlier);
  return journal;
}

void RunBenchCommand(const BenchOptions& opt) {
  const auto strategies = SelectStrategies(opt.selection.strategy);
  std::vector<Problem> problems = SelectProblems(opt);
  BenchConfig cfg;
  if (!opt.shard.empty()) {
    const auto [i, n] = ShardOption(opt.shard);
    problems = ShardOf(problems, i, n);
    cfg.shard = opt.shard;
  }
  cfg.threads = opt.timing.Threads();
  cfg.repetitions = opt.timing.repetitions;
  cfg.processes = opt.processes;
  cfg.retries = opt.retries;
  cfg.keep_disturbed = opt.keep_disturbed;
  cfg.min_time = opt.timing.min_time;
  cfg.seed = opt.timing.seed;
  cfg.bandwidth_seconds = opt.timing.bandwidth_seconds;
  cfg.isolation = opt.isolation.Get();
  // The suites that were run: none when explicit problems replaced the default ones.
  const bool suites_run = opt.selection.suite_option->count() > 0 || opt.selection.problems.empty();
  cfg.selection = {{"suite", suites_run ? opt.selection.suite : ""},
                   {"problems", opt.selection.problems},
                   {"strategy", opt.selection.strategy}};
  if (!opt.shard.empty()) cfg.selection["shard"] = opt.shard;
  // Checked now, so that an --out that cannot be written fails at once, not after minutes of
  // timing: the journal beside it is created in the same directory. The report itself is staged
  // only at the end, so that a killed run leaves no temporary file behind.
  OutputTarget(opt.out);
  std::vector<std::string> suite_files;
  std::istringstream suites(opt.selection.suite);
  for (std::string name; std::getline(suites, name, ',');) suite_files.push_back(name);
  std::vector<std::pair<std::string, std::string>> outputs = {
      {"--out", opt.out}, {"--out's journal", report::JournalPath(opt.out)}};
  for (const auto& view : opt.views.Outputs()) outputs.push_back(view);
  CheckOutputs(outputs, suite_files);
  // Handled from before the journal exists: a signal that finds the journal always finds the
  // handler, which stops the run at its next step and leaves the report as the run decides.
  std::optional<InterruptGuard> interrupts(std::in_place);
  std::optional<report::JournalContents> earlier;
  report::JournalWriter journal = OpenJournal(opt, Settings(strategies, problems, cfg), earlier);
  if (earlier && earlier->run) {
    cfg.resume = &*earlier->run;
    std::cerr << "poolbench: resuming from " << journal.path() << " ("
              << earlier->run->results.size() << " results done)\n";
  }
  cfg.on_context = [&](const report::Json& c) {
    if (!cfg.resume) journal.Append({{"context", c}});
  };
  cfg.on_result = [&](const report::Json& record) { journal.Append(record); };
  Progress progress(std::cerr, Progress::StyleOf(STDERR_FILENO));
  size_t begun = 0;
  cfg.on_problem = [&](size_t i, size_t n, const std::string& d) {
    progress.Step(i, n, d);
    begun = i + 1;
  };
  cfg.stop = [] { return InterruptGuard::Signal() != 0; };
  report::Run r = RunBench(strategies, problems, cfg);
  const int sig = InterruptGuard::Signal();
  interrupts.reset();  // saving the report has its own handlers, which remove a staged file
  progress.Finish();
  const bool nothing_done = r.results.empty() && r.context.skipped.empty();
  if (sig && nothing_done) {
    std::cerr << "poolbench: stopped by " << SignalName(sig) << " before any result; " << opt.out
              << " is left as it was\n";
    throw CLI::RuntimeError(128 + sig);
  }
  if (sig && begun < problems.size()) {
    // The partial report replaces the previous one: --out always holds the latest run, and the
    // mark (and exit status) keep it from passing for a complete one. A run stopped before any
    // result leaves the previous report alone (above).
    r.context.incomplete = report::Incomplete{
        SignalName(sig), static_cast<int64_t>(r.results.size()), static_cast<int64_t>(begun),
        static_cast<int64_t>(problems.size()), journal.path()};
    report::Save(r, opt.out);
    std::cerr << "poolbench: stopped by " << SignalName(sig) << " after " << begun << " of "
              << problems.size() << " problems; partial report (" << r.results.size()
              << " results, marked incomplete): " << opt.out << "\nto finish the run, repeat the "
              << "same command with --resume (the finished results are in " << journal.path()
              << ")\n";
    throw CLI::RuntimeError(128 + sig);
  }
  // A run that timed nothing is no result: the previous report stays.
  if (r.results.empty()) {
    journal.Remove();
    std::cerr << "poolbench: error: nothing was timed: "
              << (problems.empty() ? "no problems were selected (empty suite or shard?)"
                                   : "every selected strategy skipped every problem")
              << "; " << opt.out << " was left as it was\n";
    throw CLI::RuntimeError(kExitUsage);
  }
  report::Save(r, opt.out);
  journal.Remove();
  PrintSummary(r);
  // From the report as saved, so that each view is what `report` renders from the file.
  if (opt.views.Any()) WriteViews(report::Read(opt.out, report::Expect::kPoolbench), opt.views);
  const auto failed = std::count_if(r.results.begin(), r.results.end(),
                                    [](const report::Result& e) { return e.Failed(); });
  std::cout << "\nreport: " << opt.out << " (" << r.results.size() << " results, "
            << r.context.skipped.size() << " skipped)";
  for (const auto& [option, path] : opt.views.Outputs()) {
    if (!path.empty() && path != "-" && option.find(' ') == std::string::npos)
      std::cout << " " << path;
  }
  std::cout << "\n";
  if (sig) throw CLI::RuntimeError(128 + sig);
  if (failed > 0) {
    std::cout << failed
              << " results are wrong, crashed, timed out, threw, exited or ran out of "
                 "memory (not ranked above)\n";
    for (const report::Result& e : r.results) {
      if (e.Failed() && !e.repro.empty()) std::cout << "  repro: " << e.repro << "\n";
    }
    std::cout.flush();
    throw CLI::RuntimeError(kExitFailure);
  }
  // Its warning is above; a strategy asked for by name that never ran is not a pass.
  for (const auto& [strategy, reasons] : report::RanOnNothing(r)) {
    if (NamePattern::Names(opt.selection.strategy, strategy)) {
      std::cout << strategy << " was named in --strategy and ran on no problem\n" << std::flush;
      throw CLI::RuntimeError(kExitNotRun);
    }
  }
}

void AddBenchCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<BenchOptions>(
      app, "bench", RunBenchCommand,
      "Verify every selected strategy against the reference on every selected problem, then "
      "time the correct ones with Google Benchmark and write the JSON report, each strategy in a "
      "worker process. A wrong strategy, or one that crashes, hangs, throws, exits or runs out "
      "of memory, is reported as an error entry, never timed or ranked, and the run exits 1; "
      "a run that timed nothing exits 2; one where a strategy named in --strategy ran on no "
      "problem (it skipped them all) exits 3.");
  AddBenchSelectionOptions(*cmd, opt->selection);
  AddTimingOptions(*cmd, opt->timing);
  cmd->add_option("--processes", opt->processes,
                  "Worker processes each benchmark is measured in, round-robin across the "
                  "strategies of a problem; its time is the median of the processes' medians, "
                  "with a 95% interval over them (1: one process, whose interval says nothing of "
                  "the variation between processes)")
      ->check(IntegerIn(1, 100))
      ->capture_default_str();
  cmd->add_option("--retries", opt->retries,
                  "Extra rounds, at most, for benchmarks that other work on the machine disturbed "
                  "in some of their processes (threads waiting for a CPU, stolen time); a "
                  "benchmark still without enough clean processes is reported as disturbed and "
                  "not ranked")
      ->check(IntegerIn(0, 20))
      ->capture_default_str();
  cmd->add_flag("--keep-disturbed", opt->keep_disturbed,
                "Count repetitions that other work disturbed in the statistic instead of measuring "
                "them again (they stay marked in the report, and a warning says how many): for a "
                "machine that is never quiet, when a number is wanted anyway");
  cmd->add_option("--shard", opt->shard,
                  "Run only shard I of N of the problems (e.g. 2/4), for a CI matrix; join the "
                  "reports with `poolbench report merge`");
  cmd->add_option("-o,--out", opt->out,
                  "Where to write the JSON report; results are journaled in OUT.journal as "
                  "they finish")
      ->capture_default_str();
  AddViewOptions(*cmd, opt->views);
  cmd->add_flag("--resume", opt->resume,
                "Finish a run that was interrupted or killed, from its journal (OUT.journal), "
                "without measuring again what it finished; give the options of that run");
  AddIsolationOptions(*cmd, opt->isolation, 600);
}

}  // namespace

POOLBENCH_CLI_COMMAND(30, AddBenchCommand);

}  // namespace poolbench::cli
