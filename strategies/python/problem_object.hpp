// The embedded `poolbench` Python module: the @poolbench.strategy decorator and the problem
// object `p` that every Python strategy function receives.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "poolbench/problem.hpp"

namespace poolbench::python {

namespace py = pybind11;

// One function decorated with @poolbench.strategy, as the decorator recorded it.
struct Declared {
  std::string name;
  std::string description;
  py::object forward;   // f(x, p) -> output, or (output, indices) when p.indices
  py::object supports;  // None, or s(p) -> None or a reason
  py::object backward;  // None, or g(x, dy, p) -> dx
  py::object prepare;   // None, or h(p) -> anything, kept as p.prepared
};

// Removes and returns what the decorator recorded since the last call. Needs the GIL.
std::vector<Declared> TakeDeclared();

// A new problem object (a poolbench.Problem) for `p`, with p.prepared set to None. Needs the
// GIL.
py::object MakeProblemObject(const Problem& p);

// The NumPy dtype of a poolbench dtype. Needs the GIL.
py::dtype NumpyDType(DType t);

// The shape of the input (or, with `output`, of the output) as NumPy sees it: (N, C, H, W) or
// (N, H, W, C) by the problem's layout.
std::vector<py::ssize_t> Shape(const Problem& p, bool output);

}  // namespace poolbench::python
