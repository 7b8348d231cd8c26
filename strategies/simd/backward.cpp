// simd, backward. Max scatters each output's gradient to the argmax its own forward saved; avg
// adds gradient / divisor to every valid tap.
//  - Tilings (stride == kernel, no padding or dilation, no partial window) write every input
//    element exactly once: the gradient is stored, without zeroing or accumulating, with
//    non-temporal stores when it is too large for the cache. NHWC compares the saved index of
//    a vector of channels with each tap; NCHW with 2-wide windows interleaves two vectors into
//    each input row.
//  - NHWC float avg otherwise gathers: each input pixel sums the scaled gradients of the
//    windows that cover it, a vector of channels at a time, and is written once.
//  - Otherwise input rows are zeroed just before the first window that reaches them, while
//    they are still in cache, and accumulated: NHWC per tap with vectors of channels (max
//    compares the saved index with each tap); NCHW max one element per output (its saved
//    index); NCHW float avg separably, each output row's column scatter computed as contiguous
//    vector sums over a zero-padded copy of its gradients (stride 1 and 2), then added to each
//    valid input row.
//  - Global NCHW fills each plane.

// Highway compiles this file once per instruction set: foreach_target.h re-includes it by the
// path below, which must stay first.
// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "strategies/simd/backward.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format on

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "poolbench/dtype.hpp"
#include "strategies/simd/plan.hpp"
#include "strategies/simd/vector_ops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace poolbench::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

// gradient / divisor for Lanes(d) gradients: a multiplication for floats, poolbench's integer
// rounding lane by lane for i32.
template <class D>
HWY_INLINE hn::VFromD<D> Shares(D d, const hn::TFromD<D>* HWY_RESTRICT grad, int64_t divisor) {
  using T = hn::TFromD<D>;
  if constexpr (IsFloat<T>) {
    return hn::Mul(hn::LoadU(d, grad),
                   hn::Set(d, static_cast<T>(1.0 / static_cast<double>(divisor))));
  } else {
    HWY_ALIGN T shares[hn::MaxLanes(d)];
    for (size_t i = 0; i < hn::Lanes(d); ++i) shares[i] = DivideAs<T>(grad[i], divisor);
    return hn::Load(d, shares);
  }
}

// The last input row that output row oy's windows reach.
int64_t LastRow(const Plan& g, int64_t oy) {
  const TapRange& r = g.rows[oy];
  return r.start + (r.last - 1) * g.p.dilation.h;
}

// ---------------------------------------------------------------------------------------------
// NHWC tilings: output pixel (oy, ox)'s gradient stored to each tap of its window, one input
// pixel (all its channels, contiguous) at a time; the last vector may overlap the previous one.
template <class D>
HWY_INLINE void TileGrad(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT dy,
                         const int64_t* HWY_RESTRICT idx, hn::TFromD<D>* HWY_RESTRICT dx,
                         int64_t oy, int64_t ox) {
  const IndexTag<D> di;
  using TI = hn::TFromD<decltype(di)>;
  const Problem& p = g.p;
  const int64_t C = p.c, N = static_cast<int64_t>(hn::Lanes(d));
  const int64_t kh = p.kernel.h, kw = p.kernel.w;
  const int64_t div = p.divisor_override.value_or(kh * kw);
  for (int64_t ky = 0; ky < kh; ++ky) {
    for (int64_t kx = 0; kx < kw; ++kx) {
      const int64_t offset = (oy * kh + ky) * p.w + ox * kw + kx;
      const auto here = hn::Set(di, static_cast<TI>(offset));
      for (int64_t c = 0;; c += N) {
        c = std::min(c, C - N);
        if (p.op == Op::kMax) {
          const auto mine = hn::RebindMask(d, hn::Eq(LoadIndices(di, idx + c), here));
          Put(d, hn::IfThenElseZero(mine, hn::LoadU(d, dy + c)), dx + offset * C + c, g.stream);
        } else {
          Put(d, Shares(d, dy + c, div), dx + offset * C + c, g.stream);
        }
        if (c + N >= C) break;
      }
    }
  }
}

