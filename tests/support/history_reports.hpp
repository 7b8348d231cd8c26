// Test helper for the history tests (in-process and command line): bench reports of one benchmark
// or more with chosen times, as `poolbench bench` writes them (repetitions, a median aggregate, a
// wrong result).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/report_fixtures.hpp"

namespace poolbench::testing {

inline std::string BenchmarkName(const std::string& strategy, int threads = 1) {
  return strategy + "/" + kDescriptor + "/threads:" + std::to_string(threads);
}

// Adds a benchmark of `strategy` whose repetitions took `times_us` microseconds, with its
// median aggregate, as bench writes them.
inline void AddTimed(nlohmann::json& report, const std::string& strategy,
                     const std::vector<double>& times_us, int threads = 1) {
  const std::string name = BenchmarkName(strategy, threads);
  auto entry = [&](double us) {
    return nlohmann::json{{"name", name},
                          {"run_name", name},
                          {"run_type", "iteration"},
                          {"repetitions", times_us.size()},
                          {"threads", threads},
                          {"iterations", 10},
                          {"real_time", us},
                          {"cpu_time", us},
                          {"time_unit", "us"},
                          {"strategy", strategy},
                          {"descriptor", kDescriptor},
                          {"bytes_moved", 1000000},
                          {"gbps", 1000.0 / us},
                          {"verdict", "pass"}};
  };
  for (size_t i = 0; i < times_us.size(); ++i) {
    nlohmann::json e = entry(times_us[i]);
    e["repetition_index"] = i;
    report["benchmarks"].push_back(e);
  }
  nlohmann::json median = entry(12345);  // deliberately not the repetitions' median
  median["name"] = name + "_median";
  median["run_type"] = "aggregate";
  median["aggregate_name"] = "median";
  report["benchmarks"].push_back(median);
}

}  // namespace poolbench::testing
