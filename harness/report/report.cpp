#include "report/report.hpp"

#include "io/atomic_file.hpp"

namespace poolbench::report {

std::string Text(const Json& report) { return report.dump(2) + "\n"; }

std::string Quote(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Brief(const Json& value) {
  std::string s = Quote(value);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

void Save(const Json& report, const std::string& path) { WriteFileAtomically(path, Text(report)); }

}  // namespace poolbench::report
