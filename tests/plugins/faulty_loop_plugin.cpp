// A test plugin whose kernel never returns.
#include "faulty_strategy.hpp"

namespace {

class FaultyLoop final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_loop"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    for (volatile bool forever = true; forever;) {
    }
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultyLoop);

}  // namespace

POOLBENCH_PLUGIN();
