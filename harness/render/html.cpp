// The report as a self-contained HTML page with charts, drawn by scripts/plot_report.py with
// matplotlib from SummaryJson(): the one renderer that runs outside the process, and decides
// nothing about the results itself.
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "io/atomic_file.hpp"
#include "poolbench_build_info.hpp"
#include "render/render.hpp"

extern char** environ;

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

// Runs `args` (args[0] searched in PATH) without a shell, so no file name is ever interpreted,
// and returns its wait status. Throws ReportError when it cannot be started.
int Spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout << std::flush;
  std::cerr << std::flush;
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0].c_str(), nullptr, nullptr, argv.data(), environ);
  if (rc != 0) {
    throw ReportError("cannot run the Python interpreter '" + args[0] + "': " + std::strerror(rc) +
                      " (the HTML report needs Python 3 with matplotlib; set POOLBENCH_PYTHON)");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw ReportError("waiting for " + args[0] + " failed");
  }
  return status;
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
  const int status = Spawn({python, script.string(), "--", summary.temp_path(), page.temp_path()});
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status)
                                ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                : "was killed by signal " + std::to_string(WTERMSIG(status));
    throw ReportError(script.string() + " " + how + " under " + python +
                      " (its message is above); no HTML was written");
  }
  page.Commit();
}

}  // namespace poolbench::render