// NHWC otherwise: channels [c0, c0 + Lanes(d)) of output pixel (oy, ox), added to each tap.
template <class D>
HWY_INLINE void PixelGrad(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT dy,
                          const int64_t* HWY_RESTRICT idx, hn::TFromD<D>* HWY_RESTRICT dx,
                          const TapRange& r, const TapRange& cc, int64_t c0) {
  using T = hn::TFromD<D>;
  const IndexTag<D> di;
  using TI = hn::TFromD<decltype(di)>;
  const Problem& p = g.p;
  const int64_t C = p.c, W = p.w, dh = p.dilation.h, dw = p.dilation.w;
  const auto add = [&](T* HWY_RESTRICT at, hn::VFromD<D> v)
                       HWY_ATTR { hn::StoreU(hn::Add(hn::LoadU(d, at), v), d, at); };
  if (p.op == Op::kMax) {
    const auto won = LoadIndices(di, idx + c0);
    const auto grad = hn::LoadU(d, dy + c0);
    for (int64_t ky = r.first; ky < r.last; ++ky) {
      for (int64_t kx = cc.first; kx < cc.last; ++kx) {
        const int64_t offset = (r.start + ky * dh) * W + cc.start + kx * dw;
        const auto mine = hn::RebindMask(d, hn::Eq(won, hn::Set(di, static_cast<TI>(offset))));
        add(dx + offset * C + c0, hn::IfThenElseZero(mine, grad));
      }
    }
  } else {
    const int64_t div = AvgDivisor(p, r.start, cc.start, (r.last - r.first) * (cc.last - cc.first));
    const auto share = Shares(d, dy + c0, div);
    for (int64_t ky = r.first; ky < r.last; ++ky) {
      for (int64_t kx = cc.first; kx < cc.last; ++kx) {
        add(dx + ((r.start + ky * dh) * W + cc.start + kx * dw) * C + c0, share);
      }
    }
  }
}

// Channels [c0, c1) of output row oy of one image: full vectors, then single lanes (the
// accumulation forbids overlapping vectors).
template <class D>
void RowGrad(D d, const Plan& g, const hn::TFromD<D>* dy_row, const int64_t* idx_row,
             hn::TFromD<D>* dx_img, int64_t oy, int64_t c0, int64_t c1) {
  const hn::CappedTag<hn::TFromD<D>, 1> d1;
  const int64_t C = g.p.c, N = static_cast<int64_t>(hn::Lanes(d));
  for (int64_t ox = 0; ox < g.ow; ++ox) {
    const auto* dy = dy_row + ox * C;
    const int64_t* idx = idx_row ? idx_row + ox * C : nullptr;
    int64_t c = c0;
    for (; c + N <= c1; c += N) PixelGrad(d, g, dy, idx, dx_img, g.rows[oy], g.cols[ox], c);
    for (; c < c1; ++c) PixelGrad(d1, g, dy, idx, dx_img, g.rows[oy], g.cols[ox], c);
  }
}

// Float avg, units (n, input row y): input pixel (y, x) sums, over the windows that cover it,
// their gradients times 1 / divisor. Each vector of dx is written once, so the last one of a
// pixel may overlap the previous one. `windows` and `scales` (g.cover_max entries) hold the
// covering windows' gradient offsets and 1 / divisor.
template <class D>
void GatherNhwc(D d, const Plan& g, const hn::TFromD<D>* dy, hn::TFromD<D>* dx, int64_t* windows,
                hn::TFromD<D>* scales, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  const int64_t C = p.c, H = p.h, W = p.w, N = static_cast<int64_t>(hn::Lanes(d));
  const T* col_scale = g.ColScale<T>();
  for (int64_t unit = begin; unit < end; ++unit) {
    const int64_t n = unit / H, y = unit % H;
    T* out = dx + unit * W * C;
    for (int64_t x = 0; x < W; ++x) {
      int64_t count = 0;
      for (int64_t i = g.cover_row_start[y]; i < g.cover_row_start[y + 1]; ++i) {
        const int64_t oy = g.cover_rows[i];
        for (int64_t j = g.cover_col_start[x]; j < g.cover_col_start[x + 1]; ++j) {
          const int64_t ox = g.cover_cols[j];
          windows[count] = ((n * g.oh + oy) * g.ow + ox) * C;
          scales[count++] = static_cast<T>(g.row_scale[oy]) * col_scale[ox];
        }
      }
      for (int64_t c = 0;; c += N) {
        c = std::min(c, C - N);
        auto acc = hn::Zero(d);
        for (int64_t k = 0; k < count; ++k) {
          acc = hn::MulAdd(hn::LoadU(d, dy + windows[k] + c), hn::Set(d, scales[k]), acc);
        }
        Put(d, acc, out + x * C + c, g.stream);
        if (c + N >= C) break;
      }
    }
  }
}

