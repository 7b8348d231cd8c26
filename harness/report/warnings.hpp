// Warnings about the conditions a report was measured under: a loaded machine, CPU frequency
// scaling, and bandwidth figures that cannot be right. Timings taken under such conditions
// are noisy or biased, and a comparison that silently trusts them gives false alarms; so bench
// records the warnings in the report's context and compare/ab derive them again from each
// side's context (which also covers reports written before the warnings existed).
#pragma once

#include <string>
#include <vector>

#include "report/report.hpp"

namespace poolbench::report {

struct Warning {
  std::string kind;     // "loaded", "frequency_scaling", "bandwidth", or of the results
  std::string message;  // a sentence for a reader, with the figures
};

// The machine was loaded when the 1-minute load average at the start (Google Benchmark's
// load_avg) or at the end (load_avg_end) of the run reached the number of CPUs: the run's own
// thread accounts for about 1, so beyond that other work competed for the cores. Frequency
// scaling is active when cpu_governor is not "performance"; an "unknown" governor (no cpufreq
// in /sys) is a warning too, since scaling cannot be ruled out. Bandwidth is implausible when,
// at one thread count, a cache level is more than 10% slower than the level below it (L1 than
// L2, ..., the last cache than DRAM), or any cache level at any thread count is slower than
// single-threaded DRAM. Fields that are absent give no warning.
std::vector<Warning> MachineWarnings(const Json& context);

Json ToJson(const std::vector<Warning>& warnings);

// Whether a kind of warning is about the results (report::Derive gives those: "disturbed",
// "interference_unmeasured", "one_process", "ran_on_nothing", ...) rather than the machine.
bool IsResultsWarning(const std::string& kind);

}  // namespace poolbench::report
