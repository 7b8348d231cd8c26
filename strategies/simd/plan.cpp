#include "strategies/simd/plan.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace poolbench::simd {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// The avg divisor factored by axis: AvgDivisor counts rows and columns independently (the
// clipped window with count_include_pad, the valid taps without), so each axis' factor is the
// divisor of the problem with the other axis reduced to one tap.
void AvgScales(Plan& g) {
  const Problem& p = g.p;
  Problem rows_only = p, cols_only = p;
  rows_only.w = 1, rows_only.kernel.w = 1, rows_only.padding.w = 0, rows_only.dilation.w = 1;
  cols_only.h = 1, cols_only.kernel.h = 1, cols_only.padding.h = 0, cols_only.dilation.h = 1;
  for (int64_t oy = 0; oy < g.oh; ++oy) {
    const TapRange& r = g.rows[oy];
    const double div =
        p.divisor_override
            ? 1.0
            : static_cast<double>(AvgDivisor(rows_only, r.start, 0, r.last - r.first));
    g.row_scale.push_back(1.0 / div);
  }
  for (int64_t ox = 0; ox < g.ow; ++ox) {
    const TapRange& c = g.cols[ox];
    const double div = static_cast<double>(
        p.divisor_override ? *p.divisor_override
                           : AvgDivisor(cols_only, 0, c.start, c.last - c.first));
    std::get<std::vector<float>>(g.col_scales).push_back(static_cast<float>(1.0 / div));
    std::get<std::vector<double>>(g.col_scales).push_back(1.0 / div);
  }
}

}  // namespace

