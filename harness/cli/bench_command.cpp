// poolbench bench: verify, then time every selected strategy on every selected problem with
// Google Benchmark, and write the JSON report.
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <map>
#include <set>

#include "bench/bench_runner.hpp"
#include "check/suite.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "io/atomic_file.hpp"
#include "poolbench/descriptor.hpp"
#include "report/report.hpp"
#include "report/units.hpp"

namespace poolbench::cli {
namespace {

struct BenchOptions {
  Selection selection;
  std::vector<int> threads = {1};
  int repetitions = 1;
  double min_time = 0.1;
  uint64_t seed = 1;
  std::string shard;
  std::string out = "poolbench_report.json";
  double bandwidth_seconds = 0.1;
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

std::pair<int, int> ParseShard(const std::string& s) {
  const size_t slash = s.find('/');
  try {
    if (slash != std::string::npos) {
      size_t used_i = 0, used_n = 0;
      const int i = std::stoi(s.substr(0, slash), &used_i);
      const int n = std::stoi(s.substr(slash + 1), &used_n);
      if (used_i == slash && used_n == s.size() - slash - 1 && n >= 1 && i >= 1 && i <= n) {
        return {i, n};
      }
    }
  } catch (const std::exception&) {
  }
  throw CLI::ValidationError("--shard", "'" + s + "' is not I/N with 1 <= I <= N (e.g. 2/4)");
}

// Right-aligns text in a column `width` characters wide. std::setw counts bytes, and "µs" is
// three bytes for two characters, so this counts UTF-8 characters to keep the columns straight.
std::string AlignRight(const std::string& text, size_t width) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return std::string(width > chars ? width - chars : 0, ' ') + text;
}

// One line per timed configuration, fastest first within each problem.
void PrintSummary(const report::Json& r) {
  namespace field = report::field;
  std::map<std::string, std::vector<const report::Json*>> by_problem;
  std::vector<std::string> order, wrong;
  const int reps = r["benchmarks"].empty() ? 1 : r["benchmarks"][0].value("repetitions", 1);
  for (const auto& e : r["benchmarks"]) {
    if (e.value("error_occurred", false)) {
      wrong.push_back(e["name"].get<std::string>());
      continue;
    }
    const bool wanted =
        reps > 1 ? e.value("aggregate_name", "") == "mean" : e["run_type"] == "iteration";
    if (!wanted) continue;
    const std::string d = e[field::kDescriptor];
    if (!by_problem.count(d)) order.push_back(d);
    by_problem[d].push_back(&e);
  }
  for (const auto& d : order) {
    auto& rows = by_problem[d];
    std::sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
      return report::RealTimeNs(*a) < report::RealTimeNs(*b);
    });
    std::cout << d << "\n";
    for (const auto* e : rows) {
      std::cout << "  " << std::left << std::setw(18) << (*e)[field::kStrategy].get<std::string>()
                << std::right << std::setw(3) << (*e)["threads"].get<int>() << " thr "
                << AlignRight(FormatDuration(report::RealTimeNs(*e)), 11) << std::fixed
                << std::setprecision(2) << std::setw(9) << e->value(field::kGBps, 0.0) << " GB/s";
      if (e->contains(field::kBandwidthFraction)) {
        std::cout << std::setw(7) << std::setprecision(1)
                  << 100 * (*e)[field::kBandwidthFraction].get<double>() << "% of "
                  << (*e)[field::kBandwidthLevel].get<std::string>();
      }
      if (e->contains(field::kSpeedup)) {
        std::cout << std::setw(8) << std::setprecision(2) << (*e)[field::kSpeedup].get<double>()
                  << "x ref";
      }
      std::cout << "\n";
    }
  }
  for (const auto& w : wrong) std::cout << "WRONG (not timed): " << w << "\n";
}

void RunBenchCommand(const BenchOptions& opt) {
  const auto strategies = SelectStrategies(opt.selection.strategy);
  std::vector<Problem> problems = SelectProblems(opt);
  BenchConfig cfg;
  if (!opt.shard.empty()) {
    const auto [i, n] = ParseShard(opt.shard);
    problems = ShardOf(problems, i, n);
    cfg.shard = opt.shard;
  }
  cfg.threads = opt.threads;
  cfg.repetitions = opt.repetitions;
  cfg.min_time = opt.min_time;
  cfg.seed = opt.seed;
  cfg.bandwidth_seconds = opt.bandwidth_seconds;
  if (isatty(STDERR_FILENO)) {
    cfg.on_problem = [](size_t i, size_t n, const std::string& d) {
      std::cerr << "\r\033[K[" << i + 1 << "/" << n << "] " << d << std::flush;
    };
  }
  // Staged now, so that an unwritable --out fails at once, not after minutes of timing.
  PendingFile out(opt.out);
  const report::Json r = RunBench(strategies, problems, cfg);
  if (cfg.on_problem) std::cerr << "\r\033[K";
  out.Write(report::Text(r));
  out.Commit();
  PrintSummary(r);
  std::cout << "\nreport: " << opt.out << " (" << r["benchmarks"].size() << " entries, "
            << r["context"][report::ctx::kSkipped].size() << " skipped)\n";
}

void AddBenchCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<BenchOptions>(
      app, "bench", RunBenchCommand,
      "Verify every selected strategy against the reference on every selected problem, then "
      "time the correct ones with Google Benchmark and write the JSON report. A wrong strategy "
      "is reported as an error entry, never timed or ranked.");
  AddSelectionOptions(*cmd, opt->selection, "seeds,networks",
                      "Suites to time, as written: seeds, edge, networks, large, all, or suite "
                      "files; comma-separated",
                      "A problem descriptor to time (repeatable; alone, it replaces the suites)");
  cmd->add_option("--threads", opt->threads,
                  "OpenMP thread counts for threaded strategies, comma-separated (e.g. 1,2); "
                  "single-threaded strategies run once with 1")
      ->delimiter(',')
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--repetitions", opt->repetitions,
                  "Repetitions of each benchmark (samples for compare's U test)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--min-time", opt->min_time, "Minimum seconds per repetition")
      ->check(CLI::Range(0.0001, 3600.0))
      ->capture_default_str();
  cmd->add_option("--seed", opt->seed, "Seed of the inputs")->capture_default_str();
  cmd->add_option("--shard", opt->shard,
                  "Run only shard I of N of the problems (e.g. 2/4), for a CI matrix; join the "
                  "reports with `poolbench report merge`");
  cmd->add_option("--bandwidth-seconds", opt->bandwidth_seconds,
                  "Seconds per cache level spent measuring bandwidth for the report (0: skip)")
      ->check(CLI::Range(0.0, 60.0))
      ->capture_default_str();
  cmd->add_option("-o,--out", opt->out, "Where to write the JSON report")->capture_default_str();
}

}  // namespace

POOLBENCH_CLI_COMMAND(30, AddBenchCommand);

}  // namespace poolbench::cli
