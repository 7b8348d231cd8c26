// The one reader of reports: every command that reads a report (report, report merge, compare,
// ab, history add, bench --resume) reads it here, into the report model (model.hpp). A file is
// checked against reports/schema.json (schema.hpp) and for what a schema cannot say before any
// field is read, so a malformed file is refused with a message naming the file, the entry and
// the field instead of failing somewhere deep in a view.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "report/model.hpp"
#include "report/report.hpp"

namespace poolbench::report {

// What a reader needs of a report.
enum class Expect {
  // Any Google Benchmark JSON (compare reads these); a poolbench report among them is held to
  // the whole contract.
  kGoogleBenchmark,
  // A report written by `poolbench bench` or `poolbench report merge`.
  kPoolbench,
};

// The report format versions this poolbench reads.
inline constexpr int kOldestVersion = 1;

// Checks an in-memory report; `what` names it in errors (usually its file). Throws ReportError
// for a format version this poolbench does not read (naming it), anything reports/schema.json
// refuses, and what the schema cannot express: an entry that repeats an earlier one (same name,
// run_type, aggregate_name and repetition_index), entries of one run_name that disagree about
// what they measured, a poolbench entry whose run_name is not strategy/descriptor/threads:T or
// whose descriptor does not parse or disagrees with its op, direction, dtype and layout fields,
// an iteration that ran without an error but has no positive time, a time above 10^18 ns, a
// context.shard that is not "I/N" with 1 <= I <= N < 2^31, and a malformed context.bandwidth.
void Validate(const Json& report, const std::string& what, Expect expect);

// The model of a report that Validate accepted, with everything Derive() computes.
Run FromJson(const Json& report);

// The parts of FromJson: a context, and the results of a list of entries (not derived).
Context ContextOf(const Json& context);
std::vector<Result> ResultsOf(const Json& benchmarks);

// How deep values may nest in a report read by Parse (Google Benchmark's and poolbench's
// reports need fewer than ten levels).
inline constexpr int kMaxDepth = 64;

// The largest report file read (a report of every suite at several thread counts is a few MiB).
inline constexpr size_t kMaxReportBytes = size_t{256} << 20;

// Whether `text` has a value nested deeper than kMaxDepth (checked without building anything,
// so that nothing recurses that deep); text that is not JSON is not too deep.
bool TooDeep(const std::string& text);

// Parses `text` as JSON with the nesting depth limited to kMaxDepth. Throws ReportError naming
// `what` when the text is not JSON or nests deeper.
Json Parse(const std::string& text, const std::string& what);

// Reads `path` as JSON (Parse) and validates it. Throws ReportError naming the file when it is
// not a regular file (a directory, FIFO or device), is larger than kMaxReportBytes, cannot be
// read, is not JSON, nests too deep, or fails Validate.
Json ReadJson(const std::string& path, Expect expect);

// ReadJson, then FromJson.
Run Read(const std::string& path, Expect expect);

// A shard "I/N" as (I, N) when 1 <= I <= N < 2^31, else nothing.
std::optional<std::pair<int, int>> ParseShard(const std::string& text);

}  // namespace poolbench::report
