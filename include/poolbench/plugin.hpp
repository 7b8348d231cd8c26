// Runtime strategy plugins: the ABI between the poolbench executable and a shared library.
//
// A plugin is a shared library (a CMake MODULE) whose strategies read like in-tree ones. Each
// strategy is declared with POOLBENCH_PLUGIN_STRATEGY instead of POOLBENCH_REGISTER_STRATEGY,
// and one file of the library says POOLBENCH_PLUGIN() once, at global scope:
//
//   #include "poolbench/plugin.hpp"
//   class MyPooling final : public poolbench::Strategy { ... };
//   POOLBENCH_PLUGIN_STRATEGY(MyPooling);
//   POOLBENCH_PLUGIN();
//
// and the harness loads it with `poolbench --plugin my_pooling.so check ...` or through
// POOLBENCH_PLUGIN_PATH. Loaded strategies are ordinary registry entries.
//
// Why not POOLBENCH_REGISTER_STRATEGY: the SDK is a static library, so a plugin links its own
// copy of it, including its own Registry::Global(). A strategy registered there would be
// invisible to the executable. POOLBENCH_PLUGIN_STRATEGY only records a factory inside the
// plugin; the executable then calls the plugin's entry point, which creates the strategies and
// hands them over. (The entry point refuses a plugin that registered into its own copy.)
//
// What makes this ABI honest. C++ objects cross the boundary: the executable calls the virtual
// functions of Strategy and Kernel, passes Problem and Buffers, receives Support (holding a
// std::string) and std::unique_ptr<Kernel>, and finally deletes the strategies. That is only
// sound when both sides agree on
//   1. the SDK's types and vtables: kAbiVersion below. It is bumped whenever a type or a
//      virtual function of problem.hpp or strategy.hpp, or a row of dtype.hpp, changes, and the
//      executable checks it first, through a plain C function, before it calls anything else in the
//      plugin;
//   2. the C++ ABI: Itanium, which GCC and Clang both follow on Linux;
//   3. the standard library: the same one (libstdc++ or libc++) with the same std::string ABI
//      (_GLIBCXX_USE_CXX11_ABI), linked as a shared library so that both sides use one heap,
//      one operator delete and one exception runtime. Do not link libstdc++ statically into a
//      plugin. A plugin built with a newer libstdc++ than the executable's fails to load with
//      a "version GLIBCXX_... not found" error, which the loader reports.
// After the version, the executable compares a Layout fingerprint (sizes of the types that
// cross, the standard library and its string ABI) and names the first field that differs.
// This catches a plugin built against other headers or another standard library; it cannot
// catch an edit of a vtable that keeps every size, which is why such edits bump kAbiVersion.
//
// Lifetime. The executable never unloads a plugin whose strategies it registered: their code
// and vtables live in the library. The strategies are destroyed with the registry at exit,
// after the plugin's own static objects, so a strategy's destructor must not use them.
// The plugin's static initialisers run when the library is loaded, before the handshake;
// POOLBENCH_PLUGIN_STRATEGY only records a factory then, so nothing of the executable is used
// before the version check. Strategies are constructed during registration, so a constructor
// that throws is reported as a failed plugin instead of terminating the process.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "poolbench/registry.hpp"
#include "poolbench/strategy.hpp"

