#include "traceback.hpp"

namespace poolbench::python {

std::string Traceback(const pybind11::error_already_set& e) {
  namespace py = pybind11;
  try {
    const py::object format = py::module_::import("traceback").attr("format_exception");
    std::string out;
    for (py::handle line : format(e.type(), e.value(), e.trace())) out += line.cast<std::string>();
    while (!out.empty() && out.back() == '\n') out.pop_back();
    // A NUL in an exception's message would end the message wherever it travels as a C string
    // (what(), the plugin ABI): it is shown escaped, as Python's repr() shows it.
    for (size_t at = out.find('\0'); at != std::string::npos; at = out.find('\0', at)) {
      out.replace(at, 1, "\\x00");
    }
    return out;
  } catch (const std::exception&) {
    // The traceback module failed too: pybind11's one-line summary is still the error.
    return e.what();
  }
}

}  // namespace poolbench::python
