#include "io/plugin_loader.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "io/signal_dispositions.hpp"
#include "poolbench/plugin.hpp"
#include "poolbench_build_info.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;

// The dynamic loader's last error, or a placeholder when it has none.
std::string DlError() {
  const char* e = dlerror();
  return e ? e : "unknown dynamic loader error";
}

// A dlopen handle that is closed unless released. Released handles are never closed, because
// the registry then holds objects whose code lives in the library.
class Library {
 public:
  explicit Library(void* handle) : handle_(handle) {}
  Library(Library&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  ~Library() {
    if (handle_) dlclose(handle_);
  }
  void* get() const { return handle_; }
  void Keep() { handle_ = nullptr; }

  // The address of an exported symbol, or nullptr. dlerror() is cleared first so that a
  // symbol whose value is legitimately null is told apart from a missing one.
  void* Symbol(const char* name) const {
    dlerror();
    void* s = dlsym(handle_, name);
    return dlerror() ? nullptr : s;
  }

 private:
  void* handle_;
};

// What the plugin hands over during registration. The callbacks are called from the plugin
// across a C boundary, so they never throw.
struct Handover {
  std::vector<std::unique_ptr<Strategy>> strategies;
  std::optional<std::string> error;

  static void Add(void* context, Strategy* s) noexcept {
    auto* self = static_cast<Handover*>(context);
    std::unique_ptr<Strategy> owned(s);
    if (!owned) {
      self->Fail("the plugin handed over a null strategy");
      return;
    }
    try {
      self->strategies.push_back(std::move(owned));
    } catch (...) {
      self->Fail("out of memory while collecting strategies");
    }
  }
  static void Fail(void* context, const char* message) noexcept {
    static_cast<Handover*>(context)->Fail(message ? message : "no message");
  }
  void Fail(const char* message) noexcept {
    try {
      if (!error) error = message;  // the first failure is the cause; keep it
    } catch (...) {
    }
  }
};

// A strategy that only carries a name, so that a plugin's names can be put through the
// registry's own rules (format, uniqueness within the plugin) in a scratch registry before
// anything is added to the real one.
class NameOnly final : public Strategy {
 public:
  explicit NameOnly(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return ""; }
  Support Supports(const Problem&) const override { return Support::No("name check only"); }
  std::unique_ptr<Kernel> Prepare(const Problem&, const ExecContext&) const override {
    return nullptr;
  }

