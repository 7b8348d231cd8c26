// libtorch: PyTorch's own CPU pooling kernels (ATen, from libtorch 1.13) as a poolbench peer.
//
// poolbench's semantics are PyTorch's, so this strategy is the closest a production library
// comes to the reference: the same max rule (a NaN wins as the last NaN of the window, ties
// stay with the first tap), the same ih * W + iw indices, the same avg divisors and ceil-mode
// output sizes. What it measures is ATen's kernels, nothing of ours:
//   - The caller's buffers are wrapped, never copied. Prepare builds one tensor per buffer
//     role with the problem's sizes and the strides of its layout (NHWC memory is an NCHW
//     tensor with channels-last strides) over a storage without memory; Run points those
//     storages at the caller's buffers and calls one ATen `_out` operator, which writes into
//     them directly. Because the strides are exactly those ATen itself gives a contiguous or
//     channels-last tensor, its kernels neither restride, resize nor copy (`.contiguous()` on
//     them returns the same tensor); that was verified with a counting CPU allocator on
//     shapes with C, H, W or the output equal to 1, in both layouts: no allocation in any op.
//   - Max forward without indices still writes indices: ATen's only CPU max pooling kernel is
//     max_pool2d_with_indices (at::max_pool2d calls it and drops them), so Run gives it an
//     index tensor allocated in Prepare, as at::max_pool2d would, and the timing includes that.
//   - Max backward scatters through the indices of its own forward (Saves().indices), as
//     PyTorch's autograd does.
//
// Threads: ATen's intra-op parallelism here is OpenMP (libgomp, the runtime the harness and
// openmp_parallel use too, so there is one thread pool, not two fighting for the cores). Its
// parallel regions carry no num_threads clause; they use the calling thread's OpenMP thread
// count, which at::set_num_threads sets. That call is too expensive for Run: with more than one
// thread it also rebuilds ATen's pthreadpool, creating and joining a thread (170 us measured
// on the 2-core test machine). So Prepare makes it, and Run only compares at::get_num_threads()
// with ctx.threads (30 ns with the InferenceMode guard) and sets it again only if something
// changed the count in between, such as a kernel prepared for another thread count. The
// OpenMP count stays at ctx.threads on the calling thread afterwards; the harness and the
// in-tree OpenMP strategies pass num_threads clauses, so they do not depend on it.
// ATen 1.13 splits its pooling loops by output element, so a single plane is shared between
// threads too, and it opens a parallel region with every thread however small the problem:
// with two threads an 8 x 8 plane costs the wake-up of the second thread (1.7 us instead of
// 0.3 us).
//
// Only the per-operator headers of the operators used are included, not <ATen/ATen.h>: that
// halves the compile time of this file.
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/avg_pool2d.h>
#include <ATen/ops/avg_pool2d_backward.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/empty_like.h>
#include <ATen/ops/empty_strided.h>
#include <ATen/ops/max_pool2d_with_indices.h>
#include <ATen/ops/max_pool2d_with_indices_backward.h>
#include <c10/core/InferenceMode.h>

#include <array>
#include <climits>
#include <thread>
#include <vector>

#include "poolbench/named_strategy.hpp"
#include "poolbench/plugin.hpp"

