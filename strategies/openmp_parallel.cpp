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
  explicit ParallelKernel(const Problem& p) : p_(p), grid_(p), oh_(grid_.oh()), ow_(grid_.ow()) {
    // The output columns whose windows lie wholly inside the input: a contiguous range,
    // since window starts grow with the column.
    while (full_lo_ < ow_ && !FullCols(full_lo_)) ++full_lo_;
    full_hi_ = full_lo_;
    while (full_hi_ < ow_ && FullCols(full_hi_)) ++full_hi_;
  }

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
  bool FullCols(int64_t ox) const {
    return grid_.Col(ox).first == 0 && grid_.Col(ox).last == p_.kernel.w;
  }

  // The windows of a row lying wholly inside the input, with the kernel known at compile time:
  // no range lookups, fully unrolled taps and selects instead of branches.
  template <int KH, int KW>
  void FullWindows(const T* src, int64_t oy, int64_t lo, int64_t hi, T* dst, int64_t* idx) const {
    const int64_t dy = p_.dilation.h * p_.w, dx = p_.dilation.w, sx = p_.stride.w;
    const int64_t origin = grid_.Row(oy).start * p_.w - p_.padding.w;
    const int64_t div = p_.divisor_override.value_or(KH * KW);
    for (int64_t ox = lo; ox < hi; ++ox) {
      const int64_t o0 = origin + ox * sx;
      if (p_.op == Op::kAvg) {
        Acc<T> sum = 0;
        for (int ky = 0; ky < KH; ++ky)
          for (int kx = 0; kx < KW; ++kx) sum += src[o0 + ky * dy + kx * dx];
        dst[ox] = DivideAs<T>(sum, div);
        continue;
      }
      T best = src[o0];
      if (!idx) {  // values only: no index to carry through the selects
        for (int ky = 0; ky < KH; ++ky)
          for (int kx = ky == 0 ? 1 : 0; kx < KW; ++kx)
            best = MaxSelect(src[o0 + ky * dy + kx * dx], best);
        dst[ox] = best;
        continue;
      }
      int64_t bi = o0;
      for (int ky = 0; ky < KH; ++ky) {
        for (int kx = ky == 0 ? 1 : 0; kx < KW; ++kx) {
          const int64_t off = o0 + ky * dy + kx * dx;
          const bool take = MaxReplaces(src[off], best);
          best = take ? src[off] : best;
          bi = take ? off : bi;
        }
      }
      dst[ox] = best;
      idx[ox] = bi;
    }
  }

  void ForwardRow(const T* src, int64_t oy, T* dst, int64_t* idx) const {
    const bool full_row = grid_.Row(oy).first == 0 && grid_.Row(oy).last == p_.kernel.h;
    if (full_row && full_lo_ < full_hi_ && (p_.kernel == Pair{2, 2} || p_.kernel == Pair{3, 3})) {
      if (p_.kernel.h == 2) {
        FullWindows<2, 2>(src, oy, full_lo_, full_hi_, dst, idx);
      } else {
        FullWindows<3, 3>(src, oy, full_lo_, full_hi_, dst, idx);
      }
      GenericWindows(src, oy, 0, full_lo_, dst, idx);
      GenericWindows(src, oy, full_hi_, ow_, dst, idx);
      return;
    }
    GenericWindows(src, oy, 0, ow_, dst, idx);
  }

  void GenericWindows(const T* src, int64_t oy, int64_t lo, int64_t hi, T* dst,
                      int64_t* idx) const {
    for (int64_t ox = lo; ox < hi; ++ox) {
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
  int64_t full_lo_ = 0, full_hi_ = 0;  // output columns [lo, hi) have every tap inside
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