 private:
  std::string name_;
};

// The registry's messages start with "poolbench: "; the loader's own prefix replaces it.
std::string WithoutPrefix(std::string message) {
  constexpr std::string_view kPrefix = "poolbench: ";
  if (message.starts_with(kPrefix)) message.erase(0, kPrefix.size());
  return message;
}

// The plugins loaded by LoadDefaultPlugins, by absolute path, with their strategies' names.
std::map<std::string, std::vector<std::string>>& DefaultLoaded() {
  static std::map<std::string, std::vector<std::string>> loaded;
  return loaded;
}

// The plugin each loaded strategy came from, so that a name clash can say where the strategy
// already registered came from.
std::map<const Strategy*, std::string>& Origins() {
  static std::map<const Strategy*, std::string> origins;
  return origins;
}

// The C++ plugins, by path as given, that say they were compiled without optimisation.
std::set<std::string>& Unoptimized() {
  static std::set<std::string> paths;
  return paths;
}

// The first field of the plugin's layout that differs from the executable's, described with
// both values; empty when they agree.
std::string LayoutMismatch(const plugin::Layout& theirs, const plugin::Layout& ours) {
  const std::pair<const char*, uint32_t plugin::Layout::*> fields[] = {
      {"sizeof(poolbench::Problem)", &plugin::Layout::problem_size},
      {"sizeof(poolbench::Buffers)", &plugin::Layout::buffers_size},
      {"sizeof(poolbench::Support)", &plugin::Layout::support_size},
      {"sizeof(poolbench::InputDomain)", &plugin::Layout::input_domain_size},
      {"sizeof(poolbench::ExecContext)", &plugin::Layout::exec_context_size},
      {"sizeof(poolbench::SavedForward)", &plugin::Layout::saved_forward_size},
      {"sizeof(poolbench::Implemented)", &plugin::Layout::implemented_size},
      {"the rows of the dtype table", &plugin::Layout::dtype_count},
      {"sizeof(std::string)", &plugin::Layout::string_size},
      {"the C++ standard library (0 other, 1 libstdc++, 2 libc++)", &plugin::Layout::stdlib},
      {"_GLIBCXX_USE_CXX11_ABI", &plugin::Layout::stdlib_cxx11_abi},
  };
  for (const auto& [what, field] : fields) {
    if (theirs.*field != ours.*field) {
      return what + std::string(" is ") + std::to_string(theirs.*field) + " in the plugin but " +
             std::to_string(ours.*field) + " in poolbench";
    }
  }
  return "";
}

// The plugin being loaded, for its error messages.
struct PluginFile {
  const std::string& path;
  PluginError Error(const std::string& what) const {
    return PluginError("plugin '" + path + "': " + what);
  }
};

// dlopen with an absolute path, so that it never searches LD_LIBRARY_PATH for a bare file name.
// RTLD_NOW reports unresolved symbols here rather than in the middle of a run; RTLD_LOCAL keeps
// each plugin's copy of the SDK from resolving another plugin's symbols.
Library Open(const PluginFile& file, const std::string& absolute) {
  dlerror();
  Library lib(dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!lib.get()) throw file.Error("cannot load it as a shared library: " + DlError());
  return lib;
}

void* EntryPoint(const PluginFile& file, const Library& lib, const char* name) {
  void* s = lib.Symbol(name);
  if (!s) {
    throw file.Error(std::string("no entry point '") + name +
                     "' (not a poolbench plugin, or built without POOLBENCH_PLUGIN())");
  }
  return s;
}

// Checks the plugin ABI version and the layout of the types that cross the boundary; returns
// the register entry point. The version comes first, through a plain C function, and nothing
// else in the plugin is called unless it matches: every later step relies on types whose
// layout it fixes.
plugin::RegisterFn CheckAbi(const PluginFile& file, const Library& lib) {
  const auto abi_version =
      reinterpret_cast<plugin::AbiVersionFn>(EntryPoint(file, lib, plugin::kAbiVersionSymbol));
  const uint32_t version = abi_version();
  if (version != plugin::kAbiVersion) {
    throw file.Error("built for plugin ABI version " + std::to_string(version) +
                     ", but this poolbench has plugin ABI version " +
                     std::to_string(plugin::kAbiVersion) +
                     "; rebuild it against this poolbench's SDK");
  }
  const auto layout_fn =
      reinterpret_cast<plugin::LayoutFn>(EntryPoint(file, lib, plugin::kLayoutSymbol));
  const plugin::Layout* layout = layout_fn();
  static constexpr plugin::Layout kOurs = plugin::CurrentLayout();
  if (!layout) throw file.Error(std::string(plugin::kLayoutSymbol) + "() returned null");
  if (std::string m = LayoutMismatch(*layout, kOurs); !m.empty()) {
    throw file.Error("built with an incompatible C++ ABI: " + m +
                     " (plugin: " + (layout->toolchain ? layout->toolchain : "unknown") +
                     "; poolbench: " + kOurs.toolchain +
                     "); rebuild it with the same compiler family and C++ library");
  }
  return reinterpret_cast<plugin::RegisterFn>(EntryPoint(file, lib, plugin::kRegisterSymbol));
}

// Calls the plugin's register entry point (`call` passes it the Host) and returns the
// strategies it handed over.
template <class Call>
Handover Register(const PluginFile& file, Call call) {
  Handover handed;
  const plugin::Host host{&handed, &Handover::Add, &Handover::Fail, &Registry::Global()};
  try {
    call(&host);
  } catch (const std::exception& e) {
    handed.Fail(e.what());
  } catch (...) {
    handed.Fail("an exception that is not a std::exception");
  }
  if (handed.error) throw file.Error("failed while registering its strategies: " + *handed.error);
  if (handed.strategies.empty()) {
    throw file.Error("registers no strategies (declare them with POOLBENCH_PLUGIN_STRATEGY)");
  }
  return handed;
}

// The Python plugin host: POOLBENCH_PYTHON_HOST when set, else python/ beside the executable
// (the build tree) or the install tree's folder. Throws, naming why, when there is none.
std::string PythonHost(const PluginFile& file) {
  if (const char* env = std::getenv(kPythonHostVariable); env && *env) {
    if (!fs::is_regular_file(env)) {
      throw file.Error(std::string("the Python plugin host is missing: ") + kPythonHostVariable +
                       " names '" + env + "', which is not a file");
    }
    return env;
  }
  if (*build_info::kPythonHostMissing) {
    throw file.Error(std::string("the Python plugin host is missing: this poolbench was built "
                                 "without it, because ") +
                     build_info::kPythonHostMissing + "; rebuild after installing it");
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::string looked;
  for (const fs::path& dir :
       {exe.parent_path() / "python", exe.parent_path() / build_info::kInstalledPythonHostDir}) {
    const fs::path host = dir / "poolbench_python.so";
    std::error_code file_ec;
    if (!ec && fs::is_regular_file(host, file_ec)) return host.string();
    looked += (looked.empty() ? "" : ", ") + host.lexically_normal().string();
  }
  throw file.Error("the Python plugin host is missing: no " + looked +
                   " (build the target poolbench_python_host, or set " + kPythonHostVariable + ")");
}

// Opens the Python plugin host for `file`, checks its ABI like any plugin's, and returns its
// entry point for files. The host is never closed once opened: the interpreter it starts
// lives in it.
plugin::RegisterFileFn OpenPythonHost(const PluginFile& file) {
  const std::string host = PythonHost(file);
  const PluginFile host_file{host};
  try {
    Library lib = Open(host_file, fs::absolute(host).string());
    CheckAbi(host_file, lib);
    const auto register_file = reinterpret_cast<plugin::RegisterFileFn>(
        EntryPoint(host_file, lib, plugin::kRegisterFileSymbol));
    lib.Keep();
    return register_file;
  } catch (const PluginError& e) {
    throw file.Error(std::string("the Python plugin host cannot be used: ") + e.what());
  }
}

// Checks every name before any strategy is added, so that a failing plugin adds nothing.
void CheckNames(const PluginFile& file, const Handover& handed, const Registry& registry) {
  Registry scratch;
  for (const auto& s : handed.strategies) {
    const std::string name(s->name());
    try {
      scratch.Add(std::make_unique<NameOnly>(name));
    } catch (const std::invalid_argument& e) {
      throw file.Error(WithoutPrefix(e.what()));
    }
    if (const Strategy* taken = registry.Find(name)) {
      const auto origin = Origins().find(taken);
      throw file.Error("a strategy named '" + name + "' is already registered (" +
                       (origin == Origins().end() ? std::string("built into poolbench")
                                                  : "by plugin '" + origin->second + "'") +
                       ")");
    }
  }
}

// Adds a plugin's strategies to the registry once all their names are known to be free.
std::vector<std::string> AddAll(const PluginFile& file, Handover handed, Registry& registry) {
  CheckNames(file, handed, registry);
  std::vector<std::string> names;
  for (auto& s : handed.strategies) {
    names.emplace_back(s->name());
    Origins()[s.get()] = file.path;
    registry.Add(std::move(s));
  }
  return names;
}

LoadProbe& Probe() {
  static LoadProbe probe;
  return probe;
}

// LoadPlugin once the file is known to be there and not loaded yet.
std::vector<std::string> Load(const PluginFile& file, const std::string& absolute,
                              Registry& registry) {
  if (fs::path(file.path).extension() == ".py") {
    const plugin::RegisterFileFn register_file = OpenPythonHost(file);
    return AddAll(
        file, Register(file, [&](const plugin::Host* h) { register_file(h, absolute.c_str()); }),
        registry);
  }
  Library lib = Open(file, absolute);
  const auto register_fn = CheckAbi(file, lib);
  if (void* f = lib.Symbol(plugin::kOptimizedSymbol);
      f && reinterpret_cast<plugin::OptimizedFn>(f)() == 0) {
    Unoptimized().insert(file.path);
  }
  // Declared after `lib`, so that on failure the strategies are destroyed before the library
  // that holds their code is closed.
  Handover handed = Register(file, [&](const plugin::Host* h) { register_fn(h); });
  std::vector<std::string> names = AddAll(file, std::move(handed), registry);
  lib.Keep();
  return names;
}

}  // namespace

void SetLoadProbe(LoadProbe probe) { Probe() = std::move(probe); }

std::vector<std::string> LoadPlugin(const std::string& path, Registry& registry) {
  const PluginFile file{path};
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) throw file.Error("no such file");
  if (!fs::is_regular_file(status)) {
    throw file.Error("not a regular file (expected a shared library)");
  }
  // A peer loaded by default and also named with --plugin is loaded once.
  const std::string absolute = fs::absolute(path).string();
  if (const auto it = DefaultLoaded().find(absolute); it != DefaultLoaded().end()) {
    return it->second;
  }
  if (Probe()) Probe()(path, [&] { Load(file, absolute, registry); });
  const SignalDispositions signals;
  std::vector<std::string> names;
  try {
    names = Load(file, absolute, registry);
  } catch (...) {
    signals.Restore();  // a plugin refused after taking a signal leaves nothing behind either
    throw;
  }
  if (const std::vector<std::string> changed = signals.Restore(); !changed.empty()) {
    std::string list;
    for (const std::string& s : changed) list += (list.empty() ? "" : ", ") + s;
    std::cerr << "poolbench: warning: plugin '" << path << "' changed the handling of " << list
              << " while loading; poolbench put its own back (an interrupt stops a run "
                 "gracefully, and worker processes are waited for)\n";
  }
  // Said here, once, not by the probe's worker too.
  if (Unoptimized().count(file.path)) {
    std::cerr << "poolbench: warning: plugin " << path
              << " was compiled without optimisation (-O0): its strategies' times say little of "
                 "their technique; build it with -DCMAKE_BUILD_TYPE=Release\n";
  }
  return names;
}

