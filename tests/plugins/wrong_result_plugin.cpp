// A test plugin whose one strategy loads and runs but computes the wrong answer: it writes zeros
// instead of the window's maximum, so that the tests see a strategy fail the cross-check (check's
// exit status, its --json and --junit files, WRONG cells in reports) through the real executable.
#include <cstring>

#include "poolbench/plugin.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench/window.hpp"

namespace {

using poolbench::Problem;
using poolbench::Support;

class PluginWrongZeros : public poolbench::Strategy {
 public:
  std::string_view name() const override { return "plugin_wrong_zeros"; }
  std::string_view description() const override {
    return "test plugin: writes zeros instead of the maximum (always wrong)";
  }
  Support Supports(const Problem& p) const override {
    if (p.op != poolbench::Op::kMax || p.direction != poolbench::Direction::kForward) {
      return Support::No("forward max only");
    }
    if (p.layout != poolbench::Layout::kNCHW) return Support::No("needs NCHW layout");
    if (p.indices) return Support::No("no indices");
    return Support::Yes();
  }
  std::unique_ptr<poolbench::Kernel> Prepare(const Problem& p,
                                             const poolbench::ExecContext&) const override {
    return poolbench::MakeKernel([p, grid = poolbench::WindowGrid(p)](const poolbench::Buffers& b) {
      const int64_t elements = p.n * p.c * grid.oh() * grid.ow();
      std::memset(b.dst, 0, static_cast<size_t>(elements) * poolbench::SizeOf(p.dtype));
    });
  }
};

POOLBENCH_PLUGIN_STRATEGY(PluginWrongZeros);

}  // namespace

POOLBENCH_PLUGIN();
