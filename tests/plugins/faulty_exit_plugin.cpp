// A test plugin whose kernel calls exit(0), which must not make a run look successful.
#include <cstdlib>

#include "faulty_strategy.hpp"

namespace {

class FaultyExit final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_exit"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    std::exit(0);
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultyExit);

}  // namespace

POOLBENCH_PLUGIN();
