// A test plugin whose kernel throws, as a strategy that finds its state corrupted would.
#include <stdexcept>

#include "faulty_strategy.hpp"

namespace {

class FaultyThrows final : public poolbench::testing::FaultyStrategy {
 public:
  std::string_view name() const override { return "faulty_throws"; }
  void Fault([[maybe_unused]] const poolbench::Problem& p,
             [[maybe_unused]] const poolbench::Buffers& b) const override {
    throw std::runtime_error("lookup table corrupted");
  }
};

POOLBENCH_PLUGIN_STRATEGY(FaultyThrows);

}  // namespace

POOLBENCH_PLUGIN();
