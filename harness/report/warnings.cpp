#include "report/warnings.hpp"

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
  GovernorWarning(context, out);
  BandwidthWarning(context, out);
  return out;
}

bool IsResultsWarning(const std::string& kind) {
  return kind == "disturbed" || kind == "interference_unmeasured" || kind == "one_process" ||
         kind == "kept_disturbed";
}

Json ToJson(const std::vector<Warning>& warnings) {
  Json out = Json::array();
  for (const Warning& w : warnings) out.push_back({{"kind", w.kind}, {"message", w.message}});
  return out;
}

}  // namespace poolbench::report
