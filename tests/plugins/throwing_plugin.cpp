// A test plugin whose strategy cannot be constructed: its constructor throws, which the
// executable must report as a failed plugin rather than terminate on.
#include <stdexcept>

#include "poolbench/plugin.hpp"

namespace {

class PluginThrows final : public poolbench::Strategy {
 public:
  PluginThrows() { throw std::runtime_error("cannot find its lookup tables"); }
  std::string_view name() const override { return "plugin_throws"; }
  std::string_view description() const override { return "test plugin that cannot start"; }
  poolbench::Support Supports(const poolbench::Problem&) const override {
    return poolbench::Support::No("never constructed");
  }
  std::unique_ptr<poolbench::Kernel> Prepare(const poolbench::Problem&,
                                             const poolbench::ExecContext&) const override {
    return nullptr;
  }
};

POOLBENCH_PLUGIN_STRATEGY(PluginThrows);

}  // namespace

POOLBENCH_PLUGIN();
