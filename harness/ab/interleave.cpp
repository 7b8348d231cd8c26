#include "ab/interleave.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "report/reader.hpp"
#include "report/warnings.hpp"
#include "report/writer.hpp"

extern char** environ;

namespace poolbench::ab {
namespace {

namespace fs = std::filesystem;

const char* Name(Side side) { return side == Side::kBase ? "base" : "new"; }

std::string LogPath(const std::string& report) {
  return fs::path(report).replace_extension(".log").string();
}

// The last lines of a process's log, for the error message.
std::string Tail(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += "\n    " + all[i];
  }
  return out;
}

void CheckExecutable(const std::string& exe, const char* side) {
  if (exe.find('/') == std::string::npos) return;  // found on PATH by posix_spawnp
  if (access(exe.c_str(), X_OK) != 0) {
    throw AbError(std::string(side) + " executable " + exe +
                  (access(exe.c_str(), F_OK) != 0 ? " does not exist" : " is not executable"));
  }
}

// Runs `exe bench ARGS -o report` with its output in the report's log; throws unless it exits 0.
void RunOne(const std::string& exe, const std::vector<std::string>& bench_args,
            const std::vector<std::string>& chunk_args, const std::string& report, size_t round,
            Side side) {
  std::vector<std::string> args = {exe, "bench"};
  args.insert(args.end(), bench_args.begin(), bench_args.end());
  args.insert(args.end(), chunk_args.begin(), chunk_args.end());
  args.push_back("-o");
  args.push_back(report);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = LogPath(report);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  const std::string what =
      "round " + std::to_string(round + 1) + ", " + Name(side) + " (" + exe + ")";
  if (err != 0) throw AbError(what + ": cannot be started: " + std::strerror(err));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw AbError(what + ": waiting for it failed: " + std::strerror(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  const std::string how = WIFEXITED(status)
                              ? "exited with status " + std::to_string(WEXITSTATUS(status))
                              : "was killed by signal " + std::to_string(WTERMSIG(status));
  throw AbError(what + " " + how + "; the end of its log " + log + ":" + Tail(log, 8));
}

}  // namespace

std::array<Side, 2> RoundOrder(size_t round) {
  if (round % 2 == 0) return {Side::kBase, Side::kNew};
  return {Side::kNew, Side::kBase};
}

std::string ReportPath(const Plan& plan, size_t round, Side side) {
  char name[64];
  std::snprintf(name, sizeof name, "round-%02zu-%s.json", round + 1, Name(side));
  return (fs::path(plan.dir) / name).string();
}

// The report of one chunk of a round: round-01-base.json becomes round-01-base-c003.json.
std::string ChunkPath(const std::string& report, size_t chunk) {
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "-c%03zu.json", chunk + 1);
  return fs::path(report).replace_extension("").string() + suffix;
}

// Joins the chunks' reports of one side of a round into its report.
void Join(const std::vector<std::string>& parts, const std::string& path) {
  std::optional<report::Run> joined;
  for (const std::string& part : parts) {
    report::Run r = report::Read(part, report::Expect::kPoolbench);
    if (!joined) {
      joined = std::move(r);
      continue;
    }
    for (report::Result& e : r.results) joined->results.push_back(std::move(e));
    for (report::Skip& s : r.context.skipped) joined->context.skipped.push_back(std::move(s));
    // The round ran every chunk's problems: its settings list them all.
    report::Json& settings = joined->context.settings;
    if (settings.contains("problems") && r.context.settings.contains("problems")) {
      for (const report::Json& p : r.context.settings["problems"])
        settings["problems"].push_back(p);
    }
    if (r.context.facts.contains(report::ctx::kLoadAvgEnd)) {
      joined->context.facts[report::ctx::kLoadAvgEnd] = r.context.facts[report::ctx::kLoadAvgEnd];
    }
  }
  if (!joined) return;
  // The warnings again, for the whole round: the load at its end is the last chunk's.
  joined->context.warnings = report::MachineWarnings(report::ToJson(joined->context));
  report::Derive(*joined);
  report::Save(*joined, path);
}

Reports Run(const Plan& plan, const std::function<void(const std::string&)>& progress) {
  CheckExecutable(plan.base_exe, "base");
  CheckExecutable(plan.new_exe, "new");
  std::error_code ec;
  fs::create_directories(plan.dir, ec);
  if (ec) throw AbError("cannot create the directory " + plan.dir + ": " + ec.message());
  Reports out;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::vector<std::string>> chunks =
      plan.chunks.empty() ? std::vector<std::vector<std::string>>{{}} : plan.chunks;
  for (size_t r = 0; r < plan.rounds; ++r) {
    std::vector<std::string> parts[2];
    for (size_t c = 0; c < chunks.size(); ++c) {
      if (progress) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::ostringstream line;
        line << "[round " << r + 1 << "/" << plan.rounds << "]";
        if (!plan.chunks.empty()) line << " part " << c + 1 << "/" << chunks.size();
        line << " " << Name(RoundOrder(r + c)[0]) << ", " << Name(RoundOrder(r + c)[1]) << " ("
             << static_cast<long>(elapsed) << " s elapsed)";
        progress(line.str());
      }
      for (Side side : RoundOrder(r + c)) {
        std::string report = ReportPath(plan, r, side);
        if (!plan.chunks.empty()) {
          report = ChunkPath(report, c);
          parts[side == Side::kBase ? 0 : 1].push_back(report);
        }
        RunOne(side == Side::kBase ? plan.base_exe : plan.new_exe, plan.bench_args, chunks[c],
               report, r, side);
      }
    }
    if (!plan.chunks.empty()) {
      Join(parts[0], ReportPath(plan, r, Side::kBase));
      Join(parts[1], ReportPath(plan, r, Side::kNew));
    }
    out.base.push_back(ReportPath(plan, r, Side::kBase));
    out.head.push_back(ReportPath(plan, r, Side::kNew));
  }
  return out;
}

}  // namespace poolbench::ab
