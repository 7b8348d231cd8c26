// reshape_blocks: NumPy's `a[:m//kh*kh, :n//kw*kw].reshape(m//kh, kh, n//kw, kw).max((1, 3))`.
// The plane is seen as non-overlapping kh x kw blocks without copying; each output row is
// reduced one input row at a time, so every pass streams over contiguous memory and the
// block columns are reduced in order (ties and NaN follow the row-major rule). Rows and
// columns past the last whole block are ignored, exactly as the reshape trims them.
#include <vector>

#include "poolbench/registry.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench/window.hpp"

namespace poolbench {
namespace {

// Folds input row `row` (of block row oy, at block offset ky) into the running maxima of one
// output row. KW is the block width when known at compile time (0: use kw). The branch-free
// selects let the compiler vectorise across output columns.
template <int KW, class T>
void MaxRow(const T* row, int64_t row_offset, int64_t ow, int64_t kw_dyn, bool first_row, T* best,
            int64_t* idx) {
  const int64_t kw = KW > 0 ? KW : kw_dyn;
  // The first row of a block initialises the running maxima; the loops are kept separate so
  // that each is a straight run of compares and blends.
  if (!idx && first_row) {
    for (int64_t ox = 0; ox < ow; ++ox) {
      const T* blk = row + ox * kw;
      T b = blk[0];
      for (int64_t kx = 1; kx < kw; ++kx) b = MaxSelect(blk[kx], b);
      best[ox] = b;
    }
  } else if (!idx) {
    for (int64_t ox = 0; ox < ow; ++ox) {
      const T* blk = row + ox * kw;
      T b = best[ox];
      for (int64_t kx = 0; kx < kw; ++kx) b = MaxSelect(blk[kx], b);
      best[ox] = b;
    }
  } else {
    for (int64_t ox = 0; ox < ow; ++ox) {
      const T* blk = row + ox * kw;
      T b = first_row ? blk[0] : best[ox];
      int64_t bi = first_row ? row_offset + ox * kw : idx[ox];
      for (int64_t kx = first_row ? 1 : 0; kx < kw; ++kx) {
        const bool take = MaxReplaces(blk[kx], b);
        b = take ? blk[kx] : b;
        bi = take ? row_offset + ox * kw + kx : bi;
      }
      best[ox] = b;
      idx[ox] = bi;
    }
  }
}

template <int KW, class T>
void SumRow(const T* row, int64_t ow, int64_t kw_dyn, Acc<T>* sum) {
  const int64_t kw = KW > 0 ? KW : kw_dyn;
  for (int64_t ox = 0; ox < ow; ++ox) {
    Acc<T> s = 0;
    for (int64_t kx = 0; kx < kw; ++kx) s += row[ox * kw + kx];
    sum[ox] += s;
  }
}

// The common square blocks (2x2, 3x3) in one pass: each output reads its KH rows at once, so
// the output row is written once instead of being read and rewritten per input row, and the
// fully unrolled taps vectorise across output columns.
template <int KH, int KW, class T>
void ForwardPlaneFixed(const Problem& p, const T* src, T* dst, int64_t* idx) {
  const int64_t oh = OutputH(p), ow = OutputW(p), w = p.w;
  const int64_t div = p.divisor_override.value_or(KH * KW);
  for (int64_t oy = 0; oy < oh; ++oy) {
    const T* rows = src + oy * KH * w;
    T* out = dst + oy * ow;
    if (p.op == Op::kAvg) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        Acc<T> s = 0;
        for (int ky = 0; ky < KH; ++ky)
          for (int kx = 0; kx < KW; ++kx) s += rows[ky * w + ox * KW + kx];
        out[ox] = DivideAs<T>(s, div);
      }
    } else if (!idx) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        T b = rows[ox * KW];
        for (int ky = 0; ky < KH; ++ky)
          for (int kx = ky == 0 ? 1 : 0; kx < KW; ++kx)
            b = MaxSelect(rows[ky * w + ox * KW + kx], b);
        out[ox] = b;
      }
    } else {
      int64_t* out_idx = idx + oy * ow;
      const int64_t origin = oy * KH * w;
      for (int64_t ox = 0; ox < ow; ++ox) {
        T b = rows[ox * KW];
        int64_t bi = origin + ox * KW;
        for (int ky = 0; ky < KH; ++ky) {
          for (int kx = ky == 0 ? 1 : 0; kx < KW; ++kx) {
            const T v = rows[ky * w + ox * KW + kx];
            const bool take = MaxReplaces(v, b);
            b = take ? v : b;
            bi = take ? origin + ky * w + ox * KW + kx : bi;
          }
        }
        out[ox] = b;
        out_idx[ox] = bi;
      }
    }
  }
}

