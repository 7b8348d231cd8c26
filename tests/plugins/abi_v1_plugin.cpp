// A test plugin as one built against the SDK of plugin ABI version 1 answers the version query
// (before ExecContext, MaxThreads and saved forwards). Its other entry points abort, so loading
// it also proves that the executable refuses it before calling anything else.
#include <cstdlib>

#include "poolbench/plugin.hpp"

extern "C" uint32_t poolbench_plugin_abi_version(void) { return 1; }
extern "C" const poolbench::plugin::Layout* poolbench_plugin_layout(void) { std::abort(); }
extern "C" void poolbench_plugin_register(const poolbench::plugin::Host*) noexcept { std::abort(); }