namespace poolbench_libtorch {
namespace {

using poolbench::Buffers;
using poolbench::Direction;
using poolbench::DType;
using poolbench::Layout;
using poolbench::Op;
using poolbench::Problem;
using poolbench::Support;

at::ScalarType ScalarTypeOf(DType t) {
  switch (t) {
    case DType::kF32:
      return at::kFloat;
    case DType::kF64:
      return at::kDouble;
    case DType::kI32:
      return at::kInt;
    case DType::kU8:  // not implemented here (Implements() is the default), but named truly
      return at::kByte;
  }
  return at::kFloat;
}

// The strides, in elements, of an N x C x H x W tensor stored in `layout`: contiguous NCHW,
// or channels last (NHWC memory), exactly as ATen computes them for its own tensors.
std::array<int64_t, 4> Strides(Layout layout, int64_t c, int64_t h, int64_t w) {
  if (layout == Layout::kNHWC) return {h * w * c, 1, w * c, c};
  return {c * h * w, h * w, w, 1};
}

// A tensor of the given sizes, strides and type over a storage that owns no memory yet: Run
// points it at a caller's buffer (Point). Building it here keeps the tensor construction out of
// the timed region.
at::Tensor Unbound(at::ScalarType type, at::IntArrayRef sizes, at::IntArrayRef strides) {
  int64_t elements = 1;
  for (int64_t s : sizes) elements *= s;
  c10::Storage storage(c10::Storage::use_byte_size_t(), elements * c10::elementSize(type),
                       at::DataPtr(nullptr, at::Device(at::kCPU)), /*allocator=*/nullptr,
                       /*resizable=*/false);
  return at::empty({0}, at::TensorOptions().dtype(type)).set_(storage, 0, sizes, strides);
}

// Makes `t` a view of the caller-owned `data` (not owned: no deleter). ATen never writes
// through the input views.
void Point(const at::Tensor& t, const void* data) {
  t.storage().set_data_ptr_noswap(at::DataPtr(const_cast<void*>(data), at::Device(at::kCPU)));
}

class TorchKernel final : public poolbench::Kernel {
 public:
  // ATen's thread count back at one: with more, at::set_num_threads keeps a pthreadpool
  // thread running, and a strategy's threads must be gone once its kernel is (the harness
  // fails a strategy that leaves one running; OpenMP's idle pool it stops itself).
  ~TorchKernel() override {
    if (at::get_num_threads() != 1) at::set_num_threads(1);
  }

  TorchKernel(const Problem& p, int threads) : p_(p), threads_(threads) {
    // Inference tensors skip autograd's version counting; the guard must be active wherever
    // they are created or used.
    c10::InferenceMode inference;
    at::set_num_threads(threads_);
    const at::ScalarType type = ScalarTypeOf(p.dtype);
    const int64_t oh = poolbench::OutputH(p), ow = poolbench::OutputW(p);
    const std::array<int64_t, 4> in_sizes{p.n, p.c, p.h, p.w}, out_sizes{p.n, p.c, oh, ow};
    const auto in_strides = Strides(p.layout, p.c, p.h, p.w);
    const auto out_strides = Strides(p.layout, p.c, oh, ow);
    input_ = Unbound(type, in_sizes, in_strides);
    output_ = Unbound(type, out_sizes, out_strides);
    if (p.direction == Direction::kBackward) grad_input_ = Unbound(type, in_sizes, in_strides);
    if (p.op == Op::kMax) {
      if (p.direction == Direction::kForward && !p.indices) {
        // See the top comment: ATen's max pooling always writes indices.
        indices_ = at::empty_strided(out_sizes, out_strides, at::TensorOptions().dtype(at::kLong));
        own_indices_ = true;
      } else {
        indices_ = Unbound(at::kLong, out_sizes, out_strides);
      }
    }
  }

  void Run(const Buffers& b) override {
    c10::InferenceMode inference;
    if (at::get_num_threads() != threads_) at::set_num_threads(threads_);
    Point(input_, b.src);
    if (p_.direction == Direction::kForward) {
      Point(output_, b.dst);
      if (p_.op == Op::kMax) {
        if (!own_indices_) Point(indices_, b.indices);
        at::max_pool2d_with_indices_out(output_, indices_, input_, kernel(), stride(), padding(),
                                        dilation(), p_.ceil_mode);
      } else {
        at::avg_pool2d_out(output_, input_, kernel(), stride(), padding(), p_.ceil_mode,
                           p_.count_include_pad, divisor());
      }
    } else {
      Point(output_, b.diff_dst);
      Point(grad_input_, b.diff_src);
      if (p_.op == Op::kMax) {
        Point(indices_, b.indices);
        at::max_pool2d_with_indices_backward_out(grad_input_, output_, input_, kernel(), stride(),
                                                 padding(), dilation(), p_.ceil_mode, indices_);
      } else {
        at::avg_pool2d_backward_out(grad_input_, output_, input_, kernel(), stride(), padding(),
                                    p_.ceil_mode, p_.count_include_pad, divisor());
      }
    }
  }

