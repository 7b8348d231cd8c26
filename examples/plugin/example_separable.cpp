// example_separable: max and average pooling as two one-dimensional passes, built out of tree
// as a poolbench plugin.
//
// A pooling window is the product of a row range and a column range, and both max and sum
// are associative, so the 2-D reduction separates. The horizontal pass reduces every input row
// that some window uses over the kw taps of each output column, once per row, into an
// H x OW table. The vertical pass reduces, for each output, the kh table rows of its window.
// With overlapping windows (stride < kernel) each input row is reduced horizontally once
// instead of once per window that covers it: kh + kw operations per output instead of kh * kw.
//
// Why the max stays exact (value and index, ties and NaN). The reference visits a window's taps
// in row-major order and lets a tap replace the best when `v > best || isnan(v)`. Visiting one
// row from a state `best` ends in the same state as combining `best` with that row's own
// winner under the same rule, because the row's winner is its last NaN if it has one, else its
// first maximum M:
//   - the row has a NaN: the scan ends on its last NaN (every NaN replaces, and nothing
//     replaces a NaN but a NaN); the combination takes the row's winner, which is that NaN;
//   - no NaN in the row, `best` is NaN: nothing in the row replaces it, nor does M;
//   - no NaN in the row, `best` is a number: the scan moves to the first M exactly when
//     M > best, which is when the combination takes the row's winner.
// The vertical pass combines the rows in increasing ky, so by induction it ends where the
// row-major scan ends: ties go to the first tap, a NaN to the last NaN. Window sums are exact
// for i32 (int64 accumulators) and within the harness's tolerance for floats, which bounds
// the rounding of any summation order.
#include <vector>

#include "poolbench/plugin.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench/window.hpp"

namespace example {
namespace {

using poolbench::Buffers;
using poolbench::Problem;
using poolbench::TapRange;

template <class T>
class SeparableKernel final : public poolbench::Kernel {
 public:
  explicit SeparableKernel(const Problem& p) : p_(p), grid_(p) {
    if (p.op == poolbench::Op::kMax) {
      rows_.resize(p.h * grid_.ow());
      cols_.resize(p.h * grid_.ow());
    } else {
      sums_.resize(p.h * grid_.ow());
    }
    for (int64_t oy = 0; oy < grid_.oh(); ++oy) row_taps_.push_back(poolbench::RowTaps(p, oy));
    for (int64_t ox = 0; ox < grid_.ow(); ++ox) col_taps_.push_back(poolbench::ColTaps(p, ox));
    // Only rows that some window reads go through the horizontal pass: with a stride larger
    // than the kernel, or dilation, some rows are never used.
    std::vector<bool> used(p.h, false);
    for (const TapRange& r : row_taps_) {
      for (int64_t ky = r.first; ky < r.last; ++ky) used[r.start + ky * p.dilation.h] = true;
    }
    for (int64_t ih = 0; ih < p.h; ++ih) {
      if (used[ih]) used_rows_.push_back(ih);
    }
  }

  void Run(const Buffers& b) override {
    const int64_t in_plane = p_.h * p_.w, out_plane = grid_.oh() * grid_.ow();
    for (int64_t i = 0; i < p_.n * p_.c; ++i) {
      const T* src = static_cast<const T*>(b.src) + i * in_plane;
      T* dst = static_cast<T*>(b.dst) + i * out_plane;
      if (p_.op == poolbench::Op::kMax) {
        MaxPlane(src, dst, b.indices ? b.indices + i * out_plane : nullptr);
      } else {
        AvgPlane(src, dst);
      }
    }
  }

