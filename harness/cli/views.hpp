// The views of a report a command writes (--markdown, --csv, --html): `report` renders a saved
// report with them, and `bench` the report it just wrote, so that one command gives the JSON
// and its views together and a rerun never leaves an older view beside a newer report.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <utility>
#include <vector>

#include "report/model.hpp"

namespace poolbench::cli {

struct ViewOutputs {
  std::string markdown, csv, html;

  bool Any() const { return !markdown.empty() || !csv.empty() || !html.empty(); }
  // As (option, path), for CheckOutputs: the HTML page's staged summary beside it included.
  std::vector<std::pair<std::string, std::string>> Outputs() const;
};

// Adds --markdown ('-': standard output), --csv and --html.
void AddViewOptions(CLI::App& cmd, ViewOutputs& views);

// Writes each view asked for. The HTML page comes last: it needs an outside interpreter, and
// when Python is missing the Markdown and CSV are written all the same (then it throws).
void WriteViews(const report::Run& run, const ViewOutputs& views);

}  // namespace poolbench::cli
