// poolbench report: a bench report rendered as Markdown, CSV or an HTML page with charts, and
// `report merge`, which joins the reports of a sharded run.

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
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
  std::string markdown;
  std::string csv;
  std::string html;
};

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out;
};

// Writes an output file atomically; "-" is standard output.
void Write(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text << std::flush;
    return;
  }
  WriteFileAtomically(path, text);
}

void RunReport(const ReportOptions& opt) {
  if (opt.input.empty()) {
    throw CLI::RequiredError("report needs a report file (poolbench report IN.json)");
  }
  CheckOutputs({{"--markdown", opt.markdown},
                {"--csv", opt.csv},
                {"--html", opt.html},
                {"--html's summary", opt.html.empty() ? "" : opt.html + ".summary.json"}},
               {opt.input});
  const report::Run r = report::Read(opt.input, report::Expect::kPoolbench);
  const bool any = !opt.markdown.empty() || !opt.csv.empty() || !opt.html.empty();
  if (!any) std::cout << render::Markdown(r);
  if (!opt.markdown.empty()) Write(opt.markdown, render::Markdown(r));
  if (!opt.csv.empty()) Write(opt.csv, render::Csv(r));
  // Last, because it depends on an outside interpreter: when Python is missing, the Markdown
  // and CSV asked for in the same run are still written.
  if (!opt.html.empty()) render::WriteHtml(r, opt.html);
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
  cmd->add_option("--markdown", opt->markdown, "Write Markdown to this file ('-': stdout)")
      ->check(NotEmpty("file"));
  cmd->add_option("--csv", opt->csv, "Write CSV, one row per strategy, problem and thread count")
      ->check(NotEmpty("file"));
  cmd->add_option("--html", opt->html,
                  "Write an HTML page with charts, drawn by scripts/plot_report.py (interpreter: "
                  "$POOLBENCH_PYTHON, default /usr/bin/python3; script folder: "
                  "$POOLBENCH_SCRIPT_DIR)")
      ->check(NotEmpty("file"));

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
