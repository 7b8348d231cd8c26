// A test plugin as one built against the SDK of the plugin ABI version before this one answers
// the version query. Its other entry points abort, so loading it also proves that the executable
// refuses it, naming both versions, before calling anything else.
#include <cstdlib>

#include "poolbench/plugin.hpp"

extern "C" uint32_t poolbench_plugin_abi_version(void) {
  return poolbench::plugin::kAbiVersion - 1;
}
extern "C" const poolbench::plugin::Layout* poolbench_plugin_layout(void) { std::abort(); }
extern "C" void poolbench_plugin_register(const poolbench::plugin::Host*) noexcept { std::abort(); }
