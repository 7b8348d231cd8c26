// onednn: max and average pooling, forward and backward, by oneDNN's pooling_v2 primitives
// (Intel's production deep-learning kernel library, the one PyTorch and TensorFlow use on x86).
//
// The technique is the library's: this file only translates a poolbench problem into oneDNN
// memory descriptors and a pooling descriptor, and runs the primitive on the harness's own
// buffers. Memory objects are created once in Prepare without storage and pointed at the
// caller's buffers in Run, so nothing is copied or reordered: NCHW problems use oneDNN's
// `nchw` format tag and NHWC problems its `nhwc` tag, whichever kernel oneDNN picks for them.
//
// Where oneDNN's meaning differs from poolbench's (PyTorch's), this strategy says so instead of
// patching the result: Supports() refuses the problems it would get wrong and Domain() leaves
// out the input values it does not honour. Each deviation below was found by the cross-check.
#include <omp.h>

#include <cstdint>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "poolbench/named_strategy.hpp"
#include "poolbench/plugin.hpp"

namespace poolbench_onednn {
namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;
using poolbench::Buffers;
using poolbench::Direction;
using poolbench::DType;
using poolbench::Layout;
using poolbench::Op;
using poolbench::Problem;
using poolbench::Support;

// One CPU engine for the whole plugin. Created on first use, so loading the plugin costs
// nothing; kernels hold their own reference to it.
const dnnl::engine& Engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// Debian builds oneDNN with the OpenMP runtime, whose only thread setting is OpenMP's global
// one: oneDNN parallelises over omp_get_max_threads() threads, both when it sizes a primitive's
// per-thread scratch (at descriptor creation) and when it runs. So a kernel sets the thread count
// around descriptor creation and around every Run, and restores the caller's setting after:
// the harness sets no OpenMP state, and strategies must not leave any behind. The pair of calls
// costs a few nanoseconds, well under the cost of any pooling run.
static_assert(DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP,
              "this strategy sets oneDNN's threads through OpenMP; another CPU runtime needs "
              "its own thread handling");
class OmpThreads {
 public:
  explicit OmpThreads(int threads) : previous_(omp_get_max_threads()) {
    omp_set_num_threads(threads);
  }
  ~OmpThreads() { omp_set_num_threads(previous_); }
  OmpThreads(const OmpThreads&) = delete;
  OmpThreads& operator=(const OmpThreads&) = delete;

