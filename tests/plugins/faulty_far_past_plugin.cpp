// A test plugin whose kernel writes 8 KiB past the end of its output: beyond the guard zone,
// into the guard pages.
#include "faulty_strategy.hpp"

namespace {

using poolbench::testing::OutputBytes;

class FaultyFarPast final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_far_past"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    static_cast<volatile char*>(b.dst)[OutputBytes(p) + 8192] = 1;
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultyFarPast);

}  // namespace

POOLBENCH_PLUGIN();
