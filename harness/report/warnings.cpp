#include "report/warnings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

namespace poolbench::report {
namespace {

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::optional<double> FirstLoad(const Json& context, const char* field) {
  if (!context.contains(field)) return std::nullopt;
  const Json& v = context[field];
  if (!v.is_array() || v.empty() || !v[0].is_number()) return std::nullopt;
  return v[0].get<double>();
}

void LoadWarning(const Json& context, std::vector<Warning>& out) {
  if (!context.contains("num_cpus") || !context["num_cpus"].is_number()) return;
  const double cpus = context["num_cpus"].get<double>();
  const auto start = FirstLoad(context, "load_avg");
  const auto end = FirstLoad(context, ctx::kLoadAvgEnd);
  if (!(start && *start >= cpus) && !(end && *end >= cpus)) return;
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on chains of + with literals.
  std::string m = "machine loaded: 1-minute load average";
  if (start) m.append(" ").append(Fixed(*start, 2)).append(" at the start");
  if (start && end) m.append(" and");
  if (end) m.append(" ").append(Fixed(*end, 2)).append(" at the end");
  m.append(" on ").append(Fixed(cpus, 0)).append(" CPUs; other work competed with the benchmarks");
  out.push_back({"loaded", m});
}

// Threads beyond the CPUs that other work leaves free: an OpenMP team waits at each barrier for
// a member that waits for a CPU, so its times are of the other work's scheduling.
void ThreadsWarning(const Json& context, std::vector<Warning>& out) {
  if (!context.contains("num_cpus") || !context["num_cpus"].is_number()) return;
  if (!context.contains(ctx::kSettings) || !context[ctx::kSettings].is_object()) return;
  const Json& threads = context[ctx::kSettings].value("threads", Json::array());
  if (!threads.is_array()) return;
  int most = 0;
  for (const Json& t : threads) {
    if (t.is_number_integer()) most = std::max(most, t.get<int>());
  }
  const int cpus = context["num_cpus"].get<int>();
  const double load = FirstLoad(context, "load_avg").value_or(0);
  const int free = std::max(0, static_cast<int>(std::lround(cpus - load)));
  // One thread on a loaded machine is the load warning's; this one is about teams.
  if (most < 2 || most <= free) return;
  std::string m = std::to_string(most) + " threads asked of " + std::to_string(cpus) + " CPUs";
  if (most <= cpus) {
    m.append(" of which about ")
        .append(std::to_string(cpus - free))
        .append(cpus - free == 1 ? " was" : " were")
        .append(" busy with other work (1-minute load ")
        .append(Fixed(load, 2))
        .append(" at the start)");
  }
  m.append(
      ": a team's threads wait for CPUs that others hold, so its times are of the "
      "machine's scheduling as much as of the code");
  out.push_back({"threads_above_free_cpus", m});
}

// Strategies from a plugin compiled at -O0 (bench records it in context.strategy_origins).
void UnoptimizedWarning(const Json& context, std::vector<Warning>& out) {
  if (!context.contains(ctx::kOrigins) || !context[ctx::kOrigins].is_object()) return;
  std::string names;
  for (const auto& [name, origin] : context[ctx::kOrigins].items()) {
    if (origin.is_object() && origin.value("optimized", true) == false) {
      names.append(names.empty() ? "" : ", ").append(name);
    }
  }
  if (names.empty()) return;
  out.push_back({"unoptimized_plugin",
                 "compiled without optimisation (-O0): " + names +
                     "; their times say little of their technique (build the plugin with "
                     "-DCMAKE_BUILD_TYPE=Release)"});
}

void GovernorWarning(const Json& context, std::vector<Warning>& out) {
  if (!context.contains(ctx::kGovernor) || !context[ctx::kGovernor].is_string()) return;
  const std::string g = context[ctx::kGovernor];
  if (g == "performance") return;
  if (g == "unknown") {
    out.push_back({"frequency_scaling",
                   "CPU frequency scaling unknown: /sys exposes no cpufreq governor, so scaling "
                   "cannot be ruled out"});
  } else {
    out.push_back({"frequency_scaling", "CPU frequency scaling active: cpufreq governor '" + g +
                                            "', not 'performance'"});
  }
}

void BandwidthWarning(const Json& context, std::vector<Warning>& out) {
  if (!context.contains(ctx::kBandwidth) || !context[ctx::kBandwidth].is_array()) return;
  // gbps by thread count, then level ("L1" < "L2" < "L3" < "DRAM" in this map's order: 'D'
  // sorts before 'L', so DRAM is looked up separately).
  std::map<int, std::map<std::string, double>> by_threads;
  for (const Json& e : context[ctx::kBandwidth]) {
    if (!e.is_object() || !e.contains("threads") || !e.contains("level") ||
        !e.contains("read_write_gbps")) {
      continue;
    }
    by_threads[e["threads"].get<int>()][e["level"].get<std::string>()] =
        e["read_write_gbps"].get<double>();
  }
  if (by_threads.empty()) return;
  std::vector<std::string> problems;
  for (const auto& [threads, levels] : by_threads) {
    std::vector<std::pair<std::string, double>> ordered;
    for (const auto& [level, gbps] : levels) {
      if (level != "DRAM") ordered.emplace_back(level, gbps);
    }
    if (auto it = levels.find("DRAM"); it != levels.end()) ordered.emplace_back("DRAM", it->second);
    for (size_t i = 0; i + 1 < ordered.size(); ++i) {
      if (ordered[i].second < 0.9 * ordered[i + 1].second) {
        problems.push_back(std::to_string(threads) + "-thread " + ordered[i].first + " " +
                           Fixed(ordered[i].second, 1) + " GB/s below " + ordered[i + 1].first +
                           " " + Fixed(ordered[i + 1].second, 1) + " GB/s");
      }
    }
  }
  const auto& lowest = by_threads.begin()->second;
  if (auto dram = lowest.find("DRAM"); dram != lowest.end()) {
    for (const auto& [threads, levels] : by_threads) {
      if (threads == by_threads.begin()->first) continue;
      for (const auto& [level, gbps] : levels) {
        if (level != "DRAM" && gbps < dram->second) {
          problems.push_back(std::to_string(threads) + "-thread " + level + " " + Fixed(gbps, 1) +
                             " GB/s below " + std::to_string(by_threads.begin()->first) +
                             "-thread DRAM " + Fixed(dram->second, 1) + " GB/s");
        }
      }
    }
  }
  if (problems.empty()) return;
  std::string m = "implausible bandwidth (measured under load?): ";
  for (size_t i = 0; i < problems.size(); ++i) m += (i ? "; " : "") + problems[i];
  m += "; bandwidth fractions against it are unreliable";
  out.push_back({"bandwidth", m});
}

}  // namespace

std::vector<Warning> MachineWarnings(const Json& context) {
  std::vector<Warning> out;
  if (!context.is_object()) return out;
  LoadWarning(context, out);
  ThreadsWarning(context, out);
  UnoptimizedWarning(context, out);
  GovernorWarning(context, out);
  BandwidthWarning(context, out);
  return out;
}

bool IsResultsWarning(const std::string& kind) {
  return kind == "disturbed" || kind == "interference_unmeasured" ||
         kind == "roofline_under_measured" || kind == "one_process" || kind == "kept_disturbed" ||
         kind == "ran_on_nothing";
}

Json ToJson(const std::vector<Warning>& warnings) {
  Json out = Json::array();
  for (const Warning& w : warnings) out.push_back({{"kind", w.kind}, {"message", w.message}});
  return out;
}

}  // namespace poolbench::report
