// xnnpack: XNNPACK's pooling operators (Debian's 2022-02-16 snapshot) as a poolbench peer.
//
// XNNPACK pools NHWC f32 tensors with an indirection buffer: for every output it records
// pointers to the input pixels of its window and reduces all channels of those pixels at once.
// Prepare creates the operator (max pooling, average pooling, or argmax pooling when indices
// are asked for) and a pthreadpool with ctx.threads threads; Run binds the buffers when they
// changed and runs the operator on the pool.
//
// Geometry. XNNPACK takes explicit top/left/bottom/right padding and computes each output size
// with the floor formula, so ceil mode is expressed as the bottom/right padding that makes
// XNNPACK's output size equal poolbench's. Its max pooling points padded taps at the nearest
// input pixel of the same window, which never changes a maximum; its average pooling reads
// zeros for padded taps and, as soon as the operator has any padding, divides by the number of
// taps inside the input. That equals poolbench's divisor with count_include_pad off, and with
// it on when the problem has no padding of its own (the extra ceil-mode padding included).
//
// What it refuses or leaves out, each found by the cross-check against the reference:
//   - NCHW, f64 and i32, backward: XNNPACK has no such pooling operators.
//   - 1x1 windows: XNNPACK's create functions refuse them.
//   - Max with dilation (on either axis) and windows that overhang the bottom or right edge: the
//     2022 operator replaces such taps by a pixel that can lie outside the window (and past the
//     input).
//   - Indices for windows of more than one row and column: XNNPACK's argmax visits a window
//     column by column and keeps the first maximum, so ties go to another tap than poolbench's
//     first in row-major order. Argmax pooling also needs stride == kernel and no dilation.
//   - Avg with dilation or a divisor override (no such parameters), or count_include_pad with
//     padding (XNNPACK never counts padded taps).
//   - NaN inputs (declared in Domain): XNNPACK's max lets a NaN win or lose depending on where
//     it sits, and every output goes through a [min, max] clamp that turns NaN into an infinity.
//   - Infinite inputs for avg (declared in Domain): +inf and -inf in one window sum to NaN,
//     which that clamp turns into -inf.
//
// Reads past the input. XNNPACK may read (never write) up to XNN_EXTRA_BYTES past the end of
// the input; poolbench's buffers are surrounded by guard zones far larger than that, so these
// reads stay inside the allocation.
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "poolbench/named_strategy.hpp"
#include "poolbench/plugin.hpp"