  poolbench::SavedForward Saves() const override {
    poolbench::SavedForward s;
    s.indices = p_.op == Op::kMax && p_.direction == Direction::kBackward;
    return s;
  }

  // Max backward only: the forward's indices into b.indices; its values go to a scratch tensor
  // (this is untimed).
  void SaveForward(const Buffers& b) override {
    c10::InferenceMode inference;
    if (at::get_num_threads() != threads_) at::set_num_threads(threads_);
    Point(input_, b.src);
    Point(indices_, b.indices);
    at::Tensor values = at::empty_like(indices_, at::TensorOptions().dtype(input_.dtype()));
    at::max_pool2d_with_indices_out(values, indices_, input_, kernel(), stride(), padding(),
                                    dilation(), p_.ceil_mode);
  }

 private:
  at::IntArrayRef kernel() const { return {&p_.kernel.h, 2}; }
  at::IntArrayRef stride() const { return {&p_.stride.h, 2}; }
  at::IntArrayRef padding() const { return {&p_.padding.h, 2}; }
  at::IntArrayRef dilation() const { return {&p_.dilation.h, 2}; }
  c10::optional<int64_t> divisor() const {
    return p_.divisor_override ? c10::optional<int64_t>(*p_.divisor_override) : c10::nullopt;
  }

  Problem p_;
  int threads_;
  // Views of the caller's buffers by role: the input (src), the output (dst, or diff_dst in
  // backward), the input's gradient (diff_src) and the argmax indices.
  at::Tensor input_, output_, grad_input_, indices_;
  bool own_indices_ = false;
};

class LibTorch final : public poolbench::NamedStrategy {
 public:
  LibTorch()
      : NamedStrategy(
            "libtorch",
            "PyTorch's ATen CPU kernels (libtorch 1.13): max_pool2d_with_indices / avg_pool2d "
            "and their backward, _out variants writing into the caller's buffers; NCHW and "
            "channels-last; f32/f64; OpenMP threads") {}

  Support Supports(const Problem& p) const override {
    if (p.dtype == DType::kI32) {
      if (p.op == Op::kMax) {
        return Support::No(
            "libtorch 1.13 has no int32 CPU max pooling kernel (\"max_pool2d\" "
            "not implemented for 'Int')");
      }
      return Support::No(
          "libtorch 1.13 has no int32 CPU avg_pool2d kernel, and its integer "
          "averages truncate where poolbench rounds to nearest");
    }
    if (p.op == Op::kAvg && (p.dilation.h != 1 || p.dilation.w != 1)) {
      return Support::No("torch avg_pool2d has no dilation");
    }
    // ATen checks the padding against the undilated kernel; poolbench allows up to half the
    // dilated one.
    if (p.padding.h > p.kernel.h / 2 || p.padding.w > p.kernel.w / 2) {
      return Support::No("libtorch requires padding <= kernel / 2 (undilated kernel)");
    }
    // ATen narrows the window parameters to int.
    for (int64_t v : {p.kernel.h, p.kernel.w, p.stride.h, p.stride.w, p.dilation.h, p.dilation.w}) {
      if (v > INT_MAX) return Support::No("libtorch takes window parameters as 32-bit int");
    }
    // ATen's channels-last f32 max pooling keeps the running argmax in int32 vector lanes.
    if (p.op == Op::kMax && p.layout == Layout::kNHWC && p.dtype == DType::kF32 &&
        p.h * p.w > INT32_MAX) {
      return Support::No("libtorch's channels-last f32 max pooling needs H * W < 2^31");
    }
    return Support::Yes();
  }

  std::unique_ptr<poolbench::Kernel> Prepare(const Problem& p,
                                             const poolbench::ExecContext& ctx) const override {
    return std::make_unique<TorchKernel>(p, ctx.threads);
  }

  int MaxThreads() const override {
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }
};

POOLBENCH_PLUGIN_STRATEGY(LibTorch);

}  // namespace
}  // namespace poolbench_libtorch

POOLBENCH_PLUGIN();
