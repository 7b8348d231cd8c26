// Fuzz target: the suite parser (harness/check/suite). Any text either gives at least one valid
// problem or throws std::invalid_argument with a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "check/suite.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace poolbench;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const std::vector<SuiteEntry> entries = ParseSuite(text, "fuzz.txt");
    if (entries.empty()) std::abort();
    for (const SuiteEntry& e : entries) {
      if (!Validate(e.problem).empty()) std::abort();
    }
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).empty()) std::abort();
  }
  return 0;
}