template <int KW, class T>
void ForwardPlane(const Problem& p, const T* src, T* dst, int64_t* idx, Acc<T>* sum) {
  const int64_t kh = p.kernel.h, kw = p.kernel.w, oh = OutputH(p), ow = OutputW(p);
  const int64_t div = p.divisor_override.value_or(kh * kw);
  for (int64_t oy = 0; oy < oh; ++oy) {
    T* out = dst + oy * ow;
    int64_t* out_idx = idx ? idx + oy * ow : nullptr;
    if (p.op == Op::kAvg) std::fill(sum, sum + ow, Acc<T>(0));
    for (int64_t ky = 0; ky < kh; ++ky) {
      const int64_t iy = oy * kh + ky;
      if (p.op == Op::kMax) {
        MaxRow<KW>(src + iy * p.w, iy * p.w, ow, kw, ky == 0, out, out_idx);
      } else {
        SumRow<KW>(src + iy * p.w, ow, kw, sum);
      }
    }
    if (p.op == Op::kAvg) {
      for (int64_t ox = 0; ox < ow; ++ox) out[ox] = DivideAs<T>(sum[ox], div);
    }
  }
}

// Blocks do not overlap, so every input element receives the gradient of at most one output:
// the backward pass assigns instead of accumulating.
template <class T>
void BackwardPlane(const Problem& p, const T* src, const T* dy, T* dx) {
  const int64_t kh = p.kernel.h, kw = p.kernel.w, oh = OutputH(p), ow = OutputW(p);
  const int64_t div = p.divisor_override.value_or(kh * kw);
  std::fill(dx, dx + p.h * p.w, T(0));
  for (int64_t oy = 0; oy < oh; ++oy) {
    for (int64_t ox = 0; ox < ow; ++ox) {
      const int64_t origin = oy * kh * p.w + ox * kw;
      const T g = dy[oy * ow + ox];
      if (p.op == Op::kAvg) {
        const T share = DivideAs<T>(g, div);
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) dx[origin + ky * p.w + kx] = share;
        continue;
      }
      int64_t bi = origin;
      for (int64_t ky = 0; ky < kh; ++ky)
        for (int64_t kx = 0; kx < kw; ++kx)
          if (MaxReplaces(src[origin + ky * p.w + kx], src[bi])) bi = origin + ky * p.w + kx;
      dx[bi] = g;
    }
  }
}

template <class T>
class BlocksKernel final : public Kernel {
 public:
  explicit BlocksKernel(const Problem& p) : p_(p), sum_(OutputW(p)) {}
  void Run(const Buffers& b) override {
    const int64_t planes = p_.n * p_.c, in_plane = p_.h * p_.w;
    const int64_t out_plane = OutputH(p_) * OutputW(p_);
    const T* src = static_cast<const T*>(b.src);
    for (int64_t i = 0; i < planes; ++i) {
      if (p_.direction == Direction::kBackward) {
        BackwardPlane(p_, src + i * in_plane, static_cast<const T*>(b.diff_dst) + i * out_plane,
                      static_cast<T*>(b.diff_src) + i * in_plane);
        continue;
      }
      T* dst = static_cast<T*>(b.dst) + i * out_plane;
      int64_t* idx = b.indices ? b.indices + i * out_plane : nullptr;
      if (p_.kernel == Pair{2, 2}) {
        ForwardPlaneFixed<2, 2>(p_, src + i * in_plane, dst, idx);
        continue;
      }
      if (p_.kernel == Pair{3, 3}) {
        ForwardPlaneFixed<3, 3>(p_, src + i * in_plane, dst, idx);
        continue;
      }
      switch (p_.kernel.w) {
        case 2:
          ForwardPlane<2>(p_, src + i * in_plane, dst, idx, sum_.data());
          break;
        case 3:
          ForwardPlane<3>(p_, src + i * in_plane, dst, idx, sum_.data());
          break;
        default:
          ForwardPlane<0>(p_, src + i * in_plane, dst, idx, sum_.data());
      }
    }
  }

 private:
  Problem p_;
  std::vector<Acc<T>> sum_;  // one output row of avg sums, reused across rows and planes
};

class ReshapeBlocks final : public Strategy {
 public:
  std::string_view name() const override { return "reshape_blocks"; }
  std::string_view description() const override {
    return "NumPy reshape(m/k, k, n/k, k).max((1, 3)): non-overlapping blocks reduced row by "
           "row over contiguous memory, no copies";
  }
  Support Supports(const Problem& p) const override {
    if (p.layout != Layout::kNCHW) return Support::No("needs NCHW layout");
    if (p.stride != p.kernel) return Support::No("stride must equal kernel");
    if (p.padding != Pair{0, 0}) return Support::No("no padding (blocks tile the input)");
    if (p.dilation != Pair{1, 1}) return Support::No("no dilation (blocks are contiguous)");
    // Ceil mode is a plain reshape only when it adds no partial block.
    if (OutputH(p) != p.h / p.kernel.h || OutputW(p) != p.w / p.kernel.w) {
      return Support::No("ceil mode with a partial last block");
    }
    return Support::Yes();
  }
  std::unique_ptr<Kernel> Prepare(const Problem& p) const override {
    return DispatchDType(p.dtype, [&]<class T>() -> std::unique_ptr<Kernel> {
      return std::make_unique<BlocksKernel<T>>(p);
    });
  }
};

POOLBENCH_REGISTER_STRATEGY(ReshapeBlocks);

}  // namespace
}  // namespace poolbench
