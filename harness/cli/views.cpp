#include "cli/views.hpp"

#include <iostream>

#include "cli/options.hpp"
#include "io/atomic_file.hpp"
#include "render/render.hpp"

namespace poolbench::cli {
namespace {

// Writes an output file atomically; "-" is standard output.
void Write(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text << std::flush;
    return;
  }
  WriteFileAtomically(path, text);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ViewOutputs::Outputs() const {
  return {{"--markdown", markdown},
          {"--csv", csv},
          {"--html", html},
          {"--html's summary", html.empty() ? "" : html + ".summary.json"}};
}

void AddViewOptions(CLI::App& cmd, ViewOutputs& views) {
  cmd.add_option("--markdown", views.markdown,
                 "Write the report as Markdown to this file ('-': standard output)")
      ->check(NotEmpty("file"));
  cmd.add_option("--csv", views.csv, "Write CSV, one row per strategy, problem and thread count")
      ->check(NotEmpty("file"));
  cmd.add_option("--html", views.html,
                 "Write an HTML page with charts, drawn by scripts/plot_report.py (interpreter: "
                 "$POOLBENCH_PYTHON, default /usr/bin/python3; script folder: "
                 "$POOLBENCH_SCRIPT_DIR)")
      ->check(NotEmpty("file"));
}

void WriteViews(const report::Run& run, const ViewOutputs& views) {
  if (!views.markdown.empty()) Write(views.markdown, render::Markdown(run));
  if (!views.csv.empty()) Write(views.csv, render::Csv(run));
  if (!views.html.empty()) render::WriteHtml(run, views.html);
}

}  // namespace poolbench::cli
