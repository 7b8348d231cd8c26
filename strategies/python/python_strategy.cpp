#include "python_strategy.hpp"

#include <pybind11/numpy.h>

#include <cstring>
#include <optional>
#include <stdexcept>
#include <utility>

#include "poolbench/descriptor.hpp"
#include "traceback.hpp"

namespace poolbench::python {
namespace {

// What the strategy's Python code did wrong, as the exception that makes it a failed entry.
std::runtime_error Failure(const std::string& strategy, const std::string& file, const Problem& p,
                           const std::string& what) {
  return std::runtime_error("Python strategy '" + strategy + "' (" + file + ") on " +
                            FormatDescriptor(p) + ": " + what);
}

std::string ShapeText(const std::vector<py::ssize_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::string Repr(py::handle o) { return py::repr(o).cast<std::string>(); }

// A NumPy array over a caller's buffer, without copying. A base object keeps NumPy from
// copying; the capsule frees nothing: the buffer belongs to the harness and outlives the call.
py::array View(const py::dtype& dtype, const std::vector<py::ssize_t>& shape, const void* data,
               bool writeable) {
  const py::capsule owner(data, [](void*) {});
  py::array a(dtype, shape, {}, data, owner);
  if (!writeable) a.attr("setflags")(py::arg("write") = false);
  return a;
}

class PythonKernel final : public Kernel {
 public:
  PythonKernel(const PythonStrategy& s, const Declared& d, std::string file, const Problem& p,
               py::object problem_object)
      : s_(s),
        d_(d),
        file_(std::move(file)),
        p_(p),
        pobj_(std::move(problem_object)),
        dtype_(NumpyDType(p.dtype)),
        in_shape_(Shape(p, false)),
        out_shape_(Shape(p, true)) {}

  ~PythonKernel() override {
    py::gil_scoped_acquire gil;
    pobj_ = py::object();
    dtype_ = py::dtype();
    x_ = py::object();
    dy_ = py::object();
  }

  void Run(const Buffers& b) override {
    py::gil_scoped_acquire gil;
    try {
      const py::object& x = Cached(x_, x_data_, b.src, in_shape_);
      if (p_.direction == Direction::kBackward) {
        const py::object& dy = Cached(dy_, dy_data_, b.diff_dst, out_shape_);
        const py::object dx = d_.backward(x, dy, pobj_);
        CopyOut(dx, "backward's return value (dx)", dtype_, in_shape_, b.diff_src);
        return;
      }
      const py::object r = d_.forward(x, pobj_);
      if (!p_.indices) {
        CopyOut(r, "the return value", dtype_, out_shape_, b.dst);
        return;
      }
      if (!py::isinstance<py::tuple>(r) || py::len(r) != 2) {
        throw Failure(std::string(s_.name()), file_, p_,
                      "p.indices is set, so the function must return (output, indices); it "
                      "returned " +
                          Describe(r));
      }
      const auto t = r.cast<py::tuple>();
      CopyOut(t[0], "the output (first element of the returned tuple)", dtype_, out_shape_, b.dst);
      CopyOut(t[1], "the indices (second element of the returned tuple)", py::dtype::of<int64_t>(),
              out_shape_, b.indices);
    } catch (py::error_already_set& e) {
      throw Failure(std::string(s_.name()), file_, p_, "raised an exception\n" + Traceback(e));
    }
  }

 private:
  // The read-only view of one input buffer, made again only when the buffer changes.
  const py::object& Cached(py::object& view, const void*& data, const void* ptr,
                           const std::vector<py::ssize_t>& shape) {
    if (!view || data != ptr) {
      view = View(dtype_, shape, ptr, false);
      data = ptr;
    }
    return view;
  }

  static std::string Describe(py::handle o) {
    if (o.is_none()) return "None (a missing return statement?)";
    if (py::isinstance<py::array>(o)) {
      const auto a = py::reinterpret_borrow<py::array>(o);
      return "an array of shape " +
             ShapeText(std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim())) + " and dtype " +
             a.dtype().attr("name").cast<std::string>();
    }
    std::string r = Repr(py::type::handle_of(o).attr("__name__")) + " " + Repr(o);
    if (r.size() > 200) r = r.substr(0, 200) + "...";
    return r;
  }

  // Checks one returned array against the expected dtype and shape and copies it into `dst`.
  void CopyOut(py::handle r, const char* what, const py::dtype& dtype,
               const std::vector<py::ssize_t>& shape, void* dst) {
    const auto wrong = [&](const std::string& got) {
      return Failure(std::string(s_.name()), file_, p_,
                     std::string(what) + " must be a numpy.ndarray of shape " + ShapeText(shape) +
                         " and dtype " + dtype.attr("name").cast<std::string>() + "; got " + got);
    };
    if (!py::isinstance<py::array>(r)) throw wrong(Describe(r));
    const auto a = py::reinterpret_borrow<py::array>(r);
    const std::vector<py::ssize_t> got(a.shape(), a.shape() + a.ndim());
    if (got != shape) throw wrong(Describe(r));
    // NumPy shares one descriptor per native built-in dtype, so the usual check is a pointer
    // comparison; anything else is compared in full.
    const py::dtype has = a.dtype();
    if (has.ptr() != dtype.ptr() &&
        (has.num() != dtype.num() || has.itemsize() != dtype.itemsize() ||
         !has.attr("isnative").cast<bool>())) {
      throw wrong(Describe(r));
    }
    if (RowMajor(a)) {
      std::memcpy(dst, a.data(), static_cast<size_t>(a.nbytes()));
    } else {
      // Strided results (a transposed or sliced view) are copied by NumPy.
      py::module_::import("numpy").attr("copyto")(View(dtype, shape, dst, true), a);
    }
  }

  // Whether the array's elements are contiguous in row-major order (a plain memcpy suffices).
  // Read from the strides: pybind11's flags() trips GCC's -Warray-bounds.
  static bool RowMajor(const py::array& a) {
    py::ssize_t step = a.itemsize();
    for (py::ssize_t d = a.ndim() - 1; d >= 0; --d) {
      if (a.shape(d) != 1 && a.strides(d) != step) return false;
      step *= a.shape(d);
    }
    return true;
  }

  const PythonStrategy& s_;
  const Declared& d_;
  std::string file_;
  Problem p_;
  py::object pobj_;
  py::dtype dtype_;
  std::vector<py::ssize_t> in_shape_, out_shape_;
  py::object x_, dy_;
  const void* x_data_ = nullptr;
  const void* dy_data_ = nullptr;
};

// What supports() said: a reason, nothing (supported), or that it failed (then the error).
struct SupportsAnswer {
  std::optional<std::string> reason;
  std::optional<std::string> error;
};

SupportsAnswer AskSupports(const Declared& d, const Problem& p) {
  if (p.direction == Direction::kBackward && d.backward.is_none()) {
    return {"no backward= function", std::nullopt};
  }
  if (d.supports.is_none()) return {};
  try {
    const py::object r = d.supports(MakeProblemObject(p));
    if (r.is_none()) return {};
    if (py::isinstance<py::str>(r)) return {r.cast<std::string>(), std::nullopt};
    return {std::nullopt, "supports() must return None or a reason (a str); it returned " +
                              Repr(py::type::handle_of(r).attr("__name__")) + " " + Repr(r)};
  } catch (py::error_already_set& e) {
    return {std::nullopt, "supports() raised an exception\n" + Traceback(e)};
  }
}

}  // namespace

PythonStrategy::PythonStrategy(Declared declared, std::string file)
    : d_(std::move(declared)), file_(std::move(file)) {}

PythonStrategy::~PythonStrategy() {
  // Strategies live until the registry is destroyed at exit, when the GIL may be unavailable
  // (or the interpreter already finalising): their few references are left to the process.
  d_.forward.release();
  d_.supports.release();
  d_.backward.release();
  d_.prepare.release();
}

Support PythonStrategy::Supports(const Problem& p) const {
  py::gil_scoped_acquire gil;
  const SupportsAnswer a = AskSupports(d_, p);
  if (a.reason) return Support::No(*a.reason);
  return Support::Yes();
}

std::unique_ptr<Kernel> PythonStrategy::Prepare(const Problem& p, const ExecContext&) const {
  py::gil_scoped_acquire gil;
  if (const SupportsAnswer a = AskSupports(d_, p); a.error) {
    throw Failure(d_.name, file_, p, *a.error);
  }
  py::object pobj = MakeProblemObject(p);
  if (!d_.prepare.is_none()) {
    try {
      pobj.attr("prepared") = d_.prepare(pobj);
    } catch (py::error_already_set& e) {
      throw Failure(d_.name, file_, p, "prepare() raised an exception\n" + Traceback(e));
    }
  }
  return std::make_unique<PythonKernel>(*this, d_, file_, p, std::move(pobj));
}

}  // namespace poolbench::python