template <class D>
void BackwardNhwc(D d, const Plan& g, const hn::TFromD<D>* dy, const int64_t* indices,
                  hn::TFromD<D>* dx, void* scratch, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  if constexpr (IsFloat<T>) {
    if (g.GathersBackward()) {
      auto* windows = static_cast<int64_t*>(scratch);
      GatherNhwc(d, g, dy, dx, windows, reinterpret_cast<T*>(windows + g.cover_max), begin, end);
      return;
    }
  }
  const Problem& p = g.p;
  const int64_t C = p.c, image = p.h * p.w * C, out_image = g.oh * g.ow * C;
  const auto idx_at = [&](int64_t n, int64_t oy) {
    return indices ? indices + n * out_image + oy * g.ow * C : nullptr;
  };
  if (g.tiles) {
    // Units (n, oy): every window is whole and its taps are stored once. Rows and columns
    // past the last window get zeros.
    for (int64_t unit = begin; unit < end; ++unit) {
      const int64_t n = unit / g.oh, oy = unit % g.oh;
      T* img = dx + n * image;
      const int64_t row = n * out_image + oy * g.ow * C;
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        TileGrad(d, g, dy + row + ox * C, indices ? indices + row + ox * C : nullptr, img, oy, ox);
      }
      const int64_t y0 = oy * p.kernel.h, y1 = oy + 1 == g.oh ? p.h : y0 + p.kernel.h;
      for (int64_t y = y0; y < y1; ++y) {
        const int64_t x0 = y < y0 + p.kernel.h ? g.ow * p.kernel.w : 0;
        std::memset(img + (y * p.w + x0) * C, 0, (p.w - x0) * C * sizeof(T));
      }
    }
    return;
  }
  // Units (n, channel chunk): windows overlap, so one thread owns whole images' channels.
  for (int64_t unit = begin; unit < end; ++unit) {
    const int64_t n = unit / g.chunks, chunk = unit % g.chunks;
    const int64_t c0 = chunk * g.chunk_channels, c1 = std::min(C, c0 + g.chunk_channels);
    T* img = dx + n * image;
    // A chunk's channels of each pixel are zeroed in vectors: a call of memset per pixel cost
    // more than the whole chunk's work (one 32x32 image of 64 channels at two threads, a chunk
    // each, took 55 us against 21 us at one thread on a 2-core AMD EPYC).
    const int64_t N = static_cast<int64_t>(hn::Lanes(d));
    const auto zero_rows = [&](int64_t y0, int64_t y1) {
      if (c0 == 0 && c1 == C) {
        std::memset(img + y0 * p.w * C, 0, (y1 - y0) * p.w * C * sizeof(T));
      } else {
        for (int64_t px = y0 * p.w; px < y1 * p.w; ++px) {
          T* at = img + px * C;
          int64_t c = c0;
          for (; c + N <= c1; c += N) hn::StoreU(hn::Zero(d), d, at + c);
          for (; c < c1; ++c) at[c] = T(0);
        }
      }
    };
    int64_t zeroed = 0;
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const int64_t last = LastRow(g, oy);
      if (last >= zeroed) zero_rows(zeroed, last + 1), zeroed = last + 1;
      RowGrad(d, g, dy + n * out_image + oy * g.ow * C, idx_at(n, oy), img, oy, c0, c1);
    }
    zero_rows(zeroed, p.h);
  }
}

// ---------------------------------------------------------------------------------------------
// NCHW tilings.

