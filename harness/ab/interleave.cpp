#include "ab/interleave.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "io/spawn.hpp"
#include "isolate/leftovers.hpp"
#include "report/reader.hpp"
#include "report/warnings.hpp"
#include "report/writer.hpp"

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

std::string Seconds(double s) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3g", s);
  return text;
}

// Runs `exe bench ARGS -o report` with its output in the report's log; throws unless it exits 0
// within `limit`. Returns the seconds it took.
double RunOne(const std::string& exe, const std::vector<std::string>& bench_args,
              const std::vector<std::string>& chunk_args, const std::string& report, size_t round,
              Side side, const TimeLimitOf& limit) {
  std::vector<std::string> args = {exe, "bench"};
  args.insert(args.end(), bench_args.begin(), bench_args.end());
  args.insert(args.end(), chunk_args.begin(), chunk_args.end());
  args.push_back("-o");
  args.push_back(report);
  const std::string log = LogPath(report);
  const std::string what =
      "round " + std::to_string(round + 1) + ", " + Name(side) + " (" + exe + ")";
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  std::optional<int> status;
  io::SpawnOptions to_log;
  to_log.stdout_path = log;
  to_log.stderr_to_stdout = true;
  try {
    pid = io::Spawn(args, to_log);
    status = limit.seconds > 0 ? io::WaitFor(pid, std::chrono::duration<double>(limit.seconds))
                               : io::Wait(pid);
  } catch (const std::system_error& e) {
    throw AbError(what + ": " + e.what());
  }
  if (!status) {
    // Everything it started goes too: ab is the reaper of its orphans (see Run).
    kill(pid, SIGKILL);
    io::Wait(pid);
    isolate::KillDescendants();
    throw AbError(what + " did not finish within " + Seconds(limit.seconds) + " s (" + limit.why +
                  ") and was killed; the end of its log " + log + ":" + Tail(log, 8));
  }
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  throw AbError(what + " " + io::DescribeWaitStatus(*status) + "; the end of its log " + log + ":" +
                Tail(log, 8));
}

}  // namespace

TimeLimitOf TimeLimit(const Plan& plan, double other, Side side) {
  const std::string other_side = Name(side == Side::kBase ? Side::kNew : Side::kBase);
  TimeLimitOf l;
  if (other >= 0) {
    l.seconds = std::max(kMinTimeLimit, kTimeFactor * other);
    l.why = Seconds(kTimeFactor) + " times the " + Seconds(other) + " s the " + other_side +
            " side took on the same problems, at least " + Seconds(kMinTimeLimit) + " s";
  }
  if (plan.process_timeout > 0 && (l.seconds == 0 || plan.process_timeout < l.seconds)) {
    l.seconds = plan.process_timeout;
    l.why = "--process-timeout";
  }
  return l;
}

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
  // A process killed at its limit may leave processes of its own (a script's child, workers):
  // they become ab's children, to be killed with it.
  const isolate::SubreaperScope reaper;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::vector<std::string>> chunks =
      plan.chunks.empty() ? std::vector<std::vector<std::string>>{{}} : plan.chunks;
  // The seconds each side last took on each part, for the other side's limit.
  std::vector<double> took[2] = {std::vector<double>(chunks.size(), -1),
                                 std::vector<double>(chunks.size(), -1)};
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
        const int me = side == Side::kBase ? 0 : 1;
        std::string report = ReportPath(plan, r, side);
        if (!plan.chunks.empty()) {
          report = ChunkPath(report, c);
          parts[me].push_back(report);
        }
        took[me][c] = RunOne(side == Side::kBase ? plan.base_exe : plan.new_exe, plan.bench_args,
                             chunks[c], report, r, side, TimeLimit(plan, took[1 - me][c], side));
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
