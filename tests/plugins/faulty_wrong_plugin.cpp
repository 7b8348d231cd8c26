// A test plugin whose kernel computes the wrong result: zeros.
#include <cstring>

#include "faulty_strategy.hpp"

namespace {

class FaultyWrong final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_wrong"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    std::memset(b.dst, 0, OutputElements(p) * 4);
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultyWrong);

}  // namespace

POOLBENCH_PLUGIN();