namespace poolbench::plugin {

// The version of the plugin ABI: the SDK types and vtables plus the entry points below.
// Version 2: ExecContext (threads belong to the strategy), Strategy::MaxThreads, the buffer
// alignment contract, Buffers::workspace and Kernel::Saves / SaveForward.
// Version 3: the dtype table's semantics (compute and accumulator types, rounding) and
// Strategy::Implements (the dtypes a strategy implements, checked before Supports), and
// Kernel::Plan (what a kernel chose, for pool --verbose).
// Version 4: problems of spatial rank 1, 2 or 3 (Problem::d and Problem::depth, the layouts
// ncw/nwc and ncdhw/ndhwc) and Implemented::ranks (2-D only unless a strategy says otherwise).
inline constexpr uint32_t kAbiVersion = 4;

// The entry points a plugin exports (with C linkage), in the order the executable calls them.
inline constexpr const char* kAbiVersionSymbol = "poolbench_plugin_abi_version";
inline constexpr const char* kLayoutSymbol = "poolbench_plugin_layout";
inline constexpr const char* kRegisterSymbol = "poolbench_plugin_register";
// Optional (a plugin without it is taken as of unknown build): 1 when the plugin was compiled
// with optimisation, 0 when at -O0, whose times say little of the technique.
inline constexpr const char* kOptimizedSymbol = "poolbench_plugin_optimized";
using OptimizedFn = int (*)();

// Standard libraries, as recorded in Layout::stdlib.
inline constexpr uint32_t kStdlibOther = 0;
inline constexpr uint32_t kStdlibLibstdcxx = 1;
inline constexpr uint32_t kStdlibLibcxx = 2;

// The build facts of one side of the boundary. Only read after the ABI versions matched, so
// its own layout may change with kAbiVersion.
struct Layout {
  uint32_t abi_version;
  uint32_t problem_size;        // sizeof(Problem)
  uint32_t buffers_size;        // sizeof(Buffers)
  uint32_t support_size;        // sizeof(Support)
  uint32_t input_domain_size;   // sizeof(InputDomain)
  uint32_t exec_context_size;   // sizeof(ExecContext)
  uint32_t saved_forward_size;  // sizeof(SavedForward)
  uint32_t implemented_size;    // sizeof(Implemented)
  uint32_t dtype_count;         // rows of the dtype table (their enumerators cross in Problem)
  uint32_t string_size;         // sizeof(std::string)
  uint32_t stdlib;              // kStdlib*
  uint32_t stdlib_cxx11_abi;    // _GLIBCXX_USE_CXX11_ABI with libstdc++, else 0
  const char* toolchain;        // compiler and standard library, for error messages only
};

// The Layout of the code including this header. Evaluated at compile time, so that the
// plugin's answer describes the plugin's build and the executable's its own.
constexpr Layout CurrentLayout() {
  return Layout {
    kAbiVersion, sizeof(Problem), sizeof(Buffers), sizeof(Support), sizeof(InputDomain),
        sizeof(ExecContext), sizeof(SavedForward), sizeof(Implemented), kDTypeCount,
        sizeof(std::string),
#if defined(_LIBCPP_VERSION)
        kStdlibLibcxx, 0,
#elif defined(__GLIBCXX__)
        kStdlibLibstdcxx, _GLIBCXX_USE_CXX11_ABI,
#else
        kStdlibOther, 0,
#endif
#if defined(__clang__)
        "clang " __clang_version__
#elif defined(__GNUC__)
        "GCC " __VERSION__
#else
        "unknown compiler"
#endif
#if defined(_LIBCPP_VERSION)
        ", libc++"
#elif defined(__GLIBCXX__)
        ", libstdc++"
#endif
  };
}

// What the executable passes to the plugin's register entry point. The callbacks never throw.
struct Host {
  void* context;
  // Takes ownership of a strategy the plugin created with new.
  void (*add_strategy)(void* context, Strategy* strategy) noexcept;
  // Reports why registration failed; the message is copied.
  void (*fail)(void* context, const char* message) noexcept;
  // The executable's Registry::Global(), so that the plugin can tell whether its own is a
  // separate copy (the usual case) and refuse strategies registered there by mistake.
  const Registry* host_registry;
};

// A plugin host loads strategies written in another language from a file: the loader opens
// the host for the file's extension (the Python host for .py), checks its ABI version and
// layout like any plugin's, and calls this entry point instead of the register one, with the
// file's absolute path. The host hands over one strategy per function the file declares.
inline constexpr const char* kRegisterFileSymbol = "poolbench_plugin_register_file";

using AbiVersionFn = uint32_t (*)();
using LayoutFn = const Layout* (*)();
// Not noexcept on the executable's side: a hand-written entry point that throws anyway is then
// reported as a failed plugin rather than terminating the process.
using RegisterFn = void (*)(const Host* host);
using RegisterFileFn = void (*)(const Host* host, const char* path);

}  // namespace poolbench::plugin