namespace poolbench_xnnpack {
namespace {

using poolbench::Buffers;
using poolbench::ExecContext;
using poolbench::InputDomain;
using poolbench::Op;
using poolbench::Problem;
using poolbench::Support;

// XNNPACK needs one xnn_initialize before any operator; it is idempotent and thread-safe, and
// fails on CPUs it has no kernels for.
bool XnnpackReady() {
  static const bool ready = xnn_initialize(nullptr) == xnn_status_success;
  return ready;
}

// XNNPACK's padding for one axis: the problem's own padding before the input, and after it
// the padding that makes the floor formula give poolbench's output size `out`. It is at most
// the problem's padding and less with ceil mode off; with ceil mode on it covers the last window.
struct AxisPadding {
  int64_t before = 0;
  int64_t after = 0;
};

AxisPadding PadAxis(int64_t input, int64_t kernel, int64_t stride, int64_t padding,
                    int64_t dilation, int64_t out) {
  const int64_t span = (kernel - 1) * dilation + 1;
  return {padding, std::max<int64_t>(0, (out - 1) * stride + span - input - padding)};
}

struct Padding {
  AxisPadding h, w;
};

// Argmax pooling always strides by the kernel without dilation, so its padding is computed for
// that geometry, which Supports() requires of the problem anyway.
Padding PadProblem(const Problem& p) {
  const bool argmax = p.op == Op::kMax && p.indices;
  return {PadAxis(p.h, p.kernel.h, argmax ? p.kernel.h : p.stride.h, p.padding.h,
                  argmax ? 1 : p.dilation.h, poolbench::OutputH(p)),
          PadAxis(p.w, p.kernel.w, argmax ? p.kernel.w : p.stride.w, p.padding.w,
                  argmax ? 1 : p.dilation.w, poolbench::OutputW(p))};
}

void Check(xnn_status status, const char* what) {
  if (status != xnn_status_success) {
    throw std::runtime_error(std::string("xnnpack: ") + what + " failed with status " +
                             std::to_string(static_cast<int>(status)));
  }
}

class XnnpackKernel final : public poolbench::Kernel {
 public:
  XnnpackKernel(const Problem& p, const ExecContext& ctx) : p_(p), pad_(PadProblem(p)) {
    oh_ = poolbench::OutputH(p);
    ow_ = poolbench::OutputW(p);
    // A null pool runs the operator on the calling thread, without any worker.
    if (ctx.threads > 1) {
      pool_ = pthreadpool_create(static_cast<size_t>(ctx.threads));
      if (pool_ == nullptr) throw std::runtime_error("xnnpack: pthreadpool_create failed");
    }
    const auto u32 = [](int64_t v) { return static_cast<uint32_t>(v); };
    const size_t channels = static_cast<size_t>(p.c);
    const float lo = -std::numeric_limits<float>::infinity();
    const float hi = std::numeric_limits<float>::infinity();
    xnn_status status;
    if (p.op == Op::kMax && p.indices) {
      status = xnn_create_argmax_pooling2d_nhwc_f32(
          u32(pad_.h.before), u32(pad_.w.after), u32(pad_.h.after), u32(pad_.w.before),
          u32(p.kernel.h), u32(p.kernel.w), channels, channels, channels, 0, &op_);
      // XNNPACK writes uint32 window positions; Run turns them into poolbench's indices.
      positions_.resize(static_cast<size_t>(p.n * oh_ * ow_ * p.c));
      // XNNPACK counts a window's taps column by column: position k is tap (k % kh, k / kh).
      // A table of the taps spares Run two divisions per output.
      for (int64_t k = 0; k < p.kernel.h * p.kernel.w; ++k) {
        tap_row_.push_back(k % p.kernel.h);
        tap_col_.push_back(k / p.kernel.h);
      }
    } else if (p.op == Op::kMax) {
      status = xnn_create_max_pooling2d_nhwc_f32(
          u32(pad_.h.before), u32(pad_.w.after), u32(pad_.h.after), u32(pad_.w.before),
          u32(p.kernel.h), u32(p.kernel.w), u32(p.stride.h), u32(p.stride.w), u32(p.dilation.h),
          u32(p.dilation.w), channels, channels, channels, lo, hi, 0, &op_);
    } else {
      status = xnn_create_average_pooling2d_nhwc_f32(
          u32(pad_.h.before), u32(pad_.w.after), u32(pad_.h.after), u32(pad_.w.before),
          u32(p.kernel.h), u32(p.kernel.w), u32(p.stride.h), u32(p.stride.w), channels, channels,
          channels, lo, hi, 0, &op_);
    }
    if (status != xnn_status_success) {
      pthreadpool_destroy(pool_);
      Check(status, "creating the pooling operator");
    }
    // The first setup of a shape builds XNNPACK's indirection buffer, a pointer per tap of every
    // output (160 ms and 128 MiB for a 4096x4096 plane); later setups only shift those pointers
    // by the distance between the old and the new input. The buffers are unknown until Run, so
    // the first setup binds a placeholder input, and Run's rebinding to the real buffers costs
    // about a microsecond. The placeholder is a real allocation of the input's size because
    // average pooling tells padded taps from pixels by comparing pointers with its zero buffer,
    // which the placeholder's range must not overlap. Setup never touches its pages.
    const auto placeholder_src =
        std::make_unique_for_overwrite<float[]>(static_cast<size_t>(poolbench::InputElements(p)));
    Buffers placeholder;
    placeholder.src = placeholder_src.get();
    placeholder.dst = &placeholder_dst_;
    Bind(placeholder);
  }