 private:
  int previous_;
};

// A poolbench problem in oneDNN's terms.
struct Geometry {
  memory::desc src, dst;
  memory::dims strides, kernel, dilation, padding_l, padding_r;
  algorithm alg = algorithm::pooling_max;
};

// oneDNN takes a right padding of its own instead of a ceil mode: the output size is
// (in + padding_l + padding_r - effective_kernel) / stride + 1. The right padding that makes it
// poolbench's output size puts the end of the last window exactly at in + padding_r. It is at
// most the left padding in floor mode (it may be negative, which oneDNN accepts down to
// 1 - stride, when the stride leaves input at the end unused) and up to stride - 1 more with
// ceil_mode.
int64_t RightPadding(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                     int64_t dilation) {
  const int64_t effective_kernel = (kernel - 1) * dilation + 1;
  return (out - 1) * stride + effective_kernel - in - padding;
}

Geometry Describe(const Problem& p) {
  const int64_t oh = poolbench::OutputH(p), ow = poolbench::OutputW(p);
  const memory::format_tag tag =
      p.layout == Layout::kNCHW ? memory::format_tag::nchw : memory::format_tag::nhwc;
  // Supports() admits f32 only.
  const memory::data_type dt = memory::data_type::f32;
  Geometry g;
  g.src = memory::desc({p.n, p.c, p.h, p.w}, dt, tag);
  g.dst = memory::desc({p.n, p.c, oh, ow}, dt, tag);
  g.strides = {p.stride.h, p.stride.w};
  g.kernel = {p.kernel.h, p.kernel.w};
  // oneDNN counts dilation as the gap between taps: 0 is a dense window, PyTorch's 1. A
  // one-tap axis has no gaps, so its dilation is dropped (see Supports()).
  g.dilation = {p.kernel.h > 1 ? p.dilation.h - 1 : 0, p.kernel.w > 1 ? p.dilation.w - 1 : 0};
  g.padding_l = {p.padding.h, p.padding.w};
  g.padding_r = {RightPadding(p.h, oh, p.kernel.h, p.stride.h, p.padding.h, p.dilation.h),
                 RightPadding(p.w, ow, p.kernel.w, p.stride.w, p.padding.w, p.dilation.w)};
  if (p.op == Op::kMax) {
    g.alg = algorithm::pooling_max;
  } else {
    g.alg = p.count_include_pad ? algorithm::pooling_avg_include_padding
                                : algorithm::pooling_avg_exclude_padding;
  }
  return g;
}

// The forward primitive descriptor: inference for a forward problem, training (which also
// writes the max workspace) as the hint and the saved forward of a backward one.
dnnl::pooling_v2_forward::primitive_desc ForwardDesc(const Geometry& g, prop_kind kind) {
  const dnnl::pooling_v2_forward::desc d(kind, g.alg, g.src, g.dst, g.strides, g.kernel, g.dilation,
                                         g.padding_l, g.padding_r);
  return {d, Engine()};
}

dnnl::pooling_v2_backward::primitive_desc BackwardDesc(
    const Geometry& g, const dnnl::pooling_v2_forward::primitive_desc& hint) {
  const dnnl::pooling_v2_backward::desc d(g.alg, g.src, g.dst, g.strides, g.kernel, g.dilation,
                                          g.padding_l, g.padding_r);
  return {d, Engine(), hint};
}

// A memory object without storage; Run points it at the caller's buffer. Memory objects are
// shared handles, so the argument maps built in Prepare see every new data handle, and Run
// builds no map (which costs allocations, a tenth of the run of an 8x8 plane).
memory Unbound(const memory::desc& md) { return memory(md, Engine(), DNNL_MEMORY_NONE); }

// oneDNN only reads its source operands, so handing it the harness's const buffers is safe (the
// harness guards them and would report a write).
void* Mutable(const void* p) { return const_cast<void*>(p); }

class ForwardKernel final : public poolbench::Kernel {
 public:
  ForwardKernel(const Geometry& g, int threads) : threads_(threads), stream_(Engine()) {
    const OmpThreads scope(threads_);
    const auto pd = ForwardDesc(g, prop_kind::forward_inference);
    primitive_ = dnnl::pooling_v2_forward(pd);
    src_ = Unbound(pd.src_desc());
    dst_ = Unbound(pd.dst_desc());
    args_ = {{DNNL_ARG_SRC, src_}, {DNNL_ARG_DST, dst_}};
  }

  void Run(const Buffers& b) override {
    const OmpThreads scope(threads_);
    src_.set_data_handle(Mutable(b.src));
    dst_.set_data_handle(b.dst);
    primitive_.execute(stream_, args_);
    stream_.wait();
  }

 private:
  int threads_;
  dnnl::stream stream_;
  dnnl::primitive primitive_;
  memory src_, dst_;
  std::unordered_map<int, memory> args_;
};

// Max backward reads the workspace its own training forward wrote (the winner's position in
// each window, in oneDNN's format); avg backward needs nothing from the forward.
class BackwardKernel final : public poolbench::Kernel {
 public:
  BackwardKernel(const Geometry& g, bool max, int threads) : threads_(threads), stream_(Engine()) {
    const OmpThreads scope(threads_);
    const auto fwd_pd = ForwardDesc(g, prop_kind::forward_training);
    const auto bwd_pd = BackwardDesc(g, fwd_pd);
    backward_ = dnnl::pooling_v2_backward(bwd_pd);
    diff_dst_ = Unbound(bwd_pd.diff_dst_desc());
    diff_src_ = Unbound(bwd_pd.diff_src_desc());
    backward_args_ = {{DNNL_ARG_DIFF_DST, diff_dst_}, {DNNL_ARG_DIFF_SRC, diff_src_}};
    if (max) {
      forward_ = dnnl::pooling_v2_forward(fwd_pd);
      src_ = Unbound(fwd_pd.src_desc());
      // The training forward must write a dst, which a backward problem has no buffer for:
      // the kernel owns one, used only by the untimed SaveForward.
      saved_dst_ = memory(fwd_pd.dst_desc(), Engine());
      workspace_ = Unbound(fwd_pd.workspace_desc());
      workspace_bytes_ = static_cast<int64_t>(fwd_pd.workspace_desc().get_size());
      forward_args_ = {
          {DNNL_ARG_SRC, src_}, {DNNL_ARG_DST, saved_dst_}, {DNNL_ARG_WORKSPACE, workspace_}};
      backward_args_.emplace(DNNL_ARG_WORKSPACE, workspace_);
    }
  }

  poolbench::SavedForward Saves() const override {
    poolbench::SavedForward s;
    s.workspace_bytes = workspace_bytes_;
    return s;
  }

