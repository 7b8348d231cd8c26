#include "report/report.hpp"

#include <fstream>

#include "io/atomic_file.hpp"

namespace poolbench::report {

namespace {

void Require(bool ok, const std::string& what, const std::string& why) {
  if (!ok) throw ReportError(what + ": " + why);
}

}  // namespace

void Check(const Json& r, const std::string& what) {
  Require(r.is_object(), what,
          "not a JSON object (expected {\"context\": ..., \"benchmarks\": [...]})");
  Require(r.contains("context") && r["context"].is_object(), what,
          "missing the \"context\" object");
  Require(r.contains("benchmarks") && r["benchmarks"].is_array(), what,
          "missing the \"benchmarks\" array");
  size_t i = 0;
  for (const Json& b : r["benchmarks"]) {
    const std::string at = "benchmarks[" + std::to_string(i++) + "]";
    Require(b.is_object(), what, at + " is not an object");
    for (const char* key : {"name", "run_name", "run_type", "time_unit"}) {
      Require(b.contains(key) && b[key].is_string(), what,
              at + " lacks the string field \"" + key + "\"");
    }
    for (const char* key : {"real_time", "cpu_time"}) {
      Require(b.contains(key) && b[key].is_number(), what,
              at + " lacks the number field \"" + key + "\"");
    }
    const std::string unit = b["time_unit"];
    Require(unit == "ns" || unit == "us" || unit == "ms" || unit == "s", what,
            at + " has unknown time_unit \"" + unit + "\"");
  }
}

Json Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ReportError(path + ": cannot open report");
  Json r;
  try {
    r = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw ReportError(path + ": not valid JSON: " + e.what());
  }
  Check(r, path);
  return r;
}

std::string Text(const Json& report) { return report.dump(2) + "\n"; }

void Save(const Json& report, const std::string& path) { WriteFileAtomically(path, Text(report)); }

double RealTimeNs(const Json& entry) {
  const std::string unit = entry.at("time_unit");
  const double t = entry.at("real_time");
  if (unit == "ns") return t;
  if (unit == "us") return t * 1e3;
  if (unit == "ms") return t * 1e6;
  return t * 1e9;
}

}  // namespace poolbench::report