  ~XnnpackKernel() override {
    xnn_delete_operator(op_);
    pthreadpool_destroy(pool_);  // Accepts null.
  }

  XnnpackKernel(const XnnpackKernel&) = delete;
  XnnpackKernel& operator=(const XnnpackKernel&) = delete;

  void Run(const Buffers& b) override {
    // Setup binds the buffers to the operator; the harness reuses its buffers from one Run to
    // the next, so this happens on the first Run and whenever they change.
    if (b.src != bound_src_ || b.dst != bound_dst_) Bind(b);
    Check(xnn_run_operator(op_, pool_), "xnn_run_operator");
    if (p_.indices) {
      // Part of the timed call: poolbench's indices are int64 offsets in the plane, XNNPACK's
      // are uint32 positions in the window. The conversion runs on the same pool.
      indices_ = b.indices;
      pthreadpool_parallelize_1d(pool_, &XnnpackKernel::ConvertRow, this,
                                 static_cast<size_t>(p_.n * oh_), 0);
    }
  }

 private:
  void Bind(const Buffers& b) {
    const auto* src = static_cast<const float*>(b.src);
    auto* dst = static_cast<float*>(b.dst);
    const size_t n = static_cast<size_t>(p_.n), h = static_cast<size_t>(p_.h),
                 w = static_cast<size_t>(p_.w);
    if (p_.op == Op::kMax && p_.indices) {
      Check(xnn_setup_argmax_pooling2d_nhwc_f32(op_, n, h, w, src, dst, positions_.data(), pool_),
            "xnn_setup_argmax_pooling2d_nhwc_f32");
    } else if (p_.op == Op::kMax) {
      Check(xnn_setup_max_pooling2d_nhwc_f32(op_, n, h, w, src, dst, pool_),
            "xnn_setup_max_pooling2d_nhwc_f32");
    } else {
      Check(xnn_setup_average_pooling2d_nhwc_f32(op_, n, h, w, src, dst, pool_),
            "xnn_setup_average_pooling2d_nhwc_f32");
    }
    bound_src_ = b.src;
    bound_dst_ = b.dst;
  }

  // One output row (n, oy) of indices: the tap at XNNPACK's window position becomes
  // ih * W + iw. A padded tap stands for the nearest input pixel, so the coordinates are
  // clamped to the input, as XNNPACK does.
  static void ConvertRow(void* self_ptr, size_t row) {
    const auto* self = static_cast<const XnnpackKernel*>(self_ptr);
    const Problem& p = self->p_;
    const int64_t oy = static_cast<int64_t>(row) % self->oh_;
    const int64_t y0 = oy * p.kernel.h - self->pad_.h.before;
    const int64_t row_size = self->ow_ * p.c;
    const uint32_t* pos = self->positions_.data() + row * row_size;
    int64_t* out = self->indices_ + row * row_size;
    const int64_t* tap_row = self->tap_row_.data();
    const int64_t* tap_col = self->tap_col_.data();
    for (int64_t ox = 0; ox < self->ow_; ++ox) {
      const int64_t x0 = ox * p.kernel.w - self->pad_.w.before;
      for (int64_t c = 0; c < p.c; ++c) {
        const uint32_t k = pos[ox * p.c + c];
        const int64_t ih = std::clamp<int64_t>(y0 + tap_row[k], 0, p.h - 1);
        const int64_t iw = std::clamp<int64_t>(x0 + tap_col[k], 0, p.w - 1);
        out[ox * p.c + c] = ih * p.w + iw;
      }
    }
  }