// Windows of width 2: output row oy's Lanes(d) gradients from ox0 go to the even and odd
// columns of its kh input rows, interleaved.
template <class D>
HWY_INLINE void TileBlock2(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT dy,
                           const int64_t* HWY_RESTRICT idx, hn::TFromD<D>* HWY_RESTRICT dx,
                           int64_t oy, int64_t ox0, hn::VFromD<IndexTag<D>> lane_cols) {
  using T = hn::TFromD<D>;
  const IndexTag<D> di;
  using TI = hn::TFromD<decltype(di)>;
  const Problem& p = g.p;
  const int64_t W = p.w, kh = p.kernel.h, y0 = oy * kh, N = static_cast<int64_t>(hn::Lanes(d));
  const auto put = [&](hn::VFromD<D> even, hn::VFromD<D> odd, T* at) HWY_ATTR {
    if (g.stream && reinterpret_cast<uintptr_t>(at) % 64 == 0) {
      HWY_ALIGN T both[2 * hn::MaxLanes(d)];
      hn::StoreInterleaved2(even, odd, d, both);
      Put(d, hn::Load(d, both), at, true);
      Put(d, hn::Load(d, both + N), at + N, true);
    } else {
      hn::StoreInterleaved2(even, odd, d, at);
    }
  };
  if (p.op == Op::kMax) {
    // The winner relative to its window's tap (0, 0): ky * W + kx.
    const auto origin = hn::Add(hn::Set(di, static_cast<TI>(y0 * W + 2 * ox0)), lane_cols);
    const auto rel = hn::Sub(LoadIndices(di, idx + ox0), origin);
    const auto grad = hn::LoadU(d, dy + ox0);
    for (int64_t ky = 0; ky < kh; ++ky) {
      const auto even = hn::RebindMask(d, hn::Eq(rel, hn::Set(di, static_cast<TI>(ky * W))));
      const auto odd = hn::RebindMask(d, hn::Eq(rel, hn::Set(di, static_cast<TI>(ky * W + 1))));
      put(hn::IfThenElseZero(even, grad), hn::IfThenElseZero(odd, grad),
          dx + (y0 + ky) * W + 2 * ox0);
    }
  } else {
    const auto share = Shares(d, dy + ox0, p.divisor_override.value_or(kh * 2));
    for (int64_t ky = 0; ky < kh; ++ky) put(share, share, dx + (y0 + ky) * W + 2 * ox0);
  }
}

// One window of a tiling, any width: its gradient stored to its taps.
template <class T>
void TileScalar(const Plan& g, const T* dy, const int64_t* idx, T* dx, int64_t oy, int64_t ox) {
  const Problem& p = g.p;
  const int64_t kh = p.kernel.h, kw = p.kernel.w, o = oy * g.ow + ox;
  const T share =
      p.op == Op::kMax ? dy[o] : DivideAs<T>(dy[o], p.divisor_override.value_or(kh * kw));
  for (int64_t ky = 0; ky < kh; ++ky) {
    for (int64_t kx = 0; kx < kw; ++kx) {
      const int64_t offset = (oy * kh + ky) * p.w + ox * kw + kx;
      dx[offset] = p.op == Op::kAvg || idx[o] == offset ? share : T(0);
    }
  }
}

template <class D>
void TileRows(D d, const Plan& g, const hn::TFromD<D>* dy, const int64_t* indices,
              hn::TFromD<D>* dx, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d)), kh = p.kernel.h, kw = p.kernel.w;
  const bool vector = kw == 2 && g.ow >= N;
  const auto lane_cols = LaneColumns(IndexTag<D>(), 2);
  // (plane, oy) advance with the unit, without a division per unit (which costs more than a
  // small plane's row).
  int64_t plane = begin / g.oh, oy = begin % g.oh;
  for (int64_t unit = begin; unit < end; ++unit) {
    const T* dyp = dy + plane * g.oh * g.ow;
    const int64_t* idx = indices ? indices + plane * g.oh * g.ow : nullptr;
    T* dxp = dx + plane * p.h * p.w;
    if (vector) {
      for (int64_t ox = 0;; ox += N) {
        ox = std::min(ox, g.ow - N);  // the last block overlaps: its stores repeat the values
        TileBlock2(d, g, dyp + oy * g.ow, idx ? idx + oy * g.ow : nullptr, dxp, oy, ox, lane_cols);
        if (ox + N >= g.ow) break;
      }
    } else {
      for (int64_t ox = 0; ox < g.ow; ++ox) TileScalar(g, dyp, idx, dxp, oy, ox);
    }
    // Zeros for the columns past the last window and, after the last output row, for the rows
    // past it (tested first: most tilings have neither, and a small plane's row costs little
    // more than the calls).
    const int64_t x_end = g.ow * kw, y_end = g.oh * kh;
    if (x_end < p.w) {
      for (int64_t y = oy * kh; y < (oy + 1) * kh; ++y)
        std::fill(dxp + y * p.w + x_end, dxp + (y + 1) * p.w, T(0));
    }
    if (oy + 1 == g.oh && y_end < p.h) std::fill(dxp + y_end * p.w, dxp + p.h * p.w, T(0));
    if (++oy == g.oh) oy = 0, ++plane;
  }
}

// ---------------------------------------------------------------------------------------------
// NCHW, other geometries.

