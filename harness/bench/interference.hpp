// What took the CPU away from a timed repetition. A benchmark on a shared machine measures the
// code and everything else that ran: another process holding a core the kernel's threads wanted,
// a hypervisor stealing the virtual CPU. Around each timed repetition the worker records the
// evidence, so that a disturbed repetition is measured again instead of being averaged in:
//
// - run-queue delay: how long the process's threads were runnable but not running, from each
//   thread's /proc/<pid>/task/<tid>/schedstat (the kernel's own account, nanoseconds). This is
//   the direct measure of interference: a thread that sleeps by itself (an idle OpenMP worker,
//   a strategy that uses fewer threads than it may) does not wait on a run queue;
// - the CPU time of those threads, and involuntary context switches (getrusage);
// - the machine's steal time and the CPU time of everything else, from /proc/stat (in ticks of
//   1/100 s, so only over repetitions much longer than a tick).
//
// A repetition is disturbed when its threads waited for a CPU, or the hypervisor stole one,
// for more than kDisturbedFraction of its wall time.
#pragma once

#include <cstdint>
#include <string>

#include "report/model.hpp"

namespace poolbench {

// The share of a repetition's wall time (summed over its threads) that its threads may spend
// waiting for a CPU before the repetition counts as disturbed. An undisturbed repetition waits
// microseconds (thread wake-ups); a core taken by another process for one scheduler slice
// (several milliseconds) in a repetition of tens of milliseconds exceeds it.
inline constexpr double kDisturbedFraction = 0.02;

// The counters at one moment.
struct InterferenceSnapshot {
  int64_t wall_ns = 0;
  int64_t run_delay_ns = -1;   // summed over the process's threads; -1 when not readable
  int64_t thread_cpu_ns = -1;  // likewise
  int64_t cpu_ns = 0;          // getrusage: user + system of the whole process
  int64_t involuntary_switches = 0;
  // /proc/stat, in clock ticks: the whole machine's busy and steal time; -1 when not readable.
  int64_t machine_busy_ticks = -1;
  int64_t steal_ticks = -1;
};

// Reads the counters now. Never throws: what cannot be read is left at -1.
InterferenceSnapshot TakeInterferenceSnapshot();

// The evidence of the interval between two snapshots.
report::Interference InterferenceBetween(const InterferenceSnapshot& before,
                                         const InterferenceSnapshot& after);

// Why a repetition with this evidence is disturbed ("waited for a CPU 12% of the time"), or
// empty when it is clean or when nothing that could show a disturbance was measured.
std::string Disturbance(const report::Interference& e);

// The folder the counters are read from: /proc, or $POOLBENCH_PROC_DIR when it is set (the tests
// point it at a folder without them, to check that what cannot be measured is said).
std::string ProcDir();

}  // namespace poolbench
