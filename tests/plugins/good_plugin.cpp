// A well-formed test plugin with two strategies: plain loops over each window's valid taps
// (forward max and avg, NCHW), and a variant that only supports max, so that the tests see
// several strategies from one library and an honest "not supported" from a plugin.
#include "poolbench/plugin.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench/window.hpp"

namespace {

using poolbench::Problem;
using poolbench::Support;

template <class T>
void Forward(const Problem& p, const poolbench::WindowGrid& grid, const poolbench::Buffers& b) {
  const int64_t in_plane = p.h * p.w, out_plane = grid.oh() * grid.ow();
  for (int64_t i = 0; i < p.n * p.c; ++i) {
    const T* src = static_cast<const T*>(b.src) + i * in_plane;
    T* dst = static_cast<T*>(b.dst) + i * out_plane;
    for (int64_t oy = 0; oy < grid.oh(); ++oy) {
      for (int64_t ox = 0; ox < grid.ow(); ++ox) {
        const int64_t o = oy * grid.ow() + ox;
        if (p.op == poolbench::Op::kMax) {
          const int64_t at = grid.ArgMax(src, oy, ox);
          dst[o] = src[at];
          if (b.indices) b.indices[i * out_plane + o] = at;
        } else {
          poolbench::Acc<T> sum = 0;
          grid.ForEachTap(oy, ox, [&](int64_t off) { sum += src[off]; });
          dst[o] = poolbench::DivideAs<T>(sum, grid.Divisor(oy, ox));
        }
      }
    }
  }
}

class PluginGoodLoops : public poolbench::Strategy {
 public:
  std::string_view name() const override { return "plugin_good_loops"; }
  std::string_view description() const override {
    return "test plugin: loops over each window's valid taps";
  }
  Support Supports(const Problem& p) const override {
    if (p.direction != poolbench::Direction::kForward) return Support::No("forward only");
    if (p.layout != poolbench::Layout::kNCHW) return Support::No("needs NCHW layout");
    return Support::Yes();
  }
  std::unique_ptr<poolbench::Kernel> Prepare(const Problem& p,
                                             const poolbench::ExecContext&) const override {
    return poolbench::MakeKernel([p, grid = poolbench::WindowGrid(p)](const poolbench::Buffers& b) {
      poolbench::DispatchDType<poolbench::DefaultDTypes>(
          p.dtype, [&]<class T>() { Forward<T>(p, grid, b); });
    });
  }
};

class PluginGoodMaxOnly final : public PluginGoodLoops {
 public:
  std::string_view name() const override { return "plugin_good_max_only"; }
  std::string_view description() const override { return "test plugin: max pooling only"; }
  Support Supports(const Problem& p) const override {
    if (p.op != poolbench::Op::kMax) return Support::No("max only");
    return PluginGoodLoops::Supports(p);
  }
};

POOLBENCH_PLUGIN_STRATEGY(PluginGoodLoops);
POOLBENCH_PLUGIN_STRATEGY(PluginGoodMaxOnly);

}  // namespace

POOLBENCH_PLUGIN();
