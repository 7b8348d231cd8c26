#include "isolate/outcome.hpp"

#include <cstddef>

namespace poolbench::isolate {

std::string_view VerdictName(Fault f) {
  // In the order of the enumerators.
  static constexpr std::string_view kNames[] = {"pass",  "crashed", "timed_out",
                                                "threw", "exited",  "out_of_memory"};
  return kNames[static_cast<size_t>(f)];
}

std::string_view VerdictLabel(Fault f) {
  static constexpr std::string_view kLabels[] = {"PASS",  "CRASHED", "TIMED OUT",
                                                 "THREW", "EXITED",  "OUT OF MEMORY"};
  return kLabels[static_cast<size_t>(f)];
}

}  // namespace poolbench::isolate
