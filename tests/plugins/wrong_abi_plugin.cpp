// A test plugin built for another plugin ABI version. Its other entry points abort, so a test
// that loads it also proves that the executable checks the version before calling them.
#include <cstdlib>

#include "poolbench/plugin.hpp"

extern "C" uint32_t poolbench_plugin_abi_version(void) {
  return poolbench::plugin::kAbiVersion + 1000;
}
extern "C" const poolbench::plugin::Layout* poolbench_plugin_layout(void) { std::abort(); }
extern "C" void poolbench_plugin_register(const poolbench::plugin::Host*) noexcept { std::abort(); }