Plan::Plan(const Problem& problem, int threads) : p(problem) {
  if (p.layout == Layout::kNHWC && p.c == 1) p.layout = Layout::kNCHW;
  oh = OutputH(p);
  ow = OutputW(p);
  for (int64_t oy = 0; oy < oh; ++oy) rows.push_back(RowTaps(p, oy));
  for (int64_t ox = 0; ox < ow; ++ox) cols.push_back(ColTaps(p, ox));
  // H distinct valid rows in [0, H) are all of them (and W columns likewise).
  global = oh == 1 && ow == 1 && rows[0].last - rows[0].first == p.h &&
           cols[0].last - cols[0].first == p.w;
  nhwc_global_sum =
      global && p.layout == Layout::kNHWC && p.op == Op::kAvg && Info(p.dtype).is_float;
  tiles = p.stride == p.kernel && p.padding == Pair{0, 0} && p.dilation == Pair{1, 1} &&
          oh * p.kernel.h <= p.h && ow * p.kernel.w <= p.w;
  nchw_tile2x2 = p.layout == Layout::kNCHW && tiles && p.kernel == Pair{2, 2} &&
                 (p.op == Op::kMax || Info(p.dtype).is_float) && ow * SizeOf(p.dtype) >= 16;
  const auto full = [&](int64_t ox) { return cols[ox].first == 0 && cols[ox].last == p.kernel.w; };
  while (full_lo < ow && !full(full_lo)) ++full_lo;
  full_hi = full_lo;
  while (full_hi < ow && full(full_hi)) ++full_hi;

  const int64_t kw = p.kernel.w, sw = p.stride.w, dw = p.dilation.w, pw = p.padding.w;
  stride_kind = sw == 1 ? 1 : sw == 2 ? 2 : 0;
  kw_fixed = sw == 2 && dw == 1 && (kw == 2 || kw == 3) ? static_cast<int>(kw) : 0;
  // A de-interleaved load of one tap reads one element past the last one it uses (the loads
  // of 2- and 3-wide windows end where the windows do).
  const int64_t extra = stride_kind == 2 && kw_fixed == 0 ? 1 : 0;
  const int64_t last_tap = (kw - 1) * dw;
  vlo = full_lo;
  vhi = std::max(vlo, std::min(full_hi, FloorDiv(p.w - 1 - extra + pw - last_tap, sw) + 1));
  const bool max_values = p.op == Op::kMax && !p.indices;
  const bool float_avg = p.op == Op::kAvg && Info(p.dtype).is_float;
  const bool one_load_per_row = kw_fixed == 2 && vlo == 0 && vhi == ow;
  if (global) {
    nchw = NchwPath::kGlobal;
  } else if ((max_values || float_avg) && p.kernel.h > 1 && !one_load_per_row) {
    nchw = NchwPath::kSeparable;
    pad_left = pw;
    // The last column any load of the last window reads.
    const int64_t last_read = (ow - 1) * sw - pw + last_tap + extra;
    scratch_elements = pad_left + std::max(p.w, last_read + 1);
  }
  if (float_avg) AvgScales(*this);

  if (p.direction == Direction::kForward) {
    const int64_t bytes = InputElements(p) * SizeOf(p.dtype) +
                          OutputElements(p) * (SizeOf(p.dtype) + (p.indices ? 8 : 0));
    // NHWC streams the lines of whole pixels, NCHW its rows' lines (RowWriter). Rows that don't
    // start on a line share one with the next, which RowWriter assembles from both rows'
    // results: on a 2-core AMD EPYC that paid off for the light 2x2 tilings with rows of three
    // lines or more (VGG-16's 56 columns: 3.75 -> 2.81 ms with indices) but not for the other
    // paths, even at 55 columns (k3 s2 with indices, 8.5 -> 12.8 ms), nor for rows of fewer
    // than three lines (AlexNet's 27 columns: twice the time). Global pooling's outputs are a
    // value per plane or a pixel per image.
    const int64_t row_bytes = ow * SizeOf(p.dtype);
    const bool nchw_rows = nchw_tile2x2 ? row_bytes >= 3 * 64 : row_bytes % 64 == 0;
    if (!global && (p.layout == Layout::kNCHW ? nchw_rows : p.c * SizeOf(p.dtype) % 64 == 0)) {
      stream = bytes > (32 << 20);
    }
  }
  if (p.direction == Direction::kBackward) {
    constexpr int64_t kMaxLanes = 64;  // of any Highway target's vector of 32-bit lanes
    // Gradient and input of every thread together beyond a typical last-level cache.
    const int64_t bytes = (InputElements(p) + 2 * OutputElements(p)) * SizeOf(p.dtype);
    stream = (tiles || GathersBackward()) && bytes > (32 << 20);
    // The column scatter reads gradient[j + (q + pw - kx * dw) / sw] for output columns j of
    // phase q (input column j * sw + q), so the gradient row is padded on the left by
    // g_offset zeros and on the right past the last vector.
    h_elements = p.w + sw * kMaxLanes + sw;
    g_offset = std::max<int64_t>(0, (last_tap - pw + sw - 1) / sw);
    g_elements = g_offset + std::max(ow, (p.w + sw - 1) / sw + kMaxLanes + (sw - 1 + pw) / sw + 1);
    if (p.layout == Layout::kNCHW && float_avg && !tiles && !global) {
      scratch_elements = std::max(scratch_elements, h_elements + g_elements);
    }
  }

  if (p.direction == Direction::kBackward && GathersBackward()) {
    // Each axis' covering windows, in increasing order.
    const auto cover = [](const std::vector<TapRange>& taps, int64_t size, int64_t dilation,
                          std::vector<int64_t>& start, std::vector<int64_t>& list) {
      std::vector<std::vector<int64_t>> by_input(size);
      for (int64_t o = 0; o < static_cast<int64_t>(taps.size()); ++o) {
        for (int64_t k = taps[o].first; k < taps[o].last; ++k) {
          by_input[taps[o].start + k * dilation].push_back(o);
        }
      }
      start.push_back(0);
      for (const auto& outs : by_input) {
        list.insert(list.end(), outs.begin(), outs.end());
        start.push_back(static_cast<int64_t>(list.size()));
      }
    };
    cover(rows, p.h, p.dilation.h, cover_row_start, cover_rows);
    cover(cols, p.w, p.dilation.w, cover_col_start, cover_cols);
    const auto most = [](const std::vector<int64_t>& start) {
      int64_t m = 0;
      for (size_t i = 1; i < start.size(); ++i) m = std::max(m, start[i] - start[i - 1]);
      return m;
    };
    cover_max = most(cover_row_start) * most(cover_col_start);
  }

  // Fewer images than threads: split the channels, in multiples of a cache line of f32.
  chunk_channels = p.c;
  if (p.layout == Layout::kNHWC && !tiles && !GathersBackward() && p.n < threads && p.c >= 32) {
    chunk_channels = (p.c / threads + 15) / 16 * 16;
    chunks = (p.c + chunk_channels - 1) / chunk_channels;
  }
}

int64_t Plan::ForwardUnits() const {
  return (p.layout == Layout::kNHWC ? p.n : p.n * p.c) * (global ? 1 : oh);
}

int64_t Plan::ScratchBytes() const {
  return std::max(scratch_elements * SizeOf(p.dtype), cover_max * (8 + SizeOf(p.dtype)));
}

bool Plan::GathersBackward() const {
  return p.layout == Layout::kNHWC && !tiles && p.op == Op::kAvg && Info(p.dtype).is_float;
}

int64_t Plan::BackwardUnits() const {
  if (p.layout == Layout::kNCHW) return tiles ? p.n * p.c * oh : p.n * p.c;
  return tiles ? p.n * oh : GathersBackward() ? p.n * p.h : p.n * chunks;
}

