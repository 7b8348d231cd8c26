// The Python plugin host's entry points: the plugin ABI handshake, and loading one Python file.
//
// The executable's plugin loader opens this library when a plugin path ends in .py, checks its
// ABI like any plugin's, and calls poolbench_plugin_register_file with the file. The first call
// starts the interpreter; every call runs the file as a module and hands over one strategy per
// function it decorated with @poolbench.strategy.
//
// The interpreter is never finalised: strategies keep references into it until exit. Between
// calls no thread holds the GIL (each call into Python takes it), and no Python thread is
// started by the host, so a process that forks after loading (to run strategies in worker
// processes) gives its children a usable interpreter.
#include <dlfcn.h>
#include <pybind11/embed.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "poolbench/plugin.hpp"
#include "python_strategy.hpp"
#include "traceback.hpp"

namespace poolbench::python {
namespace {

namespace fs = std::filesystem;

// Extension modules (NumPy's among them) do not link libpython: they expect its symbols to be
// global. This library was opened with RTLD_LOCAL, which keeps the libpython it pulled in local
// too; reopening that libpython with RTLD_GLOBAL makes its symbols visible to them.
void MakePythonSymbolsGlobal() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&Py_InitializeEx), &info) == 0 || !info.dli_fname) {
    throw std::runtime_error("cannot locate the Python library this host is linked with");
  }
  if (!dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD)) {
    throw std::runtime_error(std::string("cannot make Python's symbols global: ") + dlerror());
  }
}

// Starts the interpreter once, checks that NumPy imports, and releases the GIL. A failure is
// remembered: the interpreter cannot be started twice.
void StartInterpreter() {
  static const std::string error = []() -> std::string {
    try {
      MakePythonSymbolsGlobal();
    } catch (const std::exception& e) {
      return e.what();
    }
    // No signal handlers: Ctrl-C stops poolbench as it does without Python.
    py::initialize_interpreter(/*init_signal_handlers=*/false);
    std::string why;
    try {
      py::module_::import("numpy");
    } catch (py::error_already_set& e) {
      why = "NumPy cannot be imported by the embedded Python (install python3-numpy)\n" +
            Traceback(e);
    }
    PyEval_SaveThread();
    return why;
  }();
  if (!error.empty()) throw std::runtime_error(error);
}

// Runs the file as a module named after it, so that its functions' tracebacks name the file.
// Its folder goes first on sys.path, so that it can import its neighbours.
void RunFile(const std::string& path) {
  const fs::path file(path);
  const py::module_ sys = py::module_::import("sys");
  const py::str dir(file.parent_path().string());
  if (!sys.attr("path").contains(dir)) sys.attr("path").attr("insert")(0, dir);
  const py::module_ util = py::module_::import("importlib.util");
  const std::string module_name = "poolbench_plugin_" + file.stem().string();
  const py::object spec = util.attr("spec_from_file_location")(module_name, path);
  const py::object module = util.attr("module_from_spec")(spec);
  sys.attr("modules")[py::str(module_name)] = module;
  spec.attr("loader").attr("exec_module")(module);
}

void RegisterFile(const plugin::Host* host, const char* path) {
  StartInterpreter();
  py::gil_scoped_acquire gil;
  try {
    TakeDeclared();  // anything left from a file that failed to load
    RunFile(path);
  } catch (py::error_already_set& e) {
    TakeDeclared();
    host->fail(host->context, ("running it raised an exception\n" + Traceback(e)).c_str());
    return;
  }
  std::vector<Declared> declared = TakeDeclared();
  if (declared.empty()) {
    host->fail(host->context,
               "it declares no strategies (decorate functions with @poolbench.strategy(name, "
               "description) after `import poolbench`)");
    return;
  }
  for (Declared& d : declared) {
    host->add_strategy(host->context, new PythonStrategy(std::move(d), path));
  }
}

}  // namespace
}  // namespace poolbench::python

// The host registers no strategies of its own: loaded directly with --plugin, the loader says so.
POOLBENCH_PLUGIN();

extern "C" POOLBENCH_PLUGIN_EXPORT void poolbench_plugin_register_file(
    const poolbench::plugin::Host* host, const char* path) noexcept {
  try {
    poolbench::python::RegisterFile(host, path);
  } catch (const std::exception& e) {
    host->fail(host->context, e.what());
  } catch (...) {
    host->fail(host->context, "an exception that is not a std::exception");
  }
}