  Problem p_;
  Padding pad_;
  int64_t oh_ = 0, ow_ = 0;
  pthreadpool_t pool_ = nullptr;
  xnn_operator_t op_ = nullptr;
  const void* bound_src_ = nullptr;
  const void* bound_dst_ = nullptr;
  std::vector<uint32_t> positions_;
  std::vector<int64_t> tap_row_, tap_col_;
  int64_t* indices_ = nullptr;
  float placeholder_dst_ = 0;
};

class Xnnpack final : public poolbench::NamedStrategy {
 public:
  Xnnpack()
      : NamedStrategy(
            "xnnpack",
            "XNNPACK (2022) NHWC f32 max/avg/argmax pooling operators on a pthreadpool; argmax "
            "window positions are converted to ih*W+iw inside Run") {}

  Support Supports(const Problem& p) const override {
    if (p.direction != poolbench::Direction::kForward) {
      return Support::No("forward only: XNNPACK has no pooling backward");
    }
    if (p.layout != poolbench::Layout::kNHWC) return Support::No("XNNPACK pools NHWC only");
    if (p.dtype != poolbench::DType::kF32) return Support::No("XNNPACK pools f32 only");
    if (p.kernel.h * p.kernel.w == 1) return Support::No("XNNPACK refuses 1x1 windows");
    // XNNPACK takes every window parameter, and the window's size, as uint32.
    constexpr int64_t kMax32 = std::numeric_limits<uint32_t>::max();
    const Padding pad = PadProblem(p);
    for (int64_t v : {p.kernel.h, p.kernel.w, p.stride.h, p.stride.w, p.dilation.h, p.dilation.w,
                      pad.h.before, pad.h.after, pad.w.before, pad.w.after}) {
      if (v > kMax32) return Support::No("XNNPACK takes window parameters as uint32");
    }
    if (p.kernel.h > kMax32 / p.kernel.w) {
      return Support::No("XNNPACK takes window sizes as uint32");
    }
    const bool dilated = p.dilation.h > 1 || p.dilation.w > 1;
    if (p.op == Op::kAvg) {
      if (dilated) return Support::No("XNNPACK average pooling has no dilation");
      if (p.divisor_override) return Support::No("XNNPACK average pooling has no divisor override");
      if (p.count_include_pad && (p.padding.h > 0 || p.padding.w > 0)) {
        return Support::No("XNNPACK never counts padded taps (count_include_pad needs no padding)");
      }
    } else if (p.indices) {
      if (p.stride != p.kernel || dilated) {
        return Support::No("XNNPACK argmax pooling needs stride == kernel and no dilation");
      }
      if (p.kernel.h > 1 && p.kernel.w > 1) {
        return Support::No("XNNPACK argmax breaks ties column by column: 1-D windows only");
      }
    } else if (dilated) {
      if (pad.h.after > 0 || pad.w.after > 0) {
        return Support::No(
            "XNNPACK 2022 reads outside dilated windows that overhang the bottom or right edge");
      }
    }
    if (!XnnpackReady()) return Support::No("XNNPACK has no kernels for this CPU");
    return Support::Yes();
  }

  InputDomain Domain(const Problem& p) const override {
    InputDomain d;
    // XNNPACK's max keeps or drops a NaN depending on where it sits in the window, and the
    // output clamp of every operator turns a NaN result into an infinity.
    d.nan = false;
    // Avg: +inf and -inf in one window sum to NaN, which the clamp turns into -inf.
    d.infinity = p.op == Op::kMax;
    return d;
  }

  std::unique_ptr<poolbench::Kernel> Prepare(const Problem& p,
                                             const ExecContext& ctx) const override {
    return std::make_unique<XnnpackKernel>(p, ctx);
  }

  int MaxThreads() const override {
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
};

POOLBENCH_PLUGIN_STRATEGY(Xnnpack);

}  // namespace
}  // namespace poolbench_xnnpack

POOLBENCH_PLUGIN();
