#include "report/report.hpp"

#include "io/atomic_file.hpp"

namespace poolbench::report {

std::string Text(const Json& report) { return report.dump(2) + "\n"; }

void Save(const Json& report, const std::string& path) { WriteFileAtomically(path, Text(report)); }

}  // namespace poolbench::report
