// strided_view: NumPy's `as_strided(a, (oh, ow, kh, kw), (sh*W, sw, dh*W, dw)).max((2, 3))`.
// A 4-D view (out_y, out_x, ky, kx) is laid over each input plane without copying and reduced
// over its last two axes. Where the seeds pad the array first, the view here clips each window
// to the taps inside the input (ranges computed once per problem), so padding never takes
// part in a max and costs no copy. Any kernel, stride, padding, dilation and ceil mode.
#include <vector>

#include "poolbench/registry.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench/window.hpp"

namespace poolbench {
namespace {

// The view: element (oy, ox, ky, kx) is at offset
//   oy*s_oy + ox*s_ox + ky*s_ky + kx*s_kx - origin
// of the plane, with axis 2 and 3 limited to each window's valid taps.
struct WindowView {
  int64_t s_oy, s_ox, s_ky, s_kx, origin;
  std::vector<TapRange> rows;  // per out_y: valid ky
  std::vector<TapRange> cols;  // per out_x: valid kx

  explicit WindowView(const Problem& p)
      : s_oy(p.stride.h * p.w),
        s_ox(p.stride.w),
        s_ky(p.dilation.h * p.w),
        s_kx(p.dilation.w),
        origin(p.padding.h * p.w + p.padding.w) {
    for (int64_t oy = 0; oy < OutputH(p); ++oy) rows.push_back(RowTaps(p, oy));
    for (int64_t ox = 0; ox < OutputW(p); ++ox) cols.push_back(ColTaps(p, ox));
  }
  int64_t Offset(int64_t oy, int64_t ox, int64_t ky, int64_t kx) const {
    return oy * s_oy + ox * s_ox + ky * s_ky + kx * s_kx - origin;
  }
  // Calls visit(offset) for the valid taps of window (oy, ox) in row-major order.
  template <class Visit>
  void ForEachTap(int64_t oy, int64_t ox, Visit&& visit) const {
    const TapRange& r = rows[oy];
    const TapRange& c = cols[ox];
    for (int64_t ky = r.first; ky < r.last; ++ky) {
      const int64_t base = Offset(oy, ox, ky, 0);
      for (int64_t kx = c.first; kx < c.last; ++kx) visit(base + kx * s_kx);
    }
  }
};

template <class T>
class ViewKernel final : public Kernel {
 public:
  explicit ViewKernel(const Problem& p) : p_(p), view_(p) {}

  void Run(const Buffers& b) override {
    const int64_t oh = OutputH(p_), ow = OutputW(p_);
    const int64_t in_plane = p_.h * p_.w, out_plane = oh * ow;
    for (int64_t i = 0; i < p_.n * p_.c; ++i) {
      const T* src = static_cast<const T*>(b.src) + i * in_plane;
      if (p_.direction == Direction::kForward) {
        Forward(src, static_cast<T*>(b.dst) + i * out_plane,
                b.indices ? b.indices + i * out_plane : nullptr);
      } else {
        Backward(src, static_cast<const T*>(b.diff_dst) + i * out_plane,
                 static_cast<T*>(b.diff_src) + i * in_plane);
      }
    }
  }

 private:
  // The winning offset of window (oy, ox): the reduction of the view's last two axes.
  int64_t ArgMax(const T* src, int64_t oy, int64_t ox) const {
    int64_t bi = -1;
    T best{};
    view_.ForEachTap(oy, ox, [&](int64_t off) {
      const T v = src[off];
      const bool take = (bi < 0) | MaxReplaces(v, best);
      bi = take ? off : bi;
      best = take ? v : best;
    });
    return bi;
  }
  int64_t Divisor(int64_t oy, int64_t ox) const {
    const TapRange& r = view_.rows[oy];
    const TapRange& c = view_.cols[ox];
    return AvgDivisor(p_, r.start, c.start, (r.last - r.first) * (c.last - c.first));
  }

  void Forward(const T* src, T* dst, int64_t* idx) const {
    const int64_t oh = OutputH(p_), ow = OutputW(p_);
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        if (p_.op == Op::kMax) {
          const int64_t bi = ArgMax(src, oy, ox);
          dst[oy * ow + ox] = src[bi];
          if (idx) idx[oy * ow + ox] = bi;
        } else {
          Acc<T> sum = 0;
          view_.ForEachTap(oy, ox, [&](int64_t off) { sum += src[off]; });
          dst[oy * ow + ox] = DivideAs<T>(sum, Divisor(oy, ox));
        }
      }
    }
  }

  void Backward(const T* src, const T* dy, T* dx) const {
    const int64_t oh = OutputH(p_), ow = OutputW(p_);
    std::fill(dx, dx + p_.h * p_.w, T(0));
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        const T g = dy[oy * ow + ox];
        if (p_.op == Op::kMax) {
          AddGrad(dx[ArgMax(src, oy, ox)], g);
        } else {
          const T share = DivideAs<T>(g, Divisor(oy, ox));
          view_.ForEachTap(oy, ox, [&](int64_t off) { AddGrad(dx[off], share); });
        }
      }
    }
  }

  Problem p_;
  WindowView view_;
};

class StridedView final : public Strategy {
 public:
  std::string_view name() const override { return "strided_view"; }
  std::string_view description() const override {
    return "NumPy as_strided: a 4-D (oy, ox, ky, kx) view over the plane reduced over its "
           "last two axes; any stride, padding and dilation";
  }
  Support Supports(const Problem& p) const override {
    if (p.layout != Layout::kNCHW) return Support::No("needs NCHW layout");
    return Support::Yes();
  }
  std::unique_ptr<Kernel> Prepare(const Problem& p) const override {
    return DispatchDType(p.dtype, [&]<class T>() -> std::unique_ptr<Kernel> {
      return std::make_unique<ViewKernel<T>>(p);
    });
  }
};

POOLBENCH_REGISTER_STRATEGY(StridedView);

}  // namespace
}  // namespace poolbench
