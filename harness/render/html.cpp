// The report as a self-contained HTML page with charts, drawn by scripts/plot_report.py with
// matplotlib from SummaryJson(): the one renderer that runs outside the process, and decides
// nothing about the results itself.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "io/atomic_file.hpp"
#include "io/spawn.hpp"
#include "poolbench_build_info.hpp"
#include "render/render.hpp"

namespace poolbench::render {
namespace {

namespace fs = std::filesystem;
using report::ReportError;

std::string FromEnv(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

fs::path PlotScript() {
  const fs::path script =
      fs::path(FromEnv("POOLBENCH_SCRIPT_DIR", build_info::kScriptDir)) / "plot_report.py";
  if (!fs::is_regular_file(script)) {
    throw ReportError("cannot find the plot script " + script.string() +
                      " (set POOLBENCH_SCRIPT_DIR to the folder that holds plot_report.py)");
  }
  return script;
}

// Runs `args` and returns its wait status; throws ReportError when it cannot be started.
int Run(const std::vector<std::string>& args) {
  try {
    return io::Wait(io::Spawn(args));
  } catch (const std::system_error& e) {
    throw ReportError("cannot run the Python interpreter '" + args[0] + "': " + e.code().message() +
                      " (the HTML report needs Python 3 with matplotlib; set POOLBENCH_PYTHON)");
  }
}

}  // namespace

void WriteHtml(const report::Run& run, const std::string& html_path) {
  const std::string python = FromEnv("POOLBENCH_PYTHON", "/usr/bin/python3");
  const fs::path script = PlotScript();
  // The script may be any program (POOLBENCH_SCRIPT_DIR): it writes the staged file, and only a
  // successful run commits it. The summary is staged beside the page and never committed, so it
  // is removed whatever happens.
  PendingFile page(html_path);
  PendingFile summary(html_path + ".summary.json");
  summary.Write(SummaryJson(run).dump());
  // "--" ends the script's options, so a file name starting with '-' stays a file name.
  const int status = Run({python, script.string(), "--", summary.temp_path(), page.temp_path()});
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw ReportError(script.string() + " " + io::DescribeWaitStatus(status) + " under " + python +
                      " (its message is above); no HTML was written");
  }
  page.Commit();
}

}  // namespace poolbench::render
