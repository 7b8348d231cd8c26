// A test plugin whose kernel writes to an unmapped address near null.
#include <cstdint>

#include "faulty_strategy.hpp"

namespace {

class FaultySegfault final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_segfault"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    // Not null itself: UndefinedBehaviorSanitizer stops a null store before it faults.
    volatile std::uintptr_t unmapped = 64;
    *reinterpret_cast<volatile int*>(unmapped) = 1;
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultySegfault);

}  // namespace

POOLBENCH_PLUGIN();
