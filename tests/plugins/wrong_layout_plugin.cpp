// A test plugin with the right ABI version whose layout fingerprint says its Problem is bigger,
// as if built against other SDK headers. Registering aborts: it must never be reached.
#include <cstdlib>

#include "poolbench/plugin.hpp"

extern "C" uint32_t poolbench_plugin_abi_version(void) { return poolbench::plugin::kAbiVersion; }
extern "C" const poolbench::plugin::Layout* poolbench_plugin_layout(void) {
  static poolbench::plugin::Layout layout = [] {
    poolbench::plugin::Layout l = poolbench::plugin::CurrentLayout();
    l.problem_size += 8;
    l.toolchain = "a test toolchain";
    return l;
  }();
  return &layout;
}
extern "C" void poolbench_plugin_register(const poolbench::plugin::Host*) noexcept { std::abort(); }
