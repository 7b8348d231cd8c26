// openmp_parallel: the work split over (plane, output row) pairs with OpenMP. Each task
// reduces one output row over the SDK's WindowGrid (valid tap ranges computed once per
// problem, so the inner loops carry no bounds checks). Backward is split over planes only, since
// the windows of neighbouring output rows may overlap and scatter into the same inputs.
#include <omp.h>

#include <vector>

#include "poolbench/registry.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench/window.hpp"

namespace poolbench {
namespace {

template <class T>
class ParallelKernel final : public Kernel {
 public:
  explicit ParallelKernel(const Problem& p) : p_(p), grid_(p), oh_(grid_.oh()), ow_(grid_.ow()) {}

  void Run(const Buffers& b) override {
    const int64_t planes = p_.n * p_.c, in_plane = p_.h * p_.w, out_plane = oh_ * ow_;
    const T* src = static_cast<const T*>(b.src);
    if (p_.direction == Direction::kForward) {
      T* dst = static_cast<T*>(b.dst);
#pragma omp parallel for collapse(2) schedule(static)
      for (int64_t i = 0; i < planes; ++i) {
        for (int64_t oy = 0; oy < oh_; ++oy) {
          const int64_t o = i * out_plane + oy * ow_;
          ForwardRow(src + i * in_plane, oy, dst + o, b.indices ? b.indices + o : nullptr);
        }
      }
    } else {
      const T* dy = static_cast<const T*>(b.diff_dst);
      T* dx = static_cast<T*>(b.diff_src);
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < planes; ++i) {
        BackwardPlane(src + i * in_plane, dy + i * out_plane, dx + i * in_plane);
      }
    }
  }

 private:
  void ForwardRow(const T* src, int64_t oy, T* dst, int64_t* idx) const {
    for (int64_t ox = 0; ox < ow_; ++ox) {
      if (p_.op == Op::kMax) {
        const int64_t bi = grid_.ArgMax(src, oy, ox);
        dst[ox] = src[bi];
        if (idx) idx[ox] = bi;
      } else {
        Acc<T> sum = 0;
        grid_.ForEachTap(oy, ox, [&](int64_t off) { sum += src[off]; });
        dst[ox] = DivideAs<T>(sum, grid_.Divisor(oy, ox));
      }
    }
  }

  void BackwardPlane(const T* src, const T* dy, T* dx) const {
    std::fill(dx, dx + p_.h * p_.w, T(0));
    for (int64_t oy = 0; oy < oh_; ++oy) {
      for (int64_t ox = 0; ox < ow_; ++ox) {
        const T g = dy[oy * ow_ + ox];
        if (p_.op == Op::kMax) {
          AddGrad(dx[grid_.ArgMax(src, oy, ox)], g);
        } else {
          const T share = DivideAs<T>(g, grid_.Divisor(oy, ox));
          grid_.ForEachTap(oy, ox, [&](int64_t off) { AddGrad(dx[off], share); });
        }
      }
    }
  }

  Problem p_;
  WindowGrid grid_;
  int64_t oh_, ow_;
};

class OpenMPParallel final : public Strategy {
 public:
  std::string_view name() const override { return "openmp_parallel"; }
  std::string_view description() const override {
    return "OpenMP over (plane, output row) pairs, precomputed tap ranges, no bounds checks "
           "inside; backward over planes";
  }
  Support Supports(const Problem& p) const override {
    if (p.layout != Layout::kNCHW) return Support::No("needs NCHW layout");
    return Support::Yes();
  }
  bool Threaded() const override { return true; }
  std::unique_ptr<Kernel> Prepare(const Problem& p) const override {
    return DispatchDType(p.dtype, [&]<class T>() -> std::unique_ptr<Kernel> {
      return std::make_unique<ParallelKernel<T>>(p);
    });
  }
};

POOLBENCH_REGISTER_STRATEGY(OpenMPParallel);

}  // namespace
}  // namespace poolbench
