// poolbench compare: two timing reports side by side, per benchmark the change of the median,
// a Mann-Whitney U test over the repetitions and a verdict, for CI to gate on and people to
// read in a pull request.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "compare/compare.hpp"
#include "io/atomic_file.hpp"
#include "render/comparison.hpp"
#include "report/reader.hpp"

namespace poolbench::cli {
namespace {

struct CompareOptions {
  std::string base, head;
  VerdictSelection verdict;
  std::string markdown, json;
};

void RunCompare(const CompareOptions& opt) {
  CheckOutputs({{"--json", opt.json}, {"--markdown", opt.markdown}}, {opt.base, opt.head});
  const report::Run base = report::Read(opt.base, report::Expect::kGoogleBenchmark);
  const report::Run head = report::Read(opt.head, report::Expect::kGoogleBenchmark);
  const compare::Comparison c = compare::Compare(base, head, opt.verdict.Get(), opt.base, opt.head);
  const std::string markdown = render::ComparisonMarkdown(c);
  if (!opt.json.empty()) report::Save(render::ComparisonJson(c), opt.json);
  if (!opt.markdown.empty()) WriteFileAtomically(opt.markdown, markdown);
  std::cout << markdown << std::flush;
  if (c.Failed()) throw CLI::RuntimeError(kExitFailure);
}

void AddCompareCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<CompareOptions>(
      app, "compare", RunCompare,
      "Compare two bench reports (BASE, e.g. the target branch, and NEW, e.g. a pull request) "
      "benchmark by benchmark and print a Markdown table. Exits 1 on any regression or wrong "
      "result, 2 on bad input or reports from different machines or builds.");
  cmd->add_option("BASE", opt->base, "The report to compare against")->required();
  cmd->add_option("NEW", opt->head, "The report under test")->required();
  AddVerdictOptions(*cmd, opt->verdict, "Significance level of the Mann-Whitney U test, in (0, 1)",
                    "Compare reports from different machines or builds (machine, num_cpus, "
                    "compiler, compiler_flags or build_type differ); the differences are printed "
                    "as a warning");
  cmd->add_option("--markdown", opt->markdown, "Also write the Markdown table to this file")
      ->check(NotEmpty("file"));
  cmd->add_option("--json", opt->json,
                  "Also write the comparison as JSON (options, rows, summary counts) to this file")
      ->check(NotEmpty("file"));
  cmd->footer(
      "Benchmarks are matched by run_name. Their repetitions (run_type \"iteration\") are the "
      "samples; aggregates are ignored. A benchmark is a regression when its median real time "
      "grows by more than the threshold and the two-sided Mann-Whitney U test gives p < alpha "
      "after the correction across benchmarks, an improvement likewise, else the same; a benchmark "
      "whose NEW run gives a wrong result "
      "(verdict FAIL) where BASE did not is 'wrong' and fails like a regression.\n\n"
      "With few repetitions the U test cannot reach significance: n vs m samples give at best "
      "p = 2 / C(n+m, n), so 3 vs 3 repetitions give at best p = 0.1 and can never pass "
      "alpha = 0.05 (4 vs 4 can: 0.029). Such benchmarks are decided by the ratio of the "
      "medians alone, and their rows say so; run bench with at least 4 repetitions on both "
      "sides to have every change tested.");
}

}  // namespace

POOLBENCH_CLI_COMMAND(50, AddCompareCommand);

}  // namespace poolbench::cli
