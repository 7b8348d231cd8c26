// poolbench report: a bench report rendered as Markdown, CSV or an HTML page with charts, and
// `report merge`, which joins the reports of a sharded run.

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/views.hpp"
#include "io/atomic_file.hpp"
#include "render/render.hpp"
#include "report/merge.hpp"
#include "report/reader.hpp"
#include "report/report.hpp"
#include "report/writer.hpp"

namespace poolbench::cli {
namespace {

struct ReportOptions {
  std::string input;
  ViewOutputs views;
};

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out;
};

void RunReport(const ReportOptions& opt) {
  if (opt.input.empty()) {
    throw CLI::RequiredError("report needs a report file (poolbench report IN.json)");
  }
  CheckOutputs(opt.views.Outputs(), {opt.input});
  const report::Run r = report::Read(opt.input, report::Expect::kPoolbench);
  if (!opt.views.Any()) std::cout << render::Markdown(r);
  WriteViews(r, opt.views);
}

void RunMerge(const MergeOptions& opt) {
  OutputTarget(opt.out);
  CheckOutputs({{"--out", opt.out}}, opt.inputs);
  std::vector<report::MergeInput> inputs;
  for (const std::string& file : opt.inputs)
    inputs.push_back({file, report::Read(file, report::Expect::kPoolbench)});
  const report::MergeResult merged = report::Merge(inputs);
  for (const std::string& w : merged.warnings) std::cerr << "poolbench: warning: " << w << "\n";
  report::Save(merged.run, opt.out);
  std::cout << "merged " << inputs.size() << " reports (" << merged.run.results.size()
            << " results) into " << opt.out
            << (merged.run.context.incomplete ? ", marked incomplete" : "") << "\n";
}

void AddReportCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<ReportOptions>(
      app, "report", RunReport,
      "Render a report written by `poolbench bench`: Markdown (to stdout when no output is "
      "given), CSV, or a self-contained HTML page with charts (needs Python 3 with "
      "matplotlib). `report merge` joins the reports of a sharded run.");
  cmd->add_option("input", opt->input, "The report (JSON) to render");
  AddViewOptions(*cmd, opt->views);

  auto [merge, mopt] = AddSubcommand<MergeOptions>(
      *cmd, "merge", RunMerge,
      "Join the reports of a sharded run (bench --shard I/N) into one. Refuses shards of "
      "different counts and benchmark names present in two inputs; a partial report among the "
      "inputs makes the merged report partial too.");
  merge->add_option("inputs", mopt->inputs, "The shard reports (at least two)")->required();
  merge->add_option("-o,--out", mopt->out, "The merged report to write")->required();

  // The parent's callback also runs after `report merge`; only plain `report` renders.
  cmd->callback([opt, merge] {
    if (!merge->parsed()) RunReport(*opt);
  });
}

}  // namespace

POOLBENCH_CLI_COMMAND(40, AddReportCommand);

}  // namespace poolbench::cli
