// The one contract of a report file: reports/schema.json, compiled into the executable and
// checked with valijson. The reader (reader.hpp) checks every report against it before it reads
// a field, and adds only what a JSON Schema cannot say (an entry given twice, a descriptor that
// does not parse, a shard beyond its count, a time that overflows nanoseconds).
#pragma once

#include <string>

#include "report/report.hpp"

namespace poolbench::report {

enum class Contract {
  kPoolbench,        // a report written by poolbench: the whole schema
  kGoogleBenchmark,  // any Google Benchmark JSON: its definitions.google_benchmark_report
};

// Throws ReportError "<what>: <where>: <why>" naming the first violation, with the path of the
// value (e.g. "benchmarks[3].real_time") and the benchmark's name when it is in an entry.
void CheckSchema(const Json& report, const std::string& what, Contract contract);

}  // namespace poolbench::report
