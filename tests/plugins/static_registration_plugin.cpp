// A test plugin written like an in-tree strategy file: it registers with
// POOLBENCH_REGISTER_STRATEGY, which reaches only the plugin's own copy of the registry. The
// entry point must refuse it by name instead of loading a plugin that silently adds nothing.
#include "poolbench/plugin.hpp"

namespace {

class PluginMisregistered final : public poolbench::Strategy {
 public:
  std::string_view name() const override { return "plugin_misregistered"; }
  std::string_view description() const override { return "test plugin registered statically"; }
  poolbench::Support Supports(const poolbench::Problem&) const override {
    return poolbench::Support::No("never used");
  }
  std::unique_ptr<poolbench::Kernel> Prepare(const poolbench::Problem&,
                                             const poolbench::ExecContext&) const override {
    return nullptr;
  }
};

POOLBENCH_REGISTER_STRATEGY(PluginMisregistered);

}  // namespace

POOLBENCH_PLUGIN();
