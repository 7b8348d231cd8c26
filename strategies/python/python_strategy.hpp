// A strategy whose forward (and backward) pass is a Python function, called through the
// embedded interpreter.
//
// Timing: Kernel::Run is the timed call. It takes the GIL, wraps the caller's buffers in
// read-only NumPy views (no copy), calls the function, checks what it returned and copies that
// into the output buffers. All of that is in the measured time, which is why the report says a
// Python strategy's time includes the interpreter call and the copy.
//
// Threads: the GIL is released between calls and taken by Run, so a Kernel may run on any
// thread, but one at a time; MaxThreads() is 1. A function that releases the GIL itself (a
// Numba function compiled with nogil and parallel loops) may use more threads inside the call;
// the harness still times it as a one-thread strategy.
#pragma once

#include <memory>
#include <string>

#include "poolbench/strategy.hpp"
#include "problem_object.hpp"

namespace poolbench::python {

class PythonStrategy final : public Strategy {
 public:
  // `declared` holds Python references: construct with the GIL held.
  PythonStrategy(Declared declared, std::string file);
  ~PythonStrategy() override;

  std::string_view name() const override { return d_.name; }
  std::string_view description() const override { return d_.description; }
  // A supports() that raises or returns something other than None or a string answers "yes",
  // so that Prepare reports the error as a failure with its traceback instead of the problem
  // being quietly skipped.
  Support Supports(const Problem& p) const override;
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext& ctx) const override;
  int MaxThreads() const override { return 1; }

 private:
  Declared d_;
  std::string file_;
};

}  // namespace poolbench::python
