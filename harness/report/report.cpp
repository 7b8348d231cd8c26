#include "report/report.hpp"

#include "io/atomic_file.hpp"

namespace poolbench::report {

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
