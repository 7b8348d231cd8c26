// Test plugins whose Supports() misbehaves: one crashes, one throws. Supports() is the
// strategy's code like its kernel: `list`, `check`, `bench` and `pool` must ask it in a worker
// and name the strategy and its plugin.
#include <stdexcept>

#include "faulty_strategy.hpp"

namespace {

class SupportsCrashes final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_supports_crash"; }
  poolbench::Support Supports(const poolbench::Problem&) const override {
    poolbench::testing::WriteNearNull();
    return poolbench::Support::Yes();
  }
  void Fault(const poolbench::Problem&, const poolbench::Buffers&) const override {}
};

class SupportsThrows final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_supports_throw"; }
  poolbench::Support Supports(const poolbench::Problem&) const override {
    throw std::runtime_error("support table not initialised");
  }
  void Fault(const poolbench::Problem&, const poolbench::Buffers&) const override {}
};

POOLBENCH_PLUGIN_STRATEGY(SupportsCrashes);
POOLBENCH_PLUGIN_STRATEGY(SupportsThrows);

}  // namespace

POOLBENCH_PLUGIN();
