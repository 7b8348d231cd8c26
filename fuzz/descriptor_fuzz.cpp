// Fuzz target: the descriptor parser (include/poolbench/descriptor.hpp). Any text either parses
// or throws DescriptorError; a descriptor that parses and validates prints in the canonical form,
// which parses back to the same problem and prints the same text again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "poolbench/descriptor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace poolbench;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Problem p;
  try {
    p = ParseDescriptor(text);
  } catch (const DescriptorError&) {
    return 0;
  }
  if (!Validate(p).empty()) return 0;
  // Derived sizes of a valid problem must be computable without overflow.
  (void)InputElements(p);
  (void)OutputElements(p);
  const std::string canonical = FormatDescriptor(p);
  const Problem again = ParseDescriptor(canonical);
  if (!(again == p) || FormatDescriptor(again) != canonical) std::abort();
  return 0;
}
