// The one reader of reports: every command that reads a report (report, report merge, compare)
// reads it here, and everything after it relies on what this checks, so a malformed file is
// refused with a message naming the file, the entry and the field instead of failing somewhere
// deep in a renderer. reports/schema.json is the full contract; this checks what poolbench's
// readers use: the structure, the type of every field they read, and the values they compute
// with.
#pragma once

#include <string>

#include "report/report.hpp"

namespace poolbench::report {

// What a reader needs of a report beyond Google Benchmark's JSON format.
enum class Expect {
  // Any Google Benchmark report with poolbench's fields optional (compare reads these).
  kGoogleBenchmark,
  // A report written by `poolbench bench` or `poolbench report merge`: its context has
  // poolbench_report_version and every entry names its strategy and descriptor (render, merge).
  kPoolbench,
};

// Checks an in-memory report; `what` names it in errors (usually its file). Throws ReportError
// for a report that is not an object with a "context" object and a "benchmarks" array, or
// whose entries lack name, run_name, run_type ("iteration" or "aggregate"), real_time,
// cpu_time and time_unit ("ns", "us", "ms" or "s"), or have a field of the wrong type: times
// that are not finite and non-negative, an iteration that ran without an error but has no
// positive time, error_occurred not a boolean, a verdict other than "pass" or "FAIL", threads
// or repetitions below 1, a malformed context.bandwidth, skipped or merged_from list.
void Validate(const Json& report, const std::string& what, Expect expect);

// Reads `path` as JSON and validates it. Throws ReportError naming the file when it cannot be
// opened, is not JSON, or fails Validate.
Json Read(const std::string& path, Expect expect);

}  // namespace poolbench::report
