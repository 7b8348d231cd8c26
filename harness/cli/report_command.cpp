// poolbench report: a bench report rendered as Markdown, CSV or an HTML page with charts, and
// `report merge`, which joins the reports of a sharded run.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "poolbench_build_info.hpp"
#include "render/render.hpp"
#include "report/merge.hpp"
#include "report/report.hpp"

extern char** environ;

namespace poolbench::cli {
namespace {

namespace fs = std::filesystem;
using report::ReportError;

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

void RequireDirectory(const std::string& path) {
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::is_directory(dir)) {
    throw ReportError(path + ": directory " + dir.string() + " does not exist");
  }
}

// Writes an output file atomically (report::SaveText); "-" is standard output.
void Write(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text << std::flush;
    return;
  }
  report::SaveText(text, path);
}

std::string FromEnv(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// The HTML page is drawn by scripts/plot_report.py with matplotlib. It runs as a child process
// with an argument vector (no shell, so no file name is ever interpreted), writes a temporary
// file, and only a successful run renames it to `output`.
void RenderHtml(const std::string& input, const std::string& output) {
  const std::string python = FromEnv("POOLBENCH_PYTHON", "/usr/bin/python3");
  const fs::path script =
      fs::path(FromEnv("POOLBENCH_SCRIPT_DIR", build_info::kScriptDir)) / "plot_report.py";
  if (!fs::is_regular_file(script)) {
    throw ReportError("cannot find the plot script " + script.string() +
                      " (set POOLBENCH_SCRIPT_DIR to the folder that holds plot_report.py)");
  }
  RequireDirectory(output);
  // A unique temporary name beside the output, so two renders of the same page never collide;
  // the script may be any program (POOLBENCH_SCRIPT_DIR), so only a successful run is renamed.
  std::string tmp = output + ".XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw ReportError(output + ": cannot create a temporary file beside it");
  close(fd);
  // "--" ends the script's options, so a file name starting with '-' stays a file name.
  std::vector<std::string> args = {python, script.string(), "--", input, tmp};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::cout << std::flush;
  std::cerr << std::flush;
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, python.c_str(), nullptr, nullptr, argv.data(), environ);
  if (rc != 0) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw ReportError("cannot run the Python interpreter '" + python + "': " + std::strerror(rc) +
                      " (the HTML report needs Python 3 with matplotlib; set POOLBENCH_PYTHON)");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw ReportError(std::string("waiting for ") + python + " failed");
    }
  }
  std::error_code ec;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fs::remove(tmp, ec);
    const std::string how = WIFEXITED(status)
                                ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                : "was killed by signal " + std::to_string(WTERMSIG(status));
    throw ReportError(script.string() + " " + how + " under " + python +
                      " (its message is above); no HTML was written");
  }
  fs::rename(tmp, output, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw ReportError(output + ": cannot replace the file: " + ec.message());
  }
}

void RunReport(const ReportOptions& opt) {
  if (opt.input.empty()) {
    throw CLI::RequiredError("report needs a report file (poolbench report IN.json)");
  }
  const report::Json r = report::Load(opt.input);
  // The renderers read optional fields leniently, but a field of the wrong JSON type is bad
  // input, named with the file rather than as a bare library error.
  auto draw = [&](std::string (*to)(const report::Json&)) {
    try {
      return to(r);
    } catch (const report::Json::exception& e) {
      throw ReportError(opt.input + ": malformed report: " + e.what());
    } catch (const ReportError& e) {
      throw ReportError(opt.input + ": " + e.what());
    }
  };
  const bool any = !opt.markdown.empty() || !opt.csv.empty() || !opt.html.empty();
  if (!any) std::cout << draw(render::Markdown);
  if (!opt.markdown.empty()) Write(opt.markdown, draw(render::Markdown));
  if (!opt.csv.empty()) Write(opt.csv, draw(render::Csv));
  // Last, because it depends on an outside interpreter: when Python is missing, the Markdown
  // and CSV asked for in the same run are still written.
  if (!opt.html.empty()) RenderHtml(opt.input, opt.html);
}

void RunMerge(const MergeOptions& opt) {
  std::vector<report::MergeInput> inputs;
  for (const std::string& file : opt.inputs) inputs.push_back({file, report::Load(file)});
  const report::MergeResult merged = report::Merge(inputs);
  for (const std::string& w : merged.warnings) std::cerr << "poolbench: warning: " << w << "\n";
  report::Save(merged.report, opt.out);
  std::cout << "merged " << inputs.size() << " reports (" << merged.report["benchmarks"].size()
            << " benchmark entries) into " << opt.out << "\n";
}

}  // namespace

void AddReportCommand(CLI::App& app) {
  auto opt = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Render a report written by `poolbench bench`: Markdown (to stdout when no output is "
      "given), CSV, or a self-contained HTML page with charts (needs Python 3 with "
      "matplotlib). `report merge` joins the reports of a sharded run.");
  cmd->add_option("input", opt->input, "The report (JSON) to render");
  cmd->add_option("--markdown", opt->markdown, "Write Markdown to this file ('-': stdout)");
  cmd->add_option("--csv", opt->csv, "Write CSV, one row per strategy, problem and thread count");
  cmd->add_option("--html", opt->html,
                  "Write an HTML page with charts, drawn by scripts/plot_report.py (interpreter: "
                  "$POOLBENCH_PYTHON, default /usr/bin/python3; script folder: "
                  "$POOLBENCH_SCRIPT_DIR)");

  auto mopt = std::make_shared<MergeOptions>();
  CLI::App* merge = cmd->add_subcommand(
      "merge",
      "Join the reports of a sharded run (bench --shard I/N) into one. Refuses reports of "
      "different format versions and benchmark names present in two inputs.");
  merge->add_option("inputs", mopt->inputs, "The shard reports (at least two)")->required();
  merge->add_option("-o,--out", mopt->out, "The merged report to write")->required();
  merge->callback([mopt] { RunMerge(*mopt); });

  // The parent's callback also runs after `report merge`; only plain `report` renders.
  cmd->callback([opt, merge] {
    if (!merge->parsed()) RunReport(*opt);
  });
}

POOLBENCH_CLI_COMMAND(40, AddReportCommand);

}  // namespace poolbench::cli
