// The base of the faulty test plugins (faulty_*.cpp): a strategy that takes only the 4x4 f32
// forward max problem without indices (one problem of the seeds suite, so a test that waits for a
// timeout waits once) and whose kernel does something a strategy must not do. The harness must
// catch each fault, name the strategy, the problem and the verdict, and run every other strategy.
#pragma once

#include <cstdint>

#include "poolbench/plugin.hpp"
#include "poolbench/window.hpp"

namespace poolbench::testing {

class FaultyStrategy : public Strategy {
 public:
  std::string_view description() const override { return "test plugin that misbehaves"; }
  Support Supports(const Problem& p) const override {
    const bool taken = p.direction == Direction::kForward && p.dtype == DType::kF32 &&
                       p.op == Op::kMax && p.layout == Layout::kNCHW && p.h == 4 && p.w == 4 &&
                       !p.indices;
    return taken ? Support::Yes()
                 : Support::No("only the 4x4 f32 forward max problem without indices");
  }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext&) const override {
    return MakeKernel([this, p](const Buffers& b) { Fault(p, b); });
  }

  // What the kernel does instead of pooling.
  virtual void Fault(const Problem& p, const Buffers& b) const = 0;
};

// Bytes of the problem's output.
inline int64_t OutputBytes(const Problem& p) { return OutputElements(p) * 4; }

// Writes to an unmapped address near null: a SIGSEGV. Not null itself, since
// UndefinedBehaviorSanitizer stops a null store before it faults.
inline void WriteNearNull() {
  volatile std::uintptr_t unmapped = 64;
  *reinterpret_cast<volatile int*>(unmapped) = 1;
}

// The right answer, for the strategies whose fault comes after doing their work (a child
// process, a thread left running): their result would pass on its own.
inline void PoolCorrectly(const Problem& p, const Buffers& b) {
  const WindowGrid grid(p);
  const auto* src = static_cast<const float*>(b.src);
  auto* dst = static_cast<float*>(b.dst);
  for (int64_t oy = 0; oy < grid.oh(); ++oy) {
    for (int64_t ox = 0; ox < grid.ow(); ++ox)
      dst[oy * grid.ow() + ox] = src[grid.ArgMax(src, oy, ox)];
  }
}

}  // namespace poolbench::testing
