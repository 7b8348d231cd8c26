// A test plugin whose kernel calls std::abort().
#include <cstdlib>

#include "faulty_strategy.hpp"

namespace {

class FaultyAbort final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_abort"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    std::abort();
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultyAbort);

}  // namespace

POOLBENCH_PLUGIN();
