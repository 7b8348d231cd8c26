// reshape_blocks: NumPy's `a[:m//kh*kh, :n//kw*kw].reshape(m//kh, kh, n//kw, kw).max((1, 3))`.
// The plane is seen as non-overlapping kh x kw blocks without copying; each output row is
// reduced one input row at a time, so every pass streams over contiguous memory and the
// block columns are reduced in order (ties and NaN follow the row-major rule). Rows and
// columns past the last whole block are ignored, exactly as the reshape trims them.
#include <vector>

#include "poolbench/plane_kernel.hpp"
#include "poolbench/registry.hpp"

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

template <int KW, class T>
void ReduceBlockRows(const Problem& p, const T* src, T* dst, int64_t* idx, Acc<T>* sum) {
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
void ScatterBlocks(const Problem& p, const T* src, const T* dy, T* dx) {
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
class BlocksKernel final : public PlaneKernel<T> {
 public:
  BlocksKernel(const Problem& p, const ExecContext& ctx)
      : PlaneKernel<T>(p, ctx), sum_(OutputW(p)) {}

 private:
  void ForwardPlane(const T* src, T* dst, int64_t* idx) override {
    const Problem& p = this->p_;
    if (p.kernel == Pair{2, 2} || p.kernel == Pair{3, 3}) {
      // The common square blocks in one pass: each output reads its rows at once, so the output
      // row is written once instead of being read and rewritten per input row.
      const int64_t oh = OutputH(p), ow = OutputW(p);
      for (int64_t oy = 0; oy < oh; ++oy) {
        const int64_t origin = oy * p.kernel.h * p.w, o = oy * ow;
        int64_t* out_idx = idx ? idx + o : nullptr;
        if (p.kernel.h == 2) {
          ReduceFullWindows<2, 2>(p, src, origin, 2, p.w, 1, 0, ow, dst + o, out_idx);
        } else {
          ReduceFullWindows<3, 3>(p, src, origin, 3, p.w, 1, 0, ow, dst + o, out_idx);
        }
      }
      return;
    }
    switch (p.kernel.w) {
      case 2:
        ReduceBlockRows<2>(p, src, dst, idx, sum_.data());
        break;
      case 3:
        ReduceBlockRows<3>(p, src, dst, idx, sum_.data());
        break;
      default:
        ReduceBlockRows<0>(p, src, dst, idx, sum_.data());
    }
  }
  void BackwardPlane(const T* src, const T* dy, const int64_t*, T* dx) override {
    ScatterBlocks(this->p_, src, dy, dx);
  }

  std::vector<Acc<T>> sum_;  // one output row of avg sums, reused across rows and planes
};

class ReshapeBlocks final : public PlaneStrategy<BlocksKernel> {
 public:
  ReshapeBlocks()
      : PlaneStrategy("reshape_blocks",
                      "NumPy reshape(m/k, k, n/k, k).max((1, 3)): non-overlapping blocks reduced "
                      "row by row over contiguous memory, no copies") {}

 private:
  Support Limits(const Problem& p) const override {
    if (p.stride != p.kernel) return Support::No("stride must equal kernel");
    if (p.padding != Pair{0, 0}) return Support::No("no padding (blocks tile the input)");
    if (p.dilation != Pair{1, 1}) return Support::No("no dilation (blocks are contiguous)");
    // Ceil mode is a plain reshape only when it adds no partial block.
    if (OutputH(p) != p.h / p.kernel.h || OutputW(p) != p.w / p.kernel.w) {
      return Support::No("ceil mode with a partial last block");
    }
    return Support::Yes();
  }
};

POOLBENCH_REGISTER_STRATEGY(ReshapeBlocks);

}  // namespace
}  // namespace poolbench
