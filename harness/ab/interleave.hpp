// Interleaved measurement of two poolbench executables (a base build and a new build): round
// by round, one `bench` process of each, in alternating order, with the same arguments. Drift
// of a shared machine (other work, temperature, frequency) then hits both sides alike, and
// the rounds give compare::CompareRounds the round-to-round variation it tests against.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace poolbench::ab {

class AbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Side { kBase, kNew };

// The order of the two processes in round `round` (0-based): base first in even rounds, new
// first in odd ones, so that neither side always runs right after the other's heavy work.
std::array<Side, 2> RoundOrder(size_t round);

struct Plan {
  std::string base_exe, new_exe;  // poolbench executables, or scripts that run one
  // Arguments after `bench` for both (suite, threads, ...); "-o FILE" is added per process.
  std::vector<std::string> bench_args;
  // When not empty, each round runs one process per side per chunk, with the chunk's
  // arguments (e.g. "--problem D") added, and joins the chunks' reports into the round's: base
  // and new then measure the same problems seconds apart instead of a whole run apart, which
  // matters on a machine whose load changes from second to second.
  std::vector<std::vector<std::string>> chunks;
  size_t rounds = 4;
  std::string dir;  // where each round's reports and logs are written (created if missing)
  // Seconds a bench process may take when the other side has not yet run the same problems
  // (the first process of a part), and at most in any case; 0: no limit. Once the other side
  // has run them, a process may take kTimeFactor times as long as it did, and at least
  // kMinTimeLimit seconds: a side that hangs is stopped instead of hanging the gate.
  double process_timeout = 3600;
};

inline constexpr double kTimeFactor = 10;
inline constexpr double kMinTimeLimit = 60;

// The time limit of a bench process whose other side took `other_seconds` on the same problems
// (negative: it has not run them yet), and why it is that, for the message.
struct TimeLimitOf {
  double seconds = 0;  // 0: none
  std::string why;
};
TimeLimitOf TimeLimit(const Plan& plan, double other_seconds, Side side = Side::kBase);

// The report of round `round` (0-based) of a side: DIR/round-01-base.json, ...-new.json.
std::string ReportPath(const Plan& plan, size_t round, Side side);

// Runs every round and returns the reports' paths, base and new, in round order. Each process's
// stdout and stderr go to its report's path with .log instead of .json. With chunks, the
// chunks alternate which side goes first too, and a round's report is the chunks' reports
// joined: their benchmarks in chunk order, the first chunk's context with the last one's
// load_avg_end, and every chunk's skipped entries. `progress` is called
// before each process with a line to show. Throws AbError when an executable is missing or
// not executable, cannot be started, exits other than 0 or overruns its time limit (naming it,
// the round, the exit status or the limit and where it came from, and the end of its log), or
// when the directory cannot be created. A process stopped at its limit is killed with whatever
// it started.
struct Reports {
  std::vector<std::string> base, head;
};
Reports Run(const Plan& plan, const std::function<void(const std::string&)>& progress);

}  // namespace poolbench::ab
