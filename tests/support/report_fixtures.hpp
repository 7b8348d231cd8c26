// Test helper: reports built in the tests. The pieces compare reads are shared by the in-process
// tests of harness/compare and the command-line tests of `poolbench compare`, so both compare
// reports from the same machine and build, of benchmarks of the same problem.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace poolbench::testing {

// A context with every field compare checks (machine, CPU count, compiler, flags, build type)
// and the ones it lets differ (date, host, revision).
inline nlohmann::json Context() {
  return {{"date", "2026-11-22T03:30:00+00:00"},
          {"host_name", "ci-1"},
          {"num_cpus", 2},
          {"machine", "Intel(R) Xeon(R) Processor"},
          {"compiler", "GNU 12.2.0"},
          {"compiler_flags", "-O3 -DNDEBUG -march=native"},
          {"build_type", "Release"},
          {"git_revision", "59af938"}};
}

// A Google Benchmark report without poolbench's fields: one run of BM_Foo.
inline nlohmann::json PlainGoogleBenchmarkReport() {
  return {{"context", nlohmann::json::object()},
          {"benchmarks",
           {{{"name", "BM_Foo"},
             {"run_name", "BM_Foo"},
             {"run_type", "iteration"},
             {"real_time", 1.0},
             {"cpu_time", 1.0},
             {"time_unit", "ns"}}}}};
}

// A report with that context and no benchmarks yet.
inline nlohmann::json Report() {
  return {{"context", Context()}, {"benchmarks", nlohmann::json::array()}};
}

// The problem every benchmark of these reports times.
inline const std::string kDescriptor = "max:fwd:f32:nchw:1x64x112x112:k3x3:s2x2:p1x1";

// Adds the entry bench writes for a strategy that failed the cross-check: an error, no time.
inline void AddWrong(nlohmann::json& report, const std::string& strategy) {
  const std::string name = strategy + "/" + kDescriptor + "/threads:1";
  report["benchmarks"].push_back(
      {{"name", name},
       {"run_name", name},
       {"run_type", "iteration"},
       {"repetitions", 1},
       {"repetition_index", 0},
       {"threads", 1},
       {"iterations", 0},
       {"real_time", 0},
       {"cpu_time", 0},
       {"time_unit", "us"},
       {"error_occurred", true},
       {"error_message", "wrong result: values: 3 of 16 elements differ"},
       {"strategy", strategy},
       {"descriptor", kDescriptor},
       {"op", "max"},
       {"direction", "fwd"},
       {"dtype", "f32"},
       {"layout", "nchw"},
       {"bytes_moved", 4014080},
       {"verdict", "FAIL"}});
}

}  // namespace poolbench::testing