void PrepareScratch(const Plan& g, void* scratch) {
  const Problem& p = g.p;
  if (p.layout != Layout::kNCHW) return;
  DispatchDType<SimdDTypes>(p.dtype, [&]<class T>() {
    T* s = static_cast<T*>(scratch);
    if (p.direction == Direction::kForward && !g.nchw_tile2x2 && g.nchw == NchwPath::kSeparable) {
      // The identity of the reduction, as the columns of padding it stands for.
      T identity = T(0);
      if (p.op == Op::kMax) {
        if constexpr (IsFloat<T>) {
          identity = -std::numeric_limits<T>::infinity();
        } else {
          identity = std::numeric_limits<T>::lowest();
        }
      }
      std::fill(s, s + g.scratch_elements, identity);
    } else if (p.direction == Direction::kBackward && p.op == Op::kAvg && p.dtype != DType::kI32 &&
               !g.tiles && !g.global) {
      // The zeros around the scaled gradients of the column scatter.
      std::fill(s + g.h_elements, s + g.h_elements + g.g_elements, T(0));
    }
  });
}

int64_t Plan::OneThreadNanos() const {
  // Picoseconds per input byte of each path at one thread, measured on a 2-core AMD EPYC
  // (Zen 4, AVX-512) with f32 data, on problems of 100-400 KiB.
  int64_t ps = 0;
  const bool float_avg = p.op == Op::kAvg && p.dtype != DType::kI32;
  if (p.direction == Direction::kForward) {
    if (nhwc_global_sum) {
      ps = 9;
    } else if (p.layout == Layout::kNHWC) {
      ps = p.indices ? 40 : 21;
    } else if (nchw_tile2x2) {
      ps = p.indices ? 30 : 13;
    } else if (nchw == NchwPath::kGlobal) {
      ps = p.indices ? 42 : 20;
    } else if (nchw == NchwPath::kSeparable) {
      ps = 70;
    } else {
      ps = p.op == Op::kAvg && !float_avg ? 260 : 110;  // i32 averages round lane by lane
    }
  } else if (tiles) {
    ps = 30;
  } else if (p.layout == Layout::kNHWC) {
    ps = 80;
  } else {
    ps = p.op == Op::kMax || float_avg ? 70 : 200;
  }
  return InputElements(p) * SizeOf(p.dtype) * ps / 1000;
}

std::string Plan::Describe(int64_t lanes) const {
  const int64_t size = SizeOf(p.dtype);
  // i32 averages forward sum in int64 vectors, with half the lanes.
  if (p.direction == Direction::kForward && p.op == Op::kAvg && p.dtype == DType::kI32) lanes /= 2;
  // The vectors the kernels pick for `width` elements: full ones, 128-bit ones, or single lanes.
  const auto vectors = [&](int64_t width) {
    const int64_t n = width >= lanes ? lanes : width >= 16 / size ? 16 / size : 1;
    return std::to_string(n) + (n == 1 ? " lane" : " lanes");
  };
  const std::string strides[] = {"gathered", "contiguous", "de-interleaved"};
  const std::string loads =
      kw_fixed ? "de-interleaved loads of two taps" : strides[stride_kind] + " loads";
  std::string s;
  if (p.direction == Direction::kForward) {
    if (nhwc_global_sum) {
      s = "nhwc global average, channels in chunks of up to 16 vectors of " + vectors(p.c);
    } else if (p.layout == Layout::kNHWC) {
      s = "nhwc vectors of " + vectors(p.c) + " over channels";
    } else if (nchw_tile2x2) {
      s = "nchw 2x2 tiling, rows then columns, vectors of " + vectors(ow);
    } else if (nchw == NchwPath::kGlobal) {
      s = "nchw global, each plane reduced in vectors";
    } else if (nchw == NchwPath::kSeparable) {
      s = "nchw separable, rows then columns, vectors of " + vectors(ow) + ", " + loads;
    } else {
      s = "nchw direct, vectors of " + vectors(vhi - vlo) + " over columns " + std::to_string(vlo) +
          "-" + std::to_string(vhi) + " of " + std::to_string(ow) + ", " + loads;
    }
  } else if (p.layout == Layout::kNHWC) {
    s = tiles               ? "nhwc tiling backward"
        : GathersBackward() ? "nhwc avg backward, each pixel gathering its windows"
                            : "nhwc backward, windows added in " + std::to_string(chunks) +
                                  " channel chunk" + (chunks > 1 ? "s" : "");
    s += ", vectors of " + vectors(p.c);
  } else if (global) {
    s = "nchw global backward";
  } else if (tiles) {
    s = p.kernel.w == 2 && ow >= lanes ? "nchw tiling backward, vectors of " + vectors(ow)
                                       : "nchw tiling backward, window by window";
  } else if (p.op == Op::kMax) {
    s = "nchw max backward, gradients added at their indices";
  } else if (p.dtype != DType::kI32 && p.stride.w <= 2) {
    s = "nchw avg backward, separable";
  } else {
    s = "nchw avg backward, window by window";
  }
  return stream ? s + ", streamed" : s;
}

}  // namespace poolbench::simd