// Hidden visibility keeps the factory list private to each plugin: a default-visibility
// function-local static would be a process-wide unique symbol, shared by every plugin loaded.
#define POOLBENCH_PLUGIN_HIDDEN __attribute__((visibility("hidden")))
// The entry points stay visible when a plugin is compiled with -fvisibility=hidden.
#define POOLBENCH_PLUGIN_EXPORT __attribute__((visibility("default")))
// Whether the plugin's own file is compiled with optimisation (GCC and Clang define
// __OPTIMIZE__ at -O1 and above), for poolbench_plugin_optimized.
#ifdef __OPTIMIZE__
#define POOLBENCH_PLUGIN_OPTIMIZED 1
#else
#define POOLBENCH_PLUGIN_OPTIMIZED 0
#endif

extern "C" {
POOLBENCH_PLUGIN_EXPORT uint32_t poolbench_plugin_abi_version(void);
POOLBENCH_PLUGIN_EXPORT const poolbench::plugin::Layout* poolbench_plugin_layout(void);
POOLBENCH_PLUGIN_EXPORT void poolbench_plugin_register(
    const poolbench::plugin::Host* host) noexcept;
}

namespace poolbench::plugin::detail {

using Factory = std::unique_ptr<Strategy> (*)();

POOLBENCH_PLUGIN_HIDDEN inline std::vector<Factory>& Factories() {
  static std::vector<Factory> factories;
  return factories;
}

template <class S>
POOLBENCH_PLUGIN_HIDDEN bool AddFactory() {
  Factories().push_back([]() -> std::unique_ptr<Strategy> { return std::make_unique<S>(); });
  return true;
}

// The body of poolbench_plugin_register: creates every recorded strategy and hands it over.
// Nothing escapes: an exception becomes a failure message for the executable to report.
POOLBENCH_PLUGIN_HIDDEN inline void RegisterAll(const Host* host) noexcept {
  try {
    // Strategies in the plugin's own copy of the registry are a mistake (see the top of this
    // file) that would otherwise go unnoticed: they would silently never run.
    const Registry& own = Registry::Global();
    if (&own != host->host_registry && !own.All().empty()) {
      std::string names;
      for (const Strategy* s : own.All())
        names += (names.empty() ? "" : ", ") + std::string(s->name());
      host->fail(host->context,
                 ("strategies registered with POOLBENCH_REGISTER_STRATEGY in a plugin are "
                  "invisible to poolbench; declare them with POOLBENCH_PLUGIN_STRATEGY: " +
                  names)
                     .c_str());
      return;
    }
    for (Factory make : Factories()) host->add_strategy(host->context, make().release());
  } catch (const std::exception& e) {
    host->fail(host->context, e.what());
  } catch (...) {
    host->fail(host->context, "an exception that is not a std::exception");
  }
}

}  // namespace poolbench::plugin::detail

// Declares strategy class `Class` (default-constructible) as one of the plugin's strategies.
#define POOLBENCH_PLUGIN_STRATEGY(Class)                                    \
  [[maybe_unused]] static const bool poolbench_plugin_strategy_##Class##_ = \
      ::poolbench::plugin::detail::AddFactory<Class>()

// Defines the plugin's entry points. Use exactly once per plugin library, at global scope.
#define POOLBENCH_PLUGIN()                                                                       \
  extern "C" POOLBENCH_PLUGIN_EXPORT uint32_t poolbench_plugin_abi_version(void) {               \
    return ::poolbench::plugin::kAbiVersion;                                                     \
  }                                                                                              \
  extern "C" POOLBENCH_PLUGIN_EXPORT const ::poolbench::plugin::Layout* poolbench_plugin_layout( \
      void) {                                                                                    \
    static constexpr ::poolbench::plugin::Layout layout = ::poolbench::plugin::CurrentLayout();  \
    return &layout;                                                                              \
  }                                                                                              \
  extern "C" POOLBENCH_PLUGIN_EXPORT void poolbench_plugin_register(                             \
      const ::poolbench::plugin::Host* host) noexcept {                                          \
    ::poolbench::plugin::detail::RegisterAll(host);                                              \
  }                                                                                              \
  extern "C" POOLBENCH_PLUGIN_EXPORT int poolbench_plugin_optimized(void) {                      \
    return POOLBENCH_PLUGIN_OPTIMIZED;                                                           \
  }                                                                                              \
  static_assert(true, "POOLBENCH_PLUGIN() takes a semicolon")
