// Test plugins whose kernels pool correctly but leave a thread running after they return: one
// that spins for ever (it would slow every later entry down), and one that wakes up later and
// writes into the output it was given (by then another entry's memory, or none). The harness
// must fail each, naming it, and run every other strategy in a clean worker.
#include <chrono>
#include <thread>

#include "faulty_strategy.hpp"

namespace {

class FaultySpinner final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_spinner"; }
  void Fault(const poolbench::Problem& p, const poolbench::Buffers& b) const override {
    poolbench::testing::PoolCorrectly(p, b);
    std::thread([] {
      for (volatile bool forever = true; forever;) {
      }
    }).detach();
  }
};

class FaultyLateWriter final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_late_writer"; }
  void Fault(const poolbench::Problem& p, const poolbench::Buffers& b) const override {
    poolbench::testing::PoolCorrectly(p, b);
    std::thread([dst = static_cast<float*>(b.dst)] {
      std::this_thread::sleep_for(std::chrono::seconds(2));
      for (int i = 0; i < 4; ++i) dst[i] = 12345;
    }).detach();
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultySpinner);
POOLBENCH_PLUGIN_STRATEGY(FaultyLateWriter);

}  // namespace

POOLBENCH_PLUGIN();
