// poolbench ab: two poolbench executables (a base build and a new build) measured interleaved,
// round by round, then compared round-paired (compare::CompareRounds), for a CI gate that
// holds on unchanged code on a shared machine.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "ab/interleave.hpp"
#include "check/suite.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "compare/compare.hpp"
#include "io/atomic_file.hpp"
#include "poolbench/descriptor.hpp"
#include "render/comparison.hpp"
#include "report/reader.hpp"

namespace poolbench::cli {
namespace {

struct AbOptions {
  ab::Plan plan;
  // Forwarded to both sides' `bench`.
  Selection selection;
  TimingSelection timing;
  VerdictSelection verdict;
  std::string json = "ab.json", markdown;
  std::string old_out;                       // -o/--out, the name --json had before
  const CLI::Option* json_option = nullptr;  // to tell a --json given from the default
  bool reuse = false;
  int per_process = 1;  // problems per bench process; 0: all in one

  AbOptions() {
    // Longer than bench's own default: a pair of rounds compares two processes' medians.
    timing.min_time = 0.1;
  }
};

std::vector<std::string> BenchArgs(const AbOptions& opt) {
  std::vector<std::string> args = {
      "--processes",
      "1",  // each round is a process on each side: the rounds pair them
      // A round whose repetitions other work disturbed still pairs with the other side's;
      // the paired test and the noise floor weigh it, and the reports keep the evidence.
      "--keep-disturbed", "--strategy", opt.selection.strategy};
  const std::vector<std::string> timing = opt.timing.BenchArgs();
  args.insert(args.end(), timing.begin(), timing.end());
  if (opt.per_process > 0) return args;  // the problems come in chunks
  if (opt.selection.suite_option->count() > 0) {
    args.insert(args.end(), {"--suite", opt.selection.suite});
  }
  for (const std::string& p : opt.selection.problems) args.insert(args.end(), {"--problem", p});
  return args;
}

// The problems, per_process at a time, as bench arguments, chosen by bench's own rule
// (Selection::Problems: explicit problems alone replace the suites).
std::vector<std::vector<std::string>> Chunks(const AbOptions& opt) {
  std::vector<std::vector<std::string>> out;
  if (opt.per_process <= 0) return out;
  std::set<std::string> seen;
  for (const Problem& p : opt.selection.Problems()) {
    const std::string d = FormatDescriptor(p);
    if (!seen.insert(d).second) continue;
    if (out.empty() || out.back().size() >= 2 * static_cast<size_t>(opt.per_process)) {
      out.emplace_back();
    }
    out.back().insert(out.back().end(), {"--problem", d});
  }
  return out;
}

std::vector<report::Run> ReadAll(const std::vector<std::string>& paths) {
  std::vector<report::Run> out;
  for (const std::string& p : paths)
    out.push_back(report::Read(p, report::Expect::kGoogleBenchmark));
  return out;
}

// Every round's two reports must have a benchmark in common: a side that measured something
// else (another suite, a build that skipped everything) would otherwise pass the gate with
// nothing compared.
void RequireCommonBenchmarks(const std::vector<report::Run>& base,
                             const std::vector<report::Run>& head, const ab::Reports& paths) {
  for (size_t r = 0; r < base.size() && r < head.size(); ++r) {
    const std::vector<report::Result>& results = head[r].results;
    if (std::none_of(results.begin(), results.end(),
                     [&](const report::Result& e) { return base[r].Find(e.name) != nullptr; })) {
      throw report::ReportError("round " + std::to_string(r + 1) + ": " + paths.base[r] + " and " +
                                paths.head[r] +
                                " have no benchmark in common (matched by run_name): nothing "
                                "would be compared; do both executables bench the same problems "
                                "and strategies?");
    }
  }
}

void RunAb(const AbOptions& in) {
  AbOptions opt = in;
  if (!opt.old_out.empty()) {
    if (opt.json_option->count() > 0) {
      throw CLI::ValidationError("--out", "is the old name of --json: give one of them");
    }
    opt.json = opt.old_out;
  }
  if (opt.plan.dir.empty()) {
    opt.plan.dir = std::filesystem::path(opt.json).replace_extension(".rounds").string();
  }
  opt.plan.bench_args = BenchArgs(opt);
  opt.plan.chunks = Chunks(opt);
  ab::Reports reports;
  for (size_t r = 0; r < opt.plan.rounds; ++r) {
    reports.base.push_back(ab::ReportPath(opt.plan, r, ab::Side::kBase));
    reports.head.push_back(ab::ReportPath(opt.plan, r, ab::Side::kNew));
  }
  // Neither output may be an executable, a round report or the other output.
  std::vector<std::string> inputs = {opt.plan.base_exe, opt.plan.new_exe};
  inputs.insert(inputs.end(), reports.base.begin(), reports.base.end());
  inputs.insert(inputs.end(), reports.head.begin(), reports.head.end());
  OutputTarget(opt.json);
  CheckOutputs({{"--json", opt.json}, {"--markdown", opt.markdown}}, inputs);
  // Staged now, so that an output that cannot be written fails at once, not after every round.
  PendingFile out(opt.json);
  std::optional<PendingFile> markdown_file;
  if (!opt.markdown.empty()) markdown_file.emplace(opt.markdown);
  if (!opt.reuse) {
    reports = ab::Run(opt.plan, [](const std::string& line) { std::cerr << line << std::endl; });
  }
  const std::vector<report::Run> base = ReadAll(reports.base), head = ReadAll(reports.head);
  RequireCommonBenchmarks(base, head, reports);
  const compare::Comparison c =
      compare::CompareRounds(base, head, opt.verdict.Get(), opt.plan.base_exe, opt.plan.new_exe);
  report::Json j = render::ComparisonJson(c);
  j["round_reports"] = {{"base", reports.base}, {"new", reports.head}};
  out.Write(report::Text(j));
  const std::string markdown = render::ComparisonMarkdown(c);
  if (markdown_file) markdown_file->Write(markdown);
  out.Commit();
  if (markdown_file) markdown_file->Commit();
  std::cout << markdown << std::flush;
  if (c.Failed()) throw CLI::RuntimeError(kExitFailure);
}

void AddAbCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<AbOptions>(
      app, "ab", RunAb,
      "Measure two poolbench executables (BASE_EXE, e.g. the target branch's build, and NEW_EXE, "
      "e.g. a pull request's) interleaved: each round runs `bench` once with each, in "
      "alternating order, with the same options; then compare them round-paired and print the "
      "Markdown comparison. Exits 1 on any regression or wrong result, 2 on bad input or a "
      "bench process that fails.");
  cmd->add_option("BASE_EXE", opt->plan.base_exe, "The base poolbench executable (or a script)")
      ->required();
  cmd->add_option("NEW_EXE", opt->plan.new_exe, "The poolbench executable under test")->required();
  cmd->add_option("--rounds", opt->plan.rounds, "Rounds (one bench process per side each)")
      ->check(UnsignedIn(2, 1000))
      ->capture_default_str();
  AddBenchSelectionOptions(*cmd, opt->selection);
  AddTimingOptions(*cmd, opt->timing);
  AddVerdictOptions(*cmd, opt->verdict,
                    "Significance level of the paired test, after the correction, in (0, 1)",
                    "Compare executables built differently (compiler, flags, build type)");
  cmd->add_option("--noise-k", opt->verdict.options.noise_k,
                  "Noise floor: changes within k x the round-to-round spread are within noise")
      ->check(FiniteIn(0.0, 1000.0))
      ->capture_default_str();
  opt->json_option =
      cmd->add_option("--json", opt->json, "Where to write the comparison as JSON (as compare)")
          ->capture_default_str();
  // The name it had before it was aligned with compare's, still accepted (not listed).
  cmd->add_option("-o,--out", opt->old_out, "")->group("");
  cmd->add_option("--markdown", opt->markdown, "Also write the Markdown comparison to this file")
      ->check(NotEmpty("file"));
  cmd->add_option(
         "--dir", opt->plan.dir,
         "Where to keep each round's reports and logs (default: the --json path with .rounds)")
      ->check(NotEmpty("directory"));
  cmd->add_option("--problems-per-process", opt->per_process,
                  "Problems per bench process: base and new alternate every this many problems, "
                  "so the two sides of a pair are measured seconds apart (0: one process per "
                  "side per round, the whole selection)")
      ->check(IntegerIn(0, 1000000))
      ->capture_default_str();
  cmd->add_option("--process-timeout", opt->plan.process_timeout,
                  "Seconds a bench process may take before the other side has run the same "
                  "problems, and at most in any case (0: no limit); once it has, a process may "
                  "take 10 times as long as the other side did (at least 60 s), and one that "
                  "takes longer is killed and fails the run")
      ->check(FiniteIn(0.0, 1e7))
      ->capture_default_str();
  cmd->add_flag("--reuse", opt->reuse,
                "Do not run anything: compare the round reports already in --dir again (e.g. "
                "with another threshold)");
  cmd->footer(
      "Each round runs `BASE_EXE bench ...` and `NEW_EXE bench ...` one after the other (base "
      "first in odd rounds, new first in even ones), so drift of a shared machine hits both "
      "sides alike. Per benchmark each round's median of each side forms a pair; the change is "
      "the geometric mean of the paired ratios, tested with Student's t over the rounds' log "
      "ratios, corrected across benchmarks (Benjamini-Hochberg unless --correction), and held "
      "against a noise floor of max(threshold, noise-k x the round-to-round spread of the log "
      "ratio): smaller changes are reported 'within noise', never as regressions. Each "
      "strategy as a whole is tested the same way on the mean of its benchmarks' log ratios per "
      "round (Holm across strategies, its own noise floor); when it changed, its benchmarks "
      "beyond the threshold in that direction are flagged with it.\n\n"
      "To give one side a plugin or an environment, pass a script as its executable, e.g. "
      "`#!/bin/sh\\nexec /path/poolbench --plugin my.so \"$@\"`.");
}

}  // namespace

POOLBENCH_CLI_COMMAND(55, AddAbCommand);

}  // namespace poolbench::cli