  void SaveForward(const Buffers& b) override {
    if (workspace_bytes_ == 0) return;
    const OmpThreads scope(threads_);
    src_.set_data_handle(Mutable(b.src));
    workspace_.set_data_handle(b.workspace);
    forward_.execute(stream_, forward_args_);
    stream_.wait();
  }

  void Run(const Buffers& b) override {
    const OmpThreads scope(threads_);
    diff_dst_.set_data_handle(Mutable(b.diff_dst));
    diff_src_.set_data_handle(b.diff_src);
    if (workspace_bytes_ > 0) workspace_.set_data_handle(b.workspace);
    backward_.execute(stream_, backward_args_);
    stream_.wait();
  }

 private:
  int threads_;
  dnnl::stream stream_;
  dnnl::primitive forward_, backward_;
  memory src_, saved_dst_, workspace_, diff_dst_, diff_src_;
  std::unordered_map<int, memory> forward_args_, backward_args_;
  int64_t workspace_bytes_ = 0;
};

class OneDnnPooling final : public poolbench::NamedStrategy {
 public:
  OneDnnPooling()
      : NamedStrategy(
            "onednn",
            "oneDNN 2 pooling_v2 primitives (OpenMP runtime) on the caller's f32 NCHW or NHWC "
            "buffers; max skips NaN") {}

  Support Supports(const Problem& p) const override {
    if (p.dtype == DType::kF64) return Support::No("oneDNN has no f64");
    // oneDNN's s32 pooling (its reference kernel) converts every value to float and back, so
    // values beyond 2^24 change (INT32_MAX comes back as 2147483520), averages round half to
    // even, and there is no s32 backward at all.
    if (p.dtype == DType::kI32)
      return Support::No("oneDNN pools s32 in float: values beyond 2^24 lose their low bits");
    if (p.divisor_override) return Support::No("oneDNN has no divisor override");
    if (p.indices)
      return Support::No(
          "oneDNN's max workspace holds in-window positions in its own format, not ih*W+iw "
          "indices");
    const Geometry g = Describe(p);
    if (p.op == Op::kAvg && p.count_include_pad &&
        (g.padding_r[0] > p.padding.h || g.padding_r[1] > p.padding.w))
      return Support::No(
          "ceil_mode window overhangs the padding: oneDNN divides by the whole kernel, PyTorch "
          "by the window clipped to the padded input");
    // oneDNN refuses an exclude-padding average whose gap between taps is not smaller than
    // the input, although every window still has one valid tap.
    if (p.op == Op::kAvg && !p.count_include_pad && (g.dilation[0] >= p.h || g.dilation[1] >= p.w))
      return Support::No(
          "oneDNN's exclude-padding average refuses a dilation larger than the input");
    try {
      if (p.direction == Direction::kForward) {
        ForwardDesc(g, prop_kind::forward_inference);
      } else {
        BackwardDesc(g, ForwardDesc(g, prop_kind::forward_training));
      }
    } catch (const dnnl::error& e) {
      return Support::No(std::string("oneDNN: ") + e.what());
    }
    return Support::Yes();
  }

  // oneDNN's max starts every window from the lowest finite value and replaces it only by a
  // greater tap: a NaN never wins (it is skipped), and a window whose valid taps are all -inf
  // gives -FLT_MAX, and its backward sends the gradient to the window's first tap, which may be
  // padding, instead of to the first -inf.
  // Averages follow IEEE arithmetic like poolbench's.
  poolbench::InputDomain Domain(const Problem& p) const override {
    poolbench::InputDomain d;
    if (p.op == Op::kMax) {
      d.nan = false;
      d.infinity = false;
    }
    return d;
  }

  int MaxThreads() const override { return omp_get_num_procs(); }

  std::unique_ptr<poolbench::Kernel> Prepare(const Problem& p,
                                             const poolbench::ExecContext& ctx) const override {
    try {
      const Geometry g = Describe(p);
      if (p.direction == Direction::kForward)
        return std::make_unique<ForwardKernel>(g, ctx.threads);
      return std::make_unique<BackwardKernel>(g, p.op == Op::kMax, ctx.threads);
    } catch (const dnnl::error& e) {
      throw std::runtime_error(std::string("oneDNN: ") + e.what());
    }
  }
};

}  // namespace
}  // namespace poolbench_onednn

using poolbench_onednn::OneDnnPooling;
POOLBENCH_PLUGIN_STRATEGY(OneDnnPooling);
POOLBENCH_PLUGIN();