// h[x] = sum of grad[ox] * col_scale[ox] over the windows ox whose valid taps include input
// column x, for x in [0, W): gpad holds those products from element g_offset, zeros around.
// Column x = j * sw + q (phase q) gets tap kx from window j + (q + pw - kx * dw) / sw when that
// division is exact, so each phase is a sum of contiguous vectors of gpad.
template <class D>
HWY_INLINE void ScatterColumns(D d, const Plan& g, const hn::TFromD<D>* HWY_RESTRICT gpad,
                               hn::TFromD<D>* HWY_RESTRICT h) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  const int64_t W = p.w, sw = p.stride.w, pw = p.padding.w, kw = p.kernel.w, dw = p.dilation.w;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const T* base = gpad + g.g_offset;
  // The sum of phase q's taps for the Lanes(d) columns from j0.
  const auto phase = [&](int64_t q, int64_t j0) HWY_ATTR {
    auto sum = hn::Zero(d);
    for (int64_t kx = 0; kx < kw; ++kx) {
      const int64_t shift = q + pw - kx * dw;
      if (((shift % sw) + sw) % sw == 0) sum = hn::Add(sum, hn::LoadU(d, base + j0 + shift / sw));
    }
    return sum;
  };
  if (sw == 1) {
    for (int64_t x = 0; x < W; x += N) hn::StoreU(phase(0, x), d, h + x);
  } else if (sw == 2) {
    for (int64_t j = 0; 2 * j < W; j += N)
      hn::StoreInterleaved2(phase(0, j), phase(1, j), d, h + 2 * j);
  } else {
    for (int64_t x = 0; x < W; ++x) {
      T sum = 0;
      for (int64_t kx = 0; kx < kw; ++kx) {
        const int64_t shift = x + pw - kx * dw;
        if (((shift % sw) + sw) % sw == 0) sum += base[shift / sw];
      }
      h[x] = sum;
    }
  }
}

// Planes [begin, end), zeroed row by row ahead of the windows: max adds each gradient at its
// saved index; float avg adds each output row's column scatter to its valid input rows; i32 avg
// adds each exactly rounded share to every valid tap.
template <class D>
void ScatterPlanes(D d, const Plan& g, const hn::TFromD<D>* dy, const int64_t* indices,
                   hn::TFromD<D>* dx, hn::TFromD<D>* scratch, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  const Problem& p = g.p;
  const int64_t W = p.w, in_plane = p.h * W, out_plane = g.oh * g.ow;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const int64_t dh = p.dilation.h, dw = p.dilation.w;
  const bool separable = IsFloat<T> && p.op == Op::kAvg && p.stride.w <= 2;
  T* h = scratch;
  T* gpad = scratch + g.h_elements;
  const T* col_scale = g.ColScale<T>();
  // gpad's zeros around the gradients each row writes are PrepareScratch's.
  for (int64_t plane = begin; plane < end; ++plane) {
    const T* dyp = dy + plane * out_plane;
    T* dxp = dx + plane * in_plane;
    int64_t zeroed = 0;
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const int64_t last = LastRow(g, oy);
      if (last >= zeroed) {
        std::fill(dxp + zeroed * W, dxp + (last + 1) * W, T(0));
        zeroed = last + 1;
      }
      const T* dyr = dyp + oy * g.ow;
      const TapRange& r = g.rows[oy];
      if (p.op == Op::kMax) {
        const int64_t* idx = indices + plane * out_plane + oy * g.ow;
        for (int64_t ox = 0; ox < g.ow; ++ox) AddGrad(dxp[idx[ox]], dyr[ox]);
      } else if (separable) {
        if constexpr (IsFloat<T>) {
          for (int64_t ox = 0; ox < g.ow; ++ox) gpad[g.g_offset + ox] = dyr[ox] * col_scale[ox];
          ScatterColumns(d, g, gpad, h);
          const auto row_scale = hn::Set(d, static_cast<T>(g.row_scale[oy]));
          for (int64_t ky = r.first; ky < r.last; ++ky) {
            T* row = dxp + (r.start + ky * dh) * W;
            int64_t x = 0;
            for (; x + N <= W; x += N) {
              hn::StoreU(hn::MulAdd(hn::LoadU(d, h + x), row_scale, hn::LoadU(d, row + x)), d,
                         row + x);
            }
            for (; x < W; ++x) row[x] += h[x] * static_cast<T>(g.row_scale[oy]);
          }
        }
      } else {
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          const TapRange& cc = g.cols[ox];
          const T share = DivideAs<T>(
              dyr[ox], AvgDivisor(p, r.start, cc.start, (r.last - r.first) * (cc.last - cc.first)));
          for (int64_t ky = r.first; ky < r.last; ++ky)
            for (int64_t kx = cc.first; kx < cc.last; ++kx)
              AddGrad(dxp[(r.start + ky * dh) * W + cc.start + kx * dw], share);
        }
      }
    }
    std::fill(dxp + zeroed * W, dxp + in_plane, T(0));
  }
}

