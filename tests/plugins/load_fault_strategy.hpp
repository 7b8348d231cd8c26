// The base of the test plugins that misbehave while they are loaded (load_*_plugin.cpp): a
// harmless strategy, and a static object whose constructor, run by the dynamic loader inside
// dlopen(), does what a plugin must not do at load time. The harness must name the plugin and
// exit 2 instead of exiting 0 with nothing checked, crashing or hanging.
#pragma once

#include "faulty_strategy.hpp"

namespace poolbench::testing {

class LoadFaultStrategy : public FaultyStrategy {
 public:
  void Fault(const Problem& p, const Buffers& b) const override { PoolCorrectly(p, b); }
};

}  // namespace poolbench::testing

// Declares the plugin's strategy, named `strategy_name`, and runs `statement` when the library
// loads.
#define POOLBENCH_TEST_LOAD_FAULT(strategy_name, statement)              \
  namespace {                                                            \
  class LoadFault final : public poolbench::testing::LoadFaultStrategy { \
   public:                                                               \
    std::string_view name() const override { return #strategy_name; }    \
  };                                                                     \
  POOLBENCH_PLUGIN_STRATEGY(LoadFault);                                  \
  [[maybe_unused]] const bool load_fault_ran = [] {                      \
    statement;                                                           \
    return true;                                                         \
  }();                                                                   \
  }                                                                      \
  POOLBENCH_PLUGIN()
