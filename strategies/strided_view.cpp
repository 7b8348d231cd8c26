// strided_view: NumPy's `as_strided(a, (oh, ow, kh, kw), (sh*W, sw, dh*W, dw)).max((2, 3))`.
// A 4-D view (out_y, out_x, ky, kx) is laid over each input plane without copying and reduced
// over its last two axes. Where the seeds pad the array first, the view here clips each window
// to the taps inside the input (the grid's ranges, computed once per problem), so padding never
// takes part in a max and costs no copy. Any kernel, stride, padding, dilation and ceil mode.
#include "poolbench/plane_kernel.hpp"
#include "poolbench/registry.hpp"

namespace poolbench {
namespace {

template <class T>
class ViewKernel final : public PlaneKernel<T> {
 public:
  ViewKernel(const Problem& p, const ExecContext& ctx)
      : PlaneKernel<T>(p, ctx),
        s_oy_(p.stride.h * p.w),
        s_ox_(p.stride.w),
        s_ky_(p.dilation.h * p.w),
        s_kx_(p.dilation.w),
        origin_(p.padding.h * p.w + p.padding.w) {}

 private:
  // Element (oy, ox, ky, kx) of the view, as a flat offset into the plane.
  int64_t Offset(int64_t oy, int64_t ox, int64_t ky, int64_t kx) const {
    return oy * s_oy_ + ox * s_ox_ + ky * s_ky_ + kx * s_kx_ - origin_;
  }

  // The reduction of the view's last two axes for window (oy, ox), over its valid taps.
  void ReduceWindow(const T* src, int64_t oy, int64_t ox, T& out, int64_t* idx) const {
    const TapRange& r = this->grid_.Row(oy);
    const TapRange& c = this->grid_.Col(ox);
    if (this->p_.op == Op::kAvg) {
      Acc<T> sum = 0;
      for (int64_t ky = r.first; ky < r.last; ++ky)
        for (int64_t kx = c.first; kx < c.last; ++kx) sum += src[Offset(oy, ox, ky, kx)];
      out = DivideAs<T>(sum, this->grid_.Divisor(oy, ox));
      return;
    }
    int64_t bi = Offset(oy, ox, r.first, c.first);
    T best = src[bi];
    for (int64_t ky = r.first; ky < r.last; ++ky) {
      for (int64_t kx = c.first; kx < c.last; ++kx) {
        const int64_t off = Offset(oy, ox, ky, kx);
        const bool take = MaxReplaces(src[off], best);
        bi = take ? off : bi;
        best = take ? src[off] : best;
      }
    }
    out = best;
    if (idx) *idx = bi;
  }

  void ForwardPlane(const T* src, T* dst, int64_t* idx) override {
    const int64_t ow = this->grid_.ow();
    for (int64_t oy = 0; oy < this->grid_.oh(); ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        ReduceWindow(src, oy, ox, dst[oy * ow + ox], idx ? idx + oy * ow + ox : nullptr);
      }
    }
  }

  const int64_t s_oy_, s_ox_, s_ky_, s_kx_, origin_;  // the view's strides and origin
};

class StridedView final : public PlaneStrategy<ViewKernel> {
 public:
  StridedView()
      : PlaneStrategy("strided_view",
                      "NumPy as_strided: a 4-D (oy, ox, ky, kx) view over the plane reduced over "
                      "its last two axes; any stride, padding and dilation") {}
};

POOLBENCH_REGISTER_STRATEGY(StridedView);

}  // namespace
}  // namespace poolbench
