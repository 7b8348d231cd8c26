#include "problem_object.hpp"

#include <pybind11/embed.h>
#include <pybind11/numpy.h>

#include "poolbench/descriptor.hpp"

namespace poolbench::python {
namespace {

py::tuple PairTuple(const Pair& v) { return py::make_tuple(v.h, v.w); }

py::tuple ShapeTuple(const Problem& p, bool output) {
  const std::vector<py::ssize_t> shape = Shape(p, output);
  py::tuple t(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) t[i] = py::int_(shape[i]);
  return t;
}

// The decorator is Python, so that its errors (a missing name, a decorated non-function) are
// ordinary Python exceptions with the user's line in their traceback.
//
// The problem is a plain Python object whose attributes are set once per problem: reading one
// is a dictionary lookup, where a property implemented in C++ would cost a call through
// pybind11 for every read, inside the timed call.
constexpr const char* kModuleSource = R"py(
_declared = []


class Problem:
    """The problem a strategy function is called with: op, direction, dtype, layout, n, c, h, w,
    kernel, stride, padding, dilation, ceil_mode, count_include_pad, divisor_override, indices,
    descriptor, out_h, out_w, input_shape, output_shape, and prepared (what prepare returned)."""

    def __repr__(self):
        return f"poolbench.Problem({self.descriptor!r})"


def strategy(name, description, *, supports=None, backward=None, prepare=None):
    """Declares the decorated function f(x, p) as a poolbench strategy.

    supports(p) returns None or the reason the problem is not supported; backward(x, dy, p)
    returns the input gradient; prepare(p) runs once per problem outside the timed region and
    its result is p.prepared in the calls that follow.
    """
    if not isinstance(name, str) or not isinstance(description, str):
        raise TypeError("poolbench.strategy(name, description, ...) takes two strings")
    for what, hook in (("supports", supports), ("backward", backward), ("prepare", prepare)):
        if hook is not None and not callable(hook):
            raise TypeError(f"poolbench.strategy {name!r}: {what}= must be callable or None")
    def register(function):
        if not callable(function):
            raise TypeError(f"poolbench.strategy {name!r} decorates a callable")
        _declared.append((name, description, function, supports, backward, prepare))
        return function
    return register
)py";

}  // namespace

PYBIND11_EMBEDDED_MODULE(poolbench, m) {
  m.doc() = "Declare pooling strategies for the poolbench harness (docs/python-strategies.md).";
  py::exec(kModuleSource, m.attr("__dict__"));
}

std::vector<Declared> TakeDeclared() {
  py::list declared = py::module_::import("poolbench").attr("_declared");
  std::vector<Declared> out;
  for (py::handle item : declared) {
    const auto t = item.cast<py::tuple>();
    out.push_back({t[0].cast<std::string>(), t[1].cast<std::string>(), t[2], t[3], t[4], t[5]});
  }
  declared.attr("clear")();
  return out;
}

py::object MakeProblemObject(const Problem& p) {
  py::object o = py::module_::import("poolbench").attr("Problem")();
  o.attr("op") = ToString(p.op);
  o.attr("direction") = ToString(p.direction);
  o.attr("dtype") = NumpyDType(p.dtype);
  o.attr("layout") = ToString(p.layout);
  o.attr("n") = p.n;
  o.attr("c") = p.c;
  o.attr("h") = p.h;
  o.attr("w") = p.w;
  o.attr("kernel") = PairTuple(p.kernel);
  o.attr("stride") = PairTuple(p.stride);
  o.attr("padding") = PairTuple(p.padding);
  o.attr("dilation") = PairTuple(p.dilation);
  o.attr("ceil_mode") = p.ceil_mode;
  o.attr("count_include_pad") = p.count_include_pad;
  o.attr("divisor_override") =
      p.divisor_override ? py::object(py::int_(*p.divisor_override)) : py::object(py::none());
  o.attr("indices") = p.indices;
  o.attr("descriptor") = FormatDescriptor(p);
  o.attr("out_h") = OutputH(p);
  o.attr("out_w") = OutputW(p);
  o.attr("input_shape") = ShapeTuple(p, false);
  o.attr("output_shape") = ShapeTuple(p, true);
  o.attr("prepared") = py::none();
  return o;
}

py::dtype NumpyDType(DType t) { return py::dtype(std::string(NumpyDescr(t))); }

std::vector<py::ssize_t> Shape(const Problem& p, bool output) {
  const int64_t h = output ? OutputH(p) : p.h, w = output ? OutputW(p) : p.w;
  if (p.layout == Layout::kNHWC) return {p.n, h, w, p.c};
  return {p.n, p.c, h, w};
}

}  // namespace poolbench::python
