// Python errors as Python prints them, for failure messages.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

namespace poolbench::python {

// The traceback and the exception of `e`, without a trailing newline. Needs the GIL.
std::string Traceback(const pybind11::error_already_set& e);

}  // namespace poolbench::python
