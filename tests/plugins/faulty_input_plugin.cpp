// A test plugin whose kernel writes into its input, which it may only read.
#include "faulty_strategy.hpp"

namespace {

class FaultyInput final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_input"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    static_cast<float*>(const_cast<void*>(b.src))[3] = 1;
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultyInput);

}  // namespace

POOLBENCH_PLUGIN();
