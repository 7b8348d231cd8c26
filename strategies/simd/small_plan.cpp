#include "strategies/simd/small_plan.hpp"

#include <algorithm>
#include <limits>

#include "poolbench/window.hpp"
#include "strategies/simd/target.hpp"

namespace poolbench::simd {
namespace {

// A window holds this many vectors of the source (window_lookup-inl.h's kWindowVectors).
constexpr int64_t kWindowVectors = 4;
// The most taps (elements times taps per element) a group's table may list: a few tens of KiB
// of entries, which stay in cache beside the data. Units needing more take the row-wise paths.
constexpr int64_t kMaxTaps = 16 << 10;
// Max backward zeroes a unit's gradient, then stores or adds each output's gradient at its
// saved index: the unit should still be in cache when they arrive.
constexpr int64_t kMaxScatterUnitBytes = 256 << 10;
// A table covers units enough for this many full vectors of elements, when units are small.
constexpr int64_t kGroupVectors = 4;

Problem AsKernelsSeeIt(Problem p) {
  if (p.layout == Layout::kNHWC && p.c == 1) p.layout = Layout::kNCHW;
  return p;
}

int64_t KernelLanes(const Problem& p) {
  const bool int64_sums =
      p.direction == Direction::kForward && p.op == Op::kAvg && p.dtype == DType::kI32;
  // int64 vectors have as many lanes as f64 ones.
  return VectorLanes(int64_sums ? DType::kF64 : p.dtype);
}

// The most windows covering one input element along an axis: one per tap at most, and at most
// the windows that start within the span of one window.
int64_t AxisCover(int64_t kernel, int64_t stride, int64_t dilation) {
  return std::min(kernel, ((kernel - 1) * dilation + stride) / stride);
}

// Elements and taps per element of one unit: outputs and their window's taps forward, inputs
// and the windows covering them (rows x columns of them) for avg backward.
struct Shape {
  int64_t count = 0, rows = 0, cols = 0;
  // The most elements of the source one element's taps in one row can span.
  int64_t row_span = 0;
};

Shape UnitShape(const Problem& p) {
  const bool nhwc = p.layout == Layout::kNHWC;
  const int64_t c = nhwc ? p.c : 1;
  Shape s;
  if (p.direction == Direction::kForward) {
    s.count = OutputH(p) * OutputW(p) * c;
    s.rows = p.kernel.h;
    s.cols = p.kernel.w;
    s.row_span = (p.kernel.w - 1) * p.dilation.w * c + 1;
  } else {
    s.count = p.h * p.w * c;
    s.rows = AxisCover(p.kernel.h, p.stride.h, p.dilation.h);
    s.cols = AxisCover(p.kernel.w, p.stride.w, p.dilation.w);
    s.row_span = ((p.kernel.w - 1) * p.dilation.w / p.stride.w) * c + 1;
  }
  return s;
}

// Per input coordinate of an axis, the outputs whose valid taps include it, in increasing order.
std::vector<std::vector<int64_t>> Covers(const Problem& p, int64_t outputs, bool rows) {
  std::vector<std::vector<int64_t>> by_input(rows ? p.h : p.w);
  const int64_t dilation = rows ? p.dilation.h : p.dilation.w;
  for (int64_t o = 0; o < outputs; ++o) {
    const TapRange r = rows ? RowTaps(p, o) : ColTaps(p, o);
    for (int64_t k = r.first; k < r.last; ++k) by_input[r.start + k * dilation].push_back(o);
  }
  return by_input;
}

// One tap of an element: where it lies in the source (-1: the element has no such tap) and,
// forward, its index in the plane.
struct Tap {
  int64_t offset = -1, index = 0;
};

// A vector of elements: each one's taps (rows x cols, row-major) and divisor, and per tap row
// the lowest and highest source offset of their valid taps.
struct Packed {
  std::vector<std::vector<Tap>> lanes;
  std::vector<int64_t> divisors, lo, hi;
};

template <class TI>
void Append(std::vector<int32_t>& v32, std::vector<int64_t>& v64, int64_t x) {
  if constexpr (sizeof(TI) == 8) {
    v64.push_back(x);
  } else {
    v32.push_back(static_cast<int32_t>(x));
  }
}

// The elements of `n` units packed in order: a vector takes the next one while it has a lane
// free and every tap row of its elements still spans at most a window of the most vectors.
std::vector<Packed> Pack(const SmallPlan& plan, int64_t n) {
  const Problem& p = plan.p;
  const bool forward = p.direction == Direction::kForward;
  const int64_t c = plan.nhwc ? p.c : 1, oh = plan.oh, ow = plan.ow;
  const Shape s = UnitShape(p);
  std::vector<TapRange> rows, cols;
  for (int64_t oy = 0; oy < oh; ++oy) rows.push_back(RowTaps(p, oy));
  for (int64_t ox = 0; ox < ow; ++ox) cols.push_back(ColTaps(p, ox));
  std::vector<std::vector<int64_t>> by_row, by_col;
  if (!forward) by_row = Covers(p, oh, true), by_col = Covers(p, ow, false);
  // Element e's taps; forward also its divisor.
  const auto taps_of = [&](int64_t e, int64_t& divisor) {
    std::vector<Tap> taps(s.rows * s.cols);
    const int64_t unit = e / s.count, pixel = e % s.count / c, ch = e % c;
    if (forward) {
      const TapRange& r = rows[pixel / ow];
      const TapRange& cc = cols[pixel % ow];
      for (int64_t ky = r.first; ky < r.last; ++ky) {
        for (int64_t kx = cc.first; kx < cc.last; ++kx) {
          const int64_t at = (r.start + ky * p.dilation.h) * p.w + cc.start + kx * p.dilation.w;
          taps[ky * s.cols + kx] = {unit * plan.unit_in + at * c + ch, at};
        }
      }
      divisor = AvgDivisor(p, r.start, cc.start, (r.last - r.first) * (cc.last - cc.first));
    } else {
      const auto& ys = by_row[pixel / p.w];
      const auto& xs = by_col[pixel % p.w];
      for (size_t j = 0; j < ys.size(); ++j) {
        for (size_t k = 0; k < xs.size(); ++k) {
          taps[j * s.cols + k] = {unit * plan.unit_out + (ys[j] * ow + xs[k]) * c + ch, 0};
        }
      }
    }
    return taps;
  };
  const auto fresh = [&] {
    Packed v;
    v.lo.assign(s.rows, std::numeric_limits<int64_t>::max());
    v.hi.assign(s.rows, std::numeric_limits<int64_t>::min());
    return v;
  };
  // Widens lo and hi to the valid taps of each row.
  const auto widen = [&](const std::vector<Tap>& taps, std::vector<int64_t>& lo,
                         std::vector<int64_t>& hi) {
    for (int64_t j = 0; j < s.rows; ++j) {
      for (int64_t k = 0; k < s.cols; ++k) {
        const Tap& tap = taps[j * s.cols + k];
        if (tap.offset < 0) continue;
        lo[j] = std::min(lo[j], tap.offset);
        hi[j] = std::max(hi[j], tap.offset);
      }
    }
  };
  const int64_t limit = kWindowVectors * plan.lanes;
  std::vector<Packed> packed = {fresh()};
  for (int64_t e = 0; e < n * s.count; ++e) {
    int64_t divisor = 1;
    std::vector<Tap> taps = taps_of(e, divisor);
    Packed* v = &packed.back();
    std::vector<int64_t> lo = v->lo, hi = v->hi;
    widen(taps, lo, hi);
    bool fits = static_cast<int64_t>(v->lanes.size()) < plan.lanes;
    for (int64_t j = 0; j < s.rows && fits; ++j) fits = lo[j] > hi[j] || hi[j] - lo[j] < limit;
    if (!fits) {
      v = &packed.emplace_back(fresh());
      lo = v->lo, hi = v->hi;
      widen(taps, lo, hi);
    }
    v->lanes.push_back(std::move(taps));
    v->divisors.push_back(divisor);
    v->lo = std::move(lo), v->hi = std::move(hi);
  }
  return packed;
}

// Vectors of the widest tap row of `packed`.
int64_t Window(const std::vector<Packed>& packed, int64_t lanes) {
  int64_t widest = 1;
  for (const Packed& v : packed) {
    for (size_t j = 0; j < v.lo.size(); ++j) {
      if (v.lo[j] <= v.hi[j]) widest = std::max(widest, v.hi[j] - v.lo[j] + 1);
    }
  }
  return (widest + lanes - 1) / lanes;
}

// The table of `n` units from their packed vectors, with windows of `window` vectors.
template <class TI>
void Fill(const SmallPlan& plan, int64_t n, const std::vector<Packed>& packed, int64_t window,
          LaneTable& t) {
  const Problem& p = plan.p;
  const bool forward = p.direction == Direction::kForward, index = p.indices;
  const int64_t lanes = plan.lanes, c = plan.nhwc ? p.c : 1;
  const Shape s = UnitShape(p);
  t.units = n;
  t.count = n * s.count;
  t.window = window;
  // The source: the group's input forward, its outputs' shares backward. A window starts at
  // its row's lowest offset, moved back so as not to read past the source where it can (a
  // source shorter than a window is read past its end by less than a vector, which the buffers
  // allow).
  const int64_t source = forward ? n * plan.unit_in : n * plan.unit_out;
  const int64_t span = window * lanes;
  int64_t first = 0, taps = 0;
  for (const Packed& v : packed) {
    const int64_t used = static_cast<int64_t>(v.lanes.size()), head = t.program.size();
    t.program.insert(t.program.end(), {first, used, 0, 0});
    bool masked = false;
    const int64_t vector_taps = taps;
    for (int64_t j = 0; j < s.rows; ++j) {
      if (v.lo[j] > v.hi[j]) continue;  // no lane has a tap in this row
      const int64_t base = source >= span ? std::min(v.lo[j], source - span) : 0;
      const int64_t row_taps = taps;
      for (int64_t k = 0; k < s.cols; ++k) {
        // A lane with this tap stands in for the lanes past `used`.
        const Tap* valid = nullptr;
        for (const auto& lane : v.lanes) {
          if (lane[j * s.cols + k].offset >= 0) valid = &lane[j * s.cols + k];
        }
        if (!valid) continue;
        for (int64_t i = 0; i < lanes; ++i) {
          const Tap& tap = i < used ? v.lanes[i][j * s.cols + k] : *valid;
          masked = masked || tap.offset < 0;
          Append<TI>(t.lane_index32, t.lane_index64, tap.offset < 0 ? -1 : tap.offset - base);
          if (index) Append<TI>(t.plane_index32, t.plane_index64, tap.index);
        }
        ++taps;
      }
      t.program.insert(t.program.end(), {base, taps - row_taps});
      ++t.program[head + 3];
    }
    t.program[head + 2] = masked;
    t.most_taps = std::max(t.most_taps, taps - vector_taps);
    for (int64_t i = 0; i < lanes; ++i) {
      const int64_t lane = std::min(i, used - 1);
      if (index) {
        const auto& lane_taps = v.lanes[lane];
        const auto tap = std::find_if(lane_taps.begin(), lane_taps.end(),
                                      [](const Tap& tap) { return tap.offset >= 0; });
        Append<TI>(t.element_index32, t.element_index64, tap->index);
      }
      if (forward && p.op == Op::kAvg) {
        const int64_t div = v.divisors[lane];
        t.scale_f32.push_back(static_cast<float>(1.0 / static_cast<double>(div)));
        t.scale_f64.push_back(1.0 / static_cast<double>(div));
        t.divisor.push_back(div);
      }
    }
    ++t.vectors;
    first += used;
  }
  if (forward) return;
  // Avg backward: every output's divisor, by output of the group, and zeros past them.
  for (int64_t unit = 0; unit < n; ++unit) {
    for (int64_t oy = 0; oy < plan.oh; ++oy) {
      const TapRange r = RowTaps(p, oy);
      for (int64_t ox = 0; ox < plan.ow; ++ox) {
        const TapRange cc = ColTaps(p, ox);
        const int64_t div =
            AvgDivisor(p, r.start, cc.start, (r.last - r.first) * (cc.last - cc.first));
        for (int64_t ch = 0; ch < c; ++ch) {
          t.scale_f32.push_back(static_cast<float>(1.0 / static_cast<double>(div)));
          t.scale_f64.push_back(1.0 / static_cast<double>(div));
          t.divisor.push_back(div);
        }
      }
    }
  }
  t.scale_f32.resize(t.scale_f32.size() + span);
  t.scale_f64.resize(t.scale_f64.size() + span);
}

}  // namespace

bool SmallPlan::Suits(const Problem& problem) {
  const Problem p = AsKernelsSeeIt(problem);
  const int64_t lanes = KernelLanes(p);
  const bool nhwc = p.layout == Layout::kNHWC;
  if ((nhwc ? p.c : OutputW(p)) >= lanes) return false;
  // NCHW global pooling of planes of a vector or more reduces each plane in vectors of its own
  // (GlobalPlanes).
  const TapRange r = RowTaps(p, 0), cc = ColTaps(p, 0);
  if (!nhwc && OutputH(p) == 1 && OutputW(p) == 1 && r.last - r.first == p.h &&
      cc.last - cc.first == p.w && p.h * p.w >= lanes) {
    return false;
  }
  if (p.direction == Direction::kBackward && p.op == Op::kMax) {
    return p.h * p.w * (nhwc ? p.c : 1) * SizeOf(p.dtype) <= kMaxScatterUnitBytes;
  }
  const Shape s = UnitShape(p);
  return s.row_span <= kWindowVectors * lanes && s.count * s.rows * s.cols <= kMaxTaps;
}

SmallPlan::SmallPlan(const Problem& problem) : p(AsKernelsSeeIt(problem)), lanes(KernelLanes(p)) {
  nhwc = p.layout == Layout::kNHWC;
  oh = OutputH(p);
  ow = OutputW(p);
  const int64_t c = nhwc ? p.c : 1;
  unit_in = p.h * p.w * c;
  unit_out = oh * ow * c;
  units = nhwc ? p.n : p.n * p.c;
  if (p.direction == Direction::kBackward && p.op == Op::kMax) {
    group = 1;
    groups = units;
    zero_batch = std::max<int64_t>(1, (32 << 10) / (unit_in * SizeOf(p.dtype)));
    const auto once = [](const std::vector<std::vector<int64_t>>& covers) {
      return std::all_of(covers.begin(), covers.end(), [](const auto& c) { return c.size() <= 1; });
    };
    tiles = once(Covers(p, oh, true)) && once(Covers(p, ow, false));
    return;
  }
  // Units enough to fill a few vectors, as many as the tables may hold.
  const Shape s = UnitShape(p);
  group = std::clamp(kGroupVectors * lanes / s.count, int64_t{1}, units);
  group = std::min(group, std::max<int64_t>(1, kMaxTaps / (s.count * s.rows * s.cols)));
  groups = units / group;
  const int64_t rest = units % group;
  std::vector<Packed> main, last;
  if (groups > 0) main = Pack(*this, group);
  if (rest > 0) last = Pack(*this, rest);
  // One window size for both tables, so that one kernel serves them.
  const int64_t window = std::max(Window(main, lanes), Window(last, lanes));
  const auto fill = [&](int64_t n, const std::vector<Packed>& packed, LaneTable& t) {
    if (SizeOf(p.dtype) == 8) {
      Fill<int64_t>(*this, n, packed, window, t);
    } else {
      Fill<int32_t>(*this, n, packed, window, t);
    }
  };
  if (groups > 0) fill(group, main, table);
  if (rest > 0) fill(rest, last, tail);
}

int64_t SmallPlan::WorkUnits() const {
  if (p.direction == Direction::kBackward && p.op == Op::kMax) return units;
  return groups + (tail.units > 0 ? 1 : 0);
}

int64_t SmallPlan::OneThreadNanos() const {
  // Picoseconds per input byte at one thread, measured as Plan::OneThreadNanos's (on 1024 planes
  // of 6x6).
  int64_t ps = 0;
  if (p.direction == Direction::kForward) {
    ps = p.op == Op::kAvg ? 70 : p.indices ? 77 : 46;
  } else {
    ps = p.op == Op::kAvg ? 156 : tiles ? 64 : 105;
  }
  return InputElements(p) * SizeOf(p.dtype) * ps / 1000;
}

int64_t SmallPlan::ScratchBytes() const {
  if (p.direction == Direction::kForward || p.op == Op::kMax || p.dtype != DType::kI32) return 0;
  return (group * unit_out + kWindowVectors * lanes) * SizeOf(p.dtype);
}

std::string SmallPlan::Describe() const {
  const std::string unit = nhwc ? "image" : "plane";
  std::string s = (nhwc ? "nhwc small " : "nchw small ") + unit + "s";
  if (p.direction == Direction::kBackward && p.op == Op::kMax) {
    return s + ", each zeroed, then every gradient " +
           (tiles ? "stored at its index (tiles)" : "added at its index");
  }
  const auto plural = [](int64_t n, const std::string& what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  const LaneTable& t = groups > 0 ? table : tail;
  if (WorkUnits() == 1) {
    s += ", the whole problem in one table";
  } else {
    s += ", tables of " + plural(group, unit) + " (" + plural(groups, "table") +
         (tail.units > 0 ? ", then one of " + plural(tail.units, unit) : "") + ")";
  }
  s += ": " + plural(t.vectors, "vector") + " of up to " + std::to_string(lanes) +
       " lanes, each tap picked from a window of " + plural(t.window, "vector") + " by permutes";
  if (p.direction == Direction::kForward) return s + ", up to " + plural(t.most_taps, "tap");
  return s + ", the inputs gathering up to " + plural(t.most_taps, "share");
}

}  // namespace poolbench::simd
