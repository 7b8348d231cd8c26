// Scaffolding for strategies that pool one NCHW (n, c) plane at a time, so that a strategy file
// holds only its technique: PlaneKernel owns the typed buffers, the loop over planes and the
// forward/backward switch, and gives every plane-wise strategy a backward built from the
// window rules; PlaneStrategy owns the dtype dispatch (over the dtypes it lists, and only
// those) and the NCHW requirement.
//
//   template <class T>
//   class MyKernel final : public PlaneKernel<T> {
//    public:
//     using PlaneKernel<T>::PlaneKernel;
//    private:
//     void ForwardPlane(const T* src, T* dst, int64_t* idx) override { ... }
//   };
//   class MyPooling final : public PlaneStrategy<MyKernel> {  // or <MyKernel, DTypeList<...>>
//    public:
//     MyPooling() : PlaneStrategy("my_pooling", "what the technique is") {}
//   };
//   POOLBENCH_REGISTER_STRATEGY(MyPooling);
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "poolbench/dtype.hpp"
#include "poolbench/named_strategy.hpp"
#include "poolbench/strategy.hpp"
#include "poolbench/window.hpp"

namespace poolbench {

// The backward pass of one plane by the window rules: max adds each output gradient to its
// window's winner (found again from src), avg adds gradient / divisor to every valid tap.
// Overwrites dx (H x W) completely.
template <class T>
void BackwardPlaneByWindows(const Problem& p, const WindowGrid& grid, const T* src, const T* dy,
                            T* dx) {
  static_assert(std::is_same_v<Compute<T>, T>,
                "the window-rule backward sums gradients in T itself; a dtype stored narrower "
                "than it computes (bf16, f16) needs a BackwardPlane of its own");
  std::fill(dx, dx + p.h * p.w, T(0));
  for (int64_t oy = 0; oy < grid.oh(); ++oy) {
    for (int64_t ox = 0; ox < grid.ow(); ++ox) {
      const T g = dy[oy * grid.ow() + ox];
      if (p.op == Op::kMax) {
        AddGrad(dx[grid.ArgMax(src, oy, ox)], g);
      } else {
        const T share = DivideAs<T>(g, grid.Divisor(oy, ox));
        grid.ForEachTap(oy, ox, [&](int64_t off) { AddGrad(dx[off], share); });
      }
    }
  }
}

template <class T>
class PlaneKernel : public Kernel {
 public:
  // The context is for kernels that use threads; the plane loop itself runs on one.
  explicit PlaneKernel(const Problem& p, const ExecContext& /*ctx*/ = {})
      : p_(p), grid_(p), in_plane_(p.h * p.w), out_plane_(grid_.oh() * grid_.ow()) {}

  void Run(const Buffers& b) override {
    for (int64_t i = 0; i < p_.n * p_.c; ++i) RunPlane(b, i);
  }

  // A kernel whose Saves() asks for indices gets them from its own ForwardPlane, plane by
  // plane (the values go to scratch), and finds them in BackwardPlane's `idx`.
  void SaveForward(const Buffers& b) override {
    if (!Saves().indices) return;
    std::vector<T> values(out_plane_);
    const T* src = static_cast<const T*>(b.src);
    for (int64_t i = 0; i < p_.n * p_.c; ++i) {
      ForwardPlane(src + i * in_plane_, values.data(), b.indices + i * out_plane_);
    }
  }

 protected:
  // Writes one plane's outputs (and indices when idx is not null).
  virtual void ForwardPlane(const T* src, T* dst, int64_t* idx) = 0;
  // Writes one plane's input gradient; by default from the window rules. `idx` is the plane's
  // argmax indices saved by the forward when Saves().indices, else null.
  virtual void BackwardPlane(const T* src, const T* dy, const int64_t* /*idx*/, T* dx) {
    BackwardPlaneByWindows(p_, grid_, src, dy, dx);
  }

  // Plane i of the buffers, forward or backward as the problem says. Planes are independent,
  // so a parallel strategy may run several at once.
  void RunPlane(const Buffers& b, int64_t i) {
    const T* src = static_cast<const T*>(b.src) + i * in_plane_;
    if (p_.direction == Direction::kForward) {
      ForwardPlane(src, static_cast<T*>(b.dst) + i * out_plane_,
                   b.indices ? b.indices + i * out_plane_ : nullptr);
    } else {
      BackwardPlane(src, static_cast<const T*>(b.diff_dst) + i * out_plane_,
                    b.indices ? b.indices + i * out_plane_ : nullptr,
                    static_cast<T*>(b.diff_src) + i * in_plane_);
    }
  }

  const Problem p_;
  const WindowGrid grid_;
  const int64_t in_plane_, out_plane_;
};

// A strategy whose kernels are K<T> (PlaneKernels), constructed from (problem, context) for the
// problem's dtype, for the dtypes of DTypes (a DTypeList; K is compiled for those only, and the
// strategy states them in Implements()). 2-D NCHW only, since planes are contiguous there; a
// derived strategy adds its technique's own limits by overriding Limits.
template <template <class> class K, class DTypes = DefaultDTypes>
class PlaneStrategy : public NamedStrategy {
 public:
  using NamedStrategy::NamedStrategy;
  Implemented Implements() const final {
    return {.dtypes = DTypes::set, .ranks = RankSet::Only(2)};
  }
  Support Supports(const Problem& p) const final {
    if (p.layout != Layout::kNCHW) return Support::No("needs NCHW layout");
    return Limits(p);
  }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext& ctx) const override {
    return DispatchDType<DTypes>(p.dtype, [&]<class T>() -> std::unique_ptr<Kernel> {
      return std::make_unique<K<T>>(p, ctx);
    });
  }

 protected:
  // The technique's own limits on an NCHW problem; none by default.
  virtual Support Limits(const Problem&) const { return Support::Yes(); }
};

}  // namespace poolbench
