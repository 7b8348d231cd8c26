// A test plugin whose kernel writes 8 KiB before the start of its output.
#include "faulty_strategy.hpp"

namespace {

class FaultyBefore final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_before"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    static_cast<volatile char*>(b.dst)[-8192] = 1;
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultyBefore);

}  // namespace

POOLBENCH_PLUGIN();
