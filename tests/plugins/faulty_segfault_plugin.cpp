// A test plugin whose kernel dereferences a null pointer.
#include "faulty_strategy.hpp"

namespace {

class FaultySegfault final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_segfault"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    *static_cast<volatile int*>(nullptr) = 1;
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultySegfault);

}  // namespace

POOLBENCH_PLUGIN();
