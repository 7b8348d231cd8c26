// The interface every pooling strategy implements.
//
// A strategy is stateless: it names itself, says whether it supports a problem (and why not),
// and prepares a Kernel for one problem. Preparation (tables, scratch, plans) happens outside
// the timed region; Kernel::Run is what the benchmark times.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "poolbench/problem.hpp"

namespace poolbench {

// Whether a strategy supports a problem; when not, `reason` says why in a short phrase that
// reports and skipped tests show ("stride must equal kernel").
struct Support {
  bool ok = true;
  std::string reason;

  static Support Yes() { return {}; }
  static Support No(std::string why) { return {false, std::move(why)}; }
  explicit operator bool() const { return ok; }
};

// Caller-owned buffers of one run, typed by Problem::dtype and laid out by Problem::layout.
// Forward reads src and writes every element of dst (and of indices when Problem::indices).
// Backward reads src and diff_dst and writes every element of diff_src; max backward finds the
// winners from src with the forward rule.
struct Buffers {
  const void* src = nullptr;       // N x C x H x W
  void* dst = nullptr;             // N x C x OH x OW (forward)
  int64_t* indices = nullptr;      // N x C x OH x OW, flat ih * W + iw in the plane (forward)
  const void* diff_dst = nullptr;  // N x C x OH x OW (backward)
  void* diff_src = nullptr;        // N x C x H x W (backward)
};

// A strategy prepared for one problem. Not required to be thread-safe: the harness runs one
// Kernel from one thread at a time (a parallel strategy parallelises inside Run).
class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void Run(const Buffers& b) = 0;
};

// Input values a strategy honours with poolbench's semantics. Production libraries deviate
// (oneDNN ignores NaN, for instance); a strategy declares that here, and the cross-check then
// leaves those values out of its inputs and says so, instead of failing or hiding it.
struct InputDomain {
  bool nan = true;       // NaN wins a max, as the last NaN of the window
  bool infinity = true;  // +-inf behave as ordinary extreme values
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // Only called with problems that pass Validate().
  virtual Support Supports(const Problem& p) const = 0;
  // Only called with problems for which Supports() is ok.
  virtual std::unique_ptr<Kernel> Prepare(const Problem& p) const = 0;
  virtual InputDomain Domain(const Problem&) const { return {}; }
  // Whether Run uses several threads (OpenMP's current thread count). The benchmark times a
  // threaded strategy at every requested thread count and the others once, single-threaded.
  virtual bool Threaded() const { return false; }
};

// A Kernel from a callable, for strategies that need no per-problem state beyond the problem.
template <class Fn>
class FunctionKernel final : public Kernel {
 public:
  explicit FunctionKernel(Fn fn) : fn_(std::move(fn)) {}
  void Run(const Buffers& b) override { fn_(b); }

 private:
  Fn fn_;
};
template <class Fn>
std::unique_ptr<Kernel> MakeKernel(Fn fn) {
  return std::make_unique<FunctionKernel<Fn>>(std::move(fn));
}

}  // namespace poolbench