 private:
  void MaxPlane(const T* src, T* dst, int64_t* idx) {
    const int64_t ow = grid_.ow();
    // Horizontal pass: for each used row and output column, the row's winner and its column.
    for (int64_t ih : used_rows_) {
      const T* row = src + ih * p_.w;
      T* best_row = rows_.data() + ih * ow;
      int64_t* col_row = cols_.data() + ih * ow;
      for (int64_t ox = 0; ox < ow; ++ox) {
        const TapRange& c = col_taps_[ox];
        int64_t bi = c.start + c.first * p_.dilation.w;
        T best = row[bi];
        for (int64_t kx = c.first + 1; kx < c.last; ++kx) {
          const int64_t iw = c.start + kx * p_.dilation.w;
          if (poolbench::MaxReplaces(row[iw], best)) best = row[iw], bi = iw;
        }
        best_row[ox] = best;
        col_row[ox] = bi;
      }
    }
    // Vertical pass: the rows of each window combined in increasing ky (see the top comment).
    for (int64_t oy = 0; oy < grid_.oh(); ++oy) {
      const TapRange& r = row_taps_[oy];
      const int64_t first_row = r.start + r.first * p_.dilation.h;
      T* out = dst + oy * ow;
      int64_t* out_idx = idx ? idx + oy * ow : nullptr;
      for (int64_t ox = 0; ox < ow; ++ox) {
        T best = rows_[first_row * ow + ox];
        int64_t bi = first_row * p_.w + cols_[first_row * ow + ox];
        for (int64_t ky = r.first + 1; ky < r.last; ++ky) {
          const int64_t ih = r.start + ky * p_.dilation.h;
          const T v = rows_[ih * ow + ox];
          if (poolbench::MaxReplaces(v, best)) best = v, bi = ih * p_.w + cols_[ih * ow + ox];
        }
        out[ox] = best;
        if (out_idx) out_idx[ox] = bi;
      }
    }
  }

  void AvgPlane(const T* src, T* dst) {
    const int64_t ow = grid_.ow();
    // Horizontal pass: the sum of each used row over each output column's taps, kept wide.
    for (int64_t ih : used_rows_) {
      const T* row = src + ih * p_.w;
      Sum* sum_row = sums_.data() + ih * ow;
      for (int64_t ox = 0; ox < ow; ++ox) {
        const TapRange& c = col_taps_[ox];
        Sum s = 0;
        for (int64_t kx = c.first; kx < c.last; ++kx) s += row[c.start + kx * p_.dilation.w];
        sum_row[ox] = s;
      }
    }
    // Vertical pass: the window's row sums, divided as the SDK defines the divisor.
    for (int64_t oy = 0; oy < grid_.oh(); ++oy) {
      const TapRange& r = row_taps_[oy];
      for (int64_t ox = 0; ox < ow; ++ox) {
        Sum s = 0;
        for (int64_t ky = r.first; ky < r.last; ++ky) {
          s += sums_[(r.start + ky * p_.dilation.h) * ow + ox];
        }
        dst[oy * ow + ox] = poolbench::DivideAs<T>(s, grid_.Divisor(oy, ox));
      }
    }
  }

  using Sum = poolbench::Acc<T>;

  Problem p_;
  poolbench::WindowGrid grid_;
  std::vector<TapRange> row_taps_, col_taps_;
  std::vector<int64_t> used_rows_;
  // The H x OW tables of the horizontal pass, allocated once per problem in Prepare, outside
  // the timed region: row winners and their columns (max), or row sums (avg).
  std::vector<T> rows_;
  std::vector<int64_t> cols_;
  std::vector<Sum> sums_;
};

class ExampleSeparable final : public poolbench::Strategy {
 public:
  // The dtypes the kernel is written for: it is compiled for these only, and poolbench skips
  // every other dtype ("dtype bf16 not implemented") without asking Supports().
  using DTypes = poolbench::DefaultDTypes;  // f32, f64, i32

  std::string_view name() const override { return "example_separable"; }
  std::string_view description() const override {
    return "Separable max/avg (plugin example): a horizontal pass reduces each input row per "
           "output column, a vertical pass reduces the window's rows; forward, NCHW";
  }
  poolbench::Implemented Implements() const override {
    return {.dtypes = DTypes::set, .ranks = poolbench::RankSet::Only(2)};
  }
  poolbench::Support Supports(const Problem& p) const override {
    if (p.direction != poolbench::Direction::kForward) {
      return poolbench::Support::No("forward only: the passes keep no per-tap record");
    }
    if (p.layout != poolbench::Layout::kNCHW) return poolbench::Support::No("needs NCHW layout");
    return poolbench::Support::Yes();
  }
  std::unique_ptr<poolbench::Kernel> Prepare(const Problem& p,
                                             const poolbench::ExecContext&) const override {
    return poolbench::DispatchDType<DTypes>(p.dtype,
                                            [&]<class T>() -> std::unique_ptr<poolbench::Kernel> {
                                              return std::make_unique<SeparableKernel<T>>(p);
                                            });
  }
};

// Where an in-tree strategy says POOLBENCH_REGISTER_STRATEGY: the strategy is handed to the
// executable when it loads the plugin.
POOLBENCH_PLUGIN_STRATEGY(ExampleSeparable);

}  // namespace
}  // namespace example

// The plugin's entry points, once per plugin library.
POOLBENCH_PLUGIN();
