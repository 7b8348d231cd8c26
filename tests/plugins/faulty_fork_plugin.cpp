// A test plugin whose kernel pools correctly, then forks: the child returns from the kernel
// too, into the worker, and sends a result of its own. The harness must fail this strategy
// ("forked a child that wrote to the harness") and pin nothing on the strategies after it.
#include <unistd.h>

#include "faulty_strategy.hpp"

namespace {

class FaultyFork final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_fork"; }
  void Fault(const poolbench::Problem& p, const poolbench::Buffers& b) const override {
    poolbench::testing::PoolCorrectly(p, b);
    fork();
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultyFork);

}  // namespace

POOLBENCH_PLUGIN();
