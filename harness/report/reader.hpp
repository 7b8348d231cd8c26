// The one reader of reports: every command that reads a report (report, report merge, compare)
// reads it here, and everything after it relies on what this checks, so a malformed file is
// refused with a message naming the file, the entry and the field instead of failing somewhere
// deep in a renderer. reports/schema.json is the full contract; this checks what poolbench's
// readers use: the structure, the type of every field they read, and the values they compute
// with.
#pragma once

#include <optional>
#include <string>
#include <utility>

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
// or repetitions outside [1, 2^31 - 1], counts (iterations, family_index, bytes_moved...) above
// 2^53, a time above 10^18 ns, a context.shard not "I/N", a malformed context.bandwidth,
// skipped or merged_from list, or an entry that repeats an earlier one (same name, run_type,
// aggregate_name and repetition_index), naming the entry and the field.
void Validate(const Json& report, const std::string& what, Expect expect);

// How deep values may nest in a report read by Parse (Google Benchmark's and poolbench's
// reports need fewer than ten levels).
inline constexpr int kMaxDepth = 64;

// Whether `text` has a value nested deeper than kMaxDepth (checked without building anything,
// so that nothing recurses that deep); text that is not JSON is not too deep.
bool TooDeep(const std::string& text);

// Parses `text` as JSON with the nesting depth limited to kMaxDepth. Throws ReportError naming
// `what` when the text is not JSON or nests deeper.
Json Parse(const std::string& text, const std::string& what);

// Reads `path` as JSON (Parse) and validates it. Throws ReportError naming the file when it is a
// directory, cannot be opened, is not JSON, nests too deep, or fails Validate.
Json Read(const std::string& path, Expect expect);

// A shard "I/N" as (I, N) when 1 <= I <= N < 2^31, else nothing.
std::optional<std::pair<int, int>> ParseShard(const std::string& text);

}  // namespace poolbench::report