// Global NCHW: avg spreads one share over the plane, max puts the gradient at its index.
template <class T>
void GlobalPlanes(const Plan& g, const T* dy, const int64_t* indices, T* dx, int64_t begin,
                  int64_t end) {
  const int64_t size = g.p.h * g.p.w;
  for (int64_t plane = begin; plane < end; ++plane) {
    T* dxp = dx + plane * size;
    if (g.p.op == Op::kAvg) {
      std::fill(dxp, dxp + size,
                DivideAs<T>(dy[plane], AvgDivisor(g.p, g.rows[0].start, g.cols[0].start, size)));
    } else {
      std::fill(dxp, dxp + size, T(0));
      dxp[indices[plane]] = dy[plane];
    }
  }
}

// Units [begin, end) of each path, with vectors of D.
template <class D>
void Nhwc(const Plan& g, const void* diff_dst, const int64_t* indices, void* diff_src,
          void* scratch, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  BackwardNhwc(D(), g, static_cast<const T*>(diff_dst), indices, static_cast<T*>(diff_src), scratch,
               begin, end);
  if (g.stream) hwy::FlushStream();
}
template <class T>
void Global(const Plan& g, const void* diff_dst, const int64_t* indices, void* diff_src, void*,
            int64_t begin, int64_t end) {
  GlobalPlanes(g, static_cast<const T*>(diff_dst), indices, static_cast<T*>(diff_src), begin, end);
}
template <class D>
void Tiles(const Plan& g, const void* diff_dst, const int64_t* indices, void* diff_src, void*,
           int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  TileRows(D(), g, static_cast<const T*>(diff_dst), indices, static_cast<T*>(diff_src), begin, end);
  if (g.stream) hwy::FlushStream();
}
template <class D>
void Scatter(const Plan& g, const void* diff_dst, const int64_t* indices, void* diff_src,
             void* scratch, int64_t begin, int64_t end) {
  using T = hn::TFromD<D>;
  ScatterPlanes(D(), g, static_cast<const T*>(diff_dst), indices, static_cast<T*>(diff_src),
                static_cast<T*>(scratch), begin, end);
}

// pick.operator()<DD>() for the widest DD of a full vector (D), a 128-bit one and one lane that
// `width` elements fill.
template <class D, class Pick>
BackwardFn WithWidth(int64_t width, Pick&& pick) {
  using T = hn::TFromD<D>;
  using D128 = hn::CappedTag<T, HWY_MIN(hn::MaxLanes(D()), 16 / sizeof(T))>;
  if (width >= static_cast<int64_t>(hn::Lanes(D()))) return pick.template operator()<D>();
  if (width >= static_cast<int64_t>(hn::Lanes(D128()))) return pick.template operator()<D128>();
  return pick.template operator()<hn::CappedTag<T, 1>>();
}

}  // namespace

BackwardFn BackwardKernel(const Plan& g) {
  return DispatchDType<SimdDTypes>(g.p.dtype, [&]<class T>() HWY_ATTR -> BackwardFn {
    using D = hn::ScalableTag<T>;
    if (g.p.layout == Layout::kNHWC) {
      return WithWidth<D>(g.p.c, [&]<class DD>() HWY_ATTR -> BackwardFn { return &Nhwc<DD>; });
    }
    if (g.global) return &Global<T>;
    if (g.tiles) {
      return WithWidth<D>(g.ow, [&]<class DD>() HWY_ATTR -> BackwardFn { return &Tiles<DD>; });
    }
    return &Scatter<D>;
  });
}

}  // namespace poolbench::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace poolbench::simd {
HWY_EXPORT(BackwardKernel);
BackwardFn BackwardKernel(const Plan& plan) { return HWY_DYNAMIC_DISPATCH(BackwardKernel)(plan); }
}  // namespace poolbench::simd
#endif
