// A test plugin whose kernel allocates memory (without touching it) until allocation fails.
#include <memory>
#include <vector>

#include "faulty_strategy.hpp"

namespace {

class FaultyOom final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_oom"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    static std::vector<std::unique_ptr<char[]>> hoard;
    for (;;) hoard.emplace_back(new char[size_t{256} << 20]);
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultyOom);

}  // namespace

POOLBENCH_PLUGIN();