std::vector<std::string> ExpandPluginPath(std::string_view list) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= list.size()) {
    size_t end = list.find(':', begin);
    if (end == std::string_view::npos) end = list.size();
    const std::string entry(list.substr(begin, end - begin));
    begin = end + 1;
    if (entry.empty()) continue;
    std::error_code ec;
    const fs::file_status status = fs::status(entry, ec);
    if (!fs::exists(status)) {
      throw PluginError(std::string(kPluginPathVariable) + " entry '" + entry +
                        "': no such file or directory");
    }
    if (!fs::is_directory(status)) {
      out.push_back(entry);
      continue;
    }
    std::vector<std::string> found;
    for (fs::directory_iterator it(entry, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      if (it->path().extension() == ".so" && it->is_regular_file(type_ec)) {
        found.push_back(it->path().string());
      }
    }
    if (ec) {
      throw PluginError(std::string(kPluginPathVariable) + " entry '" + entry +
                        "': cannot list the directory: " + ec.message());
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

namespace {

std::vector<MissingPeer>& Missing() {
  static std::vector<MissingPeer> missing = [] {
    // build_info::kMissingPeers is "name: reason" entries separated by ';'.
    std::vector<MissingPeer> out;
    std::string_view list = build_info::kMissingPeers;
    while (!list.empty()) {
      const size_t end = std::min(list.find(';'), list.size());
      const std::string_view entry = list.substr(0, end);
      list.remove_prefix(std::min(end + 1, list.size()));
      const size_t colon = entry.find(": ");
      if (colon == std::string_view::npos) continue;
      out.push_back({std::string(entry.substr(0, colon)), std::string(entry.substr(colon + 2))});
    }
    return out;
  }();
  return missing;
}

// The directories the peers built with poolbench live in, relative to the executable.
std::vector<fs::path> DefaultPluginDirs() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return {exe.parent_path() / "plugins", exe.parent_path() / build_info::kInstalledPluginDir};
}

}  // namespace

void LoadDefaultPlugins(Registry& registry) {
  for (const fs::path& dir : DefaultPluginDirs()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (const std::string& path : ExpandPluginPath(dir.string())) {
      try {
        DefaultLoaded()[fs::absolute(path).string()] = LoadPlugin(path, registry);
      } catch (const PluginError& e) {
        // A peer is one entry of the comparison: the rest of the run goes on without it.
        std::string name = fs::path(path).stem().string();
        if (name.starts_with("poolbench_")) name.erase(0, 10);
        Missing().push_back({name, e.what()});
        std::cerr << "poolbench: warning: peer " << name << " is left out: " << e.what() << "\n";
      }
    }
  }
  std::sort(Missing().begin(), Missing().end(),
            [](const MissingPeer& a, const MissingPeer& b) { return a.name < b.name; });
}

const std::vector<MissingPeer>& MissingPeers() { return Missing(); }

bool PluginUnoptimized(const Strategy& s) {
  const std::string plugin = PluginOf(s);
  return !plugin.empty() && Unoptimized().count(plugin);
}

std::string PluginOf(const Strategy& s) {
  const auto it = Origins().find(&s);
  return it == Origins().end() ? std::string() : it->second;
}

bool IsPython(const Strategy& s) { return fs::path(PluginOf(s)).extension() == ".py"; }

bool IsPeer(const Strategy& s) {
  const std::string plugin = PluginOf(s);
  if (plugin.empty()) return false;
  std::error_code ec;
  const fs::path dir = fs::weakly_canonical(fs::absolute(plugin), ec).parent_path();
  if (ec) return false;
  for (const fs::path& d : DefaultPluginDirs()) {
    std::error_code dec;
    if (fs::weakly_canonical(d, dec) == dir && !dec) return true;
  }
  return false;
}

std::vector<std::string> LoadPluginPath(std::string_view list, Registry& registry) {
  std::vector<std::string> names;
  for (const std::string& path : ExpandPluginPath(list)) {
    for (std::string& n : LoadPlugin(path, registry)) names.push_back(std::move(n));
  }
  return names;
}

}  // namespace poolbench
