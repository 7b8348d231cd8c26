// naive_loops: the reference. Direct nested loops over every output and every tap of its
// window, with a bounds check per tap, through layout-aware views, so it supports every valid
// problem (1-D, 2-D and 3-D, both layouts of each, both directions, every option). Simplicity is
// its job: every other strategy is held to its results, and its own are pinned by hand-computed
// tests.
#include "poolbench/registry.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench/window.hpp"

namespace poolbench {
namespace {

// Calls visit(iz, iy, ix) for each tap of window (oz, oy, ox) inside the input, in row-major
// order. Rank-generic: an inert axis (depth of a 2-D problem, depth and height of a 1-D one) has
// kernel 1, stride 1, no padding and size 1, so its one tap is at 0.
template <class Visit>
void ForEachTap(const Problem& p, int64_t oz, int64_t oy, int64_t ox, Visit&& visit) {
  const int64_t z0 = oz * p.depth.stride - p.depth.padding;
  const int64_t y0 = oy * p.stride.h - p.padding.h;
  const int64_t x0 = ox * p.stride.w - p.padding.w;
  for (int64_t kz = 0; kz < p.depth.kernel; ++kz) {
    const int64_t iz = z0 + kz * p.depth.dilation;
    if (iz < 0 || iz >= p.d) continue;
    for (int64_t ky = 0; ky < p.kernel.h; ++ky) {
      const int64_t iy = y0 + ky * p.dilation.h;
      if (iy < 0 || iy >= p.h) continue;
      for (int64_t kx = 0; kx < p.kernel.w; ++kx) {
        const int64_t ix = x0 + kx * p.dilation.w;
        if (ix < 0 || ix >= p.w) continue;
        visit(iz, iy, ix);
      }
    }
  }
}

template <class T>
void Run(const Problem& p, const Buffers& b) {
  const auto src = InputView(p, static_cast<const T*>(b.src));
  const int64_t od = OutputD(p), oh = OutputH(p), ow = OutputW(p);
  const bool forward = p.direction == Direction::kForward;
  const auto out = OutputView(p, static_cast<T*>(forward ? b.dst : nullptr));
  const auto idx = OutputView(p, b.indices);
  const auto dy = OutputView(p, static_cast<const T*>(b.diff_dst));
  const auto dx = InputView(p, static_cast<T*>(b.diff_src));
  if (!forward) {
    for (int64_t n = 0; n < p.n; ++n)
      for (int64_t c = 0; c < p.c; ++c)
        for (int64_t z = 0; z < p.d; ++z)
          for (int64_t y = 0; y < p.h; ++y)
            for (int64_t x = 0; x < p.w; ++x) dx(n, c, z, y, x) = T(0);
  }
  for (int64_t n = 0; n < p.n; ++n) {
    for (int64_t c = 0; c < p.c; ++c) {
      for (int64_t oz = 0; oz < od; ++oz) {
        for (int64_t oy = 0; oy < oh; ++oy) {
          for (int64_t ox = 0; ox < ow; ++ox) {
            if (p.op == Op::kMax) {
              bool found = false;
              T best{};
              int64_t bz = 0, by = 0, bx = 0;
              ForEachTap(p, oz, oy, ox, [&](int64_t iz, int64_t iy, int64_t ix) {
                const T v = src(n, c, iz, iy, ix);
                if (!found || MaxReplaces(v, best)) {
                  found = true, best = v, bz = iz, by = iy, bx = ix;
                }
              });
              if (forward) {
                out(n, c, oz, oy, ox) = best;
                // PyTorch's flat offset in the (n, c) volume.
                if (p.indices) idx(n, c, oz, oy, ox) = (bz * p.h + by) * p.w + bx;
              } else {
                AddGrad(dx(n, c, bz, by, bx), dy(n, c, oz, oy, ox));
              }
            } else {
              Acc<T> sum = 0;
              int64_t count = 0;
              ForEachTap(p, oz, oy, ox, [&](int64_t iz, int64_t iy, int64_t ix) {
                sum += ToCompute(src(n, c, iz, iy, ix));
                ++count;
              });
              const int64_t div =
                  AvgDivisor(p, oz * p.depth.stride - p.depth.padding,
                             oy * p.stride.h - p.padding.h, ox * p.stride.w - p.padding.w, count);
              if (forward) {
                out(n, c, oz, oy, ox) = DivideAs<T>(sum, div);
              } else {
                const T g = DivideAs<T>(dy(n, c, oz, oy, ox), div);
                ForEachTap(p, oz, oy, ox, [&](int64_t iz, int64_t iy, int64_t ix) {
                  AddGrad(dx(n, c, iz, iy, ix), g);
                });
              }
            }
          }
        }
      }
    }
  }
}

class NaiveLoops final : public Strategy {
 public:
  std::string_view name() const override { return "naive_loops"; }
  std::string_view description() const override {
    return "Reference: nested loops over outputs and window taps with a bounds check per tap";
  }
  Implemented Implements() const override {
    return {.dtypes = AllDTypes::set, .ranks = RankSet::All()};
  }
  Support Supports(const Problem&) const override { return Support::Yes(); }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext&) const override {
    return MakeKernel([p](const Buffers& b) {
      DispatchDType<AllDTypes>(p.dtype, [&]<class T>() { Run<T>(p, b); });
    });
  }
};

POOLBENCH_REGISTER_STRATEGY(NaiveLoops);

}  // namespace
}  // namespace poolbench
