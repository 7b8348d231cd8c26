#include "problem_object.hpp"

#include <pybind11/embed.h>
#include <pybind11/numpy.h>

#include "poolbench/descriptor.hpp"

namespace poolbench::python {
namespace {

// What `p` holds: the problem and what the strategy's prepare hook returned.
struct ProblemObject {
  Problem problem;
  py::object prepared = py::none();
};

py::tuple PairTuple(const Pair& v) { return py::make_tuple(v.h, v.w); }

py::tuple ShapeTuple(const Problem& p, bool output) {
  const std::vector<py::ssize_t> shape = Shape(p, output);
  py::tuple t(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) t[i] = py::int_(shape[i]);
  return t;
}

// The decorator is Python, so that its errors (a missing name, a decorated non-function) are
// ordinary Python exceptions with the user's line in their traceback.
constexpr const char* kDecoratorSource = R"(
_declared = []

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
)";

}  // namespace

PYBIND11_EMBEDDED_MODULE(poolbench, m) {
  m.doc() = "Declare pooling strategies for the poolbench harness (docs/python-strategies.md).";
  // dynamic_attr: a prepare hook may also keep its state as attributes of p.
  py::class_<ProblemObject>(m, "Problem", py::dynamic_attr())
      .def_property_readonly("op", [](const ProblemObject& o) { return ToString(o.problem.op); })
      .def_property_readonly("direction",
                             [](const ProblemObject& o) { return ToString(o.problem.direction); })
      .def_property_readonly("dtype",
                             [](const ProblemObject& o) { return NumpyDType(o.problem.dtype); })
      .def_property_readonly("layout",
                             [](const ProblemObject& o) { return ToString(o.problem.layout); })
      .def_property_readonly("n", [](const ProblemObject& o) { return o.problem.n; })
      .def_property_readonly("c", [](const ProblemObject& o) { return o.problem.c; })
      .def_property_readonly("h", [](const ProblemObject& o) { return o.problem.h; })
      .def_property_readonly("w", [](const ProblemObject& o) { return o.problem.w; })
      .def_property_readonly("kernel",
                             [](const ProblemObject& o) { return PairTuple(o.problem.kernel); })
      .def_property_readonly("stride",
                             [](const ProblemObject& o) { return PairTuple(o.problem.stride); })
      .def_property_readonly("padding",
                             [](const ProblemObject& o) { return PairTuple(o.problem.padding); })
      .def_property_readonly("dilation",
                             [](const ProblemObject& o) { return PairTuple(o.problem.dilation); })
      .def_property_readonly("ceil_mode",
                             [](const ProblemObject& o) { return o.problem.ceil_mode; })
      .def_property_readonly("count_include_pad",
                             [](const ProblemObject& o) { return o.problem.count_include_pad; })
      .def_property_readonly("divisor_override",
                             [](const ProblemObject& o) -> py::object {
                               if (!o.problem.divisor_override) return py::none();
                               return py::int_(*o.problem.divisor_override);
                             })
      .def_property_readonly("indices", [](const ProblemObject& o) { return o.problem.indices; })
      .def_property_readonly("descriptor",
                             [](const ProblemObject& o) { return FormatDescriptor(o.problem); })
      .def_property_readonly("out_h", [](const ProblemObject& o) { return OutputH(o.problem); })
      .def_property_readonly("out_w", [](const ProblemObject& o) { return OutputW(o.problem); })
      .def_property_readonly(
          "input_shape",
          [](const ProblemObject& o) { return ShapeTuple(o.problem, false); })
      .def_property_readonly(
          "output_shape",
          [](const ProblemObject& o) { return ShapeTuple(o.problem, true); })
      .def_readwrite("prepared", &ProblemObject::prepared)
      .def("__repr__", [](const ProblemObject& o) {
        return "poolbench.Problem('" + FormatDescriptor(o.problem) + "')";
      });
  py::exec(kDecoratorSource, m.attr("__dict__"));
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
  py::module_::import("poolbench");  // registers the Problem type on first use
  return py::cast(ProblemObject{p});
}

py::dtype NumpyDType(DType t) {
  return DispatchDType(t, []<class T>() { return py::dtype::of<T>(); });
}

std::vector<py::ssize_t> Shape(const Problem& p, bool output) {
  const int64_t h = output ? OutputH(p) : p.h, w = output ? OutputW(p) : p.w;
  if (p.layout == Layout::kNHWC) return {p.n, h, w, p.c};
  return {p.n, p.c, h, w};
}

}  // namespace poolbench::python
