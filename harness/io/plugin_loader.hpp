// Loads strategy plugins (shared libraries built with poolbench/plugin.hpp) into a registry,
// after checking that they were built for this executable's plugin ABI.
//
// Loading happens at start-up, from one thread. A plugin whose strategies were registered is
// never unloaded; one that fails is unloaded and adds nothing.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "poolbench/registry.hpp"

namespace poolbench {

// The environment variable listing plugins to load: ':'-separated shared libraries and
// directories (every *.so inside).
inline constexpr const char* kPluginPathVariable = "POOLBENCH_PLUGIN_PATH";

// The Python plugin host to use instead of the one built with poolbench (a path to
// poolbench_python.so).
inline constexpr const char* kPythonHostVariable = "POOLBENCH_PYTHON_HOST";

// Why a plugin could not be loaded. what() names the plugin file and the problem.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loading a plugin runs its code in the loading process: static constructors, a Python file's
// top level. A probe runs the load somewhere it cannot harm this process first (the command
// line's loads it in a worker process, harness/isolate, so that a plugin that crashes, hangs or
// calls exit() while loading is named instead of ending poolbench with it). It gets the
// plugin's path and the load itself, which throws PluginError as LoadPlugin does, and throws
// PluginError when the load failed. LoadPlugin calls it before loading for real; none is set by
// default.
using LoadProbe = std::function<void(const std::string& path, const std::function<void()>& load)>;
void SetLoadProbe(LoadProbe probe);

// Loads the plugin at `path` and adds its strategies to `registry`; returns their names in
// the plugin's order. Throws PluginError, and adds nothing, when the file is missing or is not
// a shared library (with the dynamic loader's message), an entry point is missing (named),
// the plugin ABI version or layout differs (both values), a strategy's name is malformed or
// already registered (named), the plugin fails or throws while registering, or the probe
// (SetLoadProbe) refuses it. A plugin that changes how SIGINT, SIGTERM, SIGHUP, SIGCHLD or
// SIGPIPE are handled while loading (a Python file ignoring SIGINT) gets the previous handling
// back, with a warning on stderr naming it: an interrupt stays the harness's.
//
// A path ending in .py is a Python file (docs/python-strategies.md): the Python plugin host
// (strategies/python/, or kPythonHostVariable) runs it and hands over one strategy per
// function decorated with @poolbench.strategy. A missing host, an error while running the file
// (with the Python traceback) and a file that declares no strategy are PluginErrors too.
std::vector<std::string> LoadPlugin(const std::string& path,
                                    Registry& registry = Registry::Global());

// The shared libraries a POOLBENCH_PLUGIN_PATH-style list names, in order: files as given,
// directories expanded to their *.so files sorted by name. Empty entries are ignored. Throws
// PluginError for an entry that does not exist.
std::vector<std::string> ExpandPluginPath(std::string_view list);

// Loads every plugin of a POOLBENCH_PLUGIN_PATH-style list, in order; returns the names of
// the strategies added. Stops at the first plugin that fails (PluginError).
std::vector<std::string> LoadPluginPath(std::string_view list,
                                        Registry& registry = Registry::Global());

// A peer strategy that this poolbench was built to offer but cannot: its library was missing at
// build time, or its plugin failed to load.
struct MissingPeer {
  std::string name;
  std::string reason;
};

// Loads the plugins built with poolbench (the peers in strategies/peers/), from `plugins/`
// beside the executable (the build tree) and from the install tree's plugin directory. Never
// throws: a plugin that fails to load becomes a MissingPeer with the loader's message, and a
// line on stderr. Records the peers the build left out too (see MissingPeers).
void LoadDefaultPlugins(Registry& registry = Registry::Global());

// The peers missing from this run, in name order: left out at build time (with CMake's reason)
// or failed to load.
const std::vector<MissingPeer>& MissingPeers();

// The plugin file a strategy was loaded from; empty for strategies built into poolbench.
std::string PluginOf(const Strategy& s);

// Whether a strategy comes from a C++ plugin that says it was compiled without optimisation.
bool PluginUnoptimized(const Strategy& s);

// Whether a strategy is written in Python: loaded from a .py file through the Python host.
bool IsPython(const Strategy& s);

// What a Python strategy's time includes, for reports.
inline constexpr const char* kPythonTiming =
    "time includes the Python interpreter call (taking the GIL, wrapping the buffers in NumPy "
    "views without copying) and copying the returned array into the output; single-threaded "
    "(the harness calls Python from one thread, MaxThreads 1) unless the function releases the "
    "GIL";

// Whether a strategy is a peer: loaded from a plugin in the default plugin directories (the
// peers built with poolbench), however it was named on the command line.
bool IsPeer(const Strategy& s);

}  // namespace poolbench
