// The interface every pooling strategy implements (plugin ABI version 4).
//
// A strategy is stateless: it names itself, says whether it supports a problem (and why not),
// and prepares a Kernel for one problem and one execution context. Preparation (tables,
// scratch, library descriptors, layout plans, thread pools) happens outside the timed region;
// Kernel::Run is what the benchmark times.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "poolbench/problem.hpp"

namespace poolbench {

// Whether a strategy supports a problem; when not, `reason` says why in a short phrase that
// reports and skipped tests show ("stride must equal kernel").
struct Support {
  bool ok = true;
  std::string reason;

  static Support Yes() { return {}; }
  static Support No(std::string why) { return {false, std::move(why)}; }
  explicit operator bool() const { return ok; }
};

// Where and how a Kernel runs. The harness never touches a threading library's global state
// (OpenMP's thread count, a library's default pool): a strategy takes its thread count from
// here and sets up its own threads (an OpenMP num_threads clause, a pthreadpool, a library's
// stream or thread setting) in Prepare.
struct ExecContext {
  // How many threads Run may use; between 1 and the strategy's MaxThreads().
  int threads = 1;
};

// The alignment of every buffer the harness passes: SIMD and library kernels may rely on it.
inline constexpr int64_t kBufferAlignment = 64;

// Caller-owned buffers of one run, typed by Problem::dtype and laid out by Problem::layout.
// Every pointer is kBufferAlignment-aligned. The harness guards the input as well as the
// outputs, so writing into src or past any buffer is reported as a failure. Reading up to
// kBufferAlignment bytes past the end of a buffer is allowed (vector loops and some libraries
// over-read; XNNPACK reads up to 16 bytes): that much after every buffer is always readable.
//
// Forward reads src and writes every element of dst (and of indices when Problem::indices).
// Backward reads src and diff_dst and writes every element of diff_src. Max backward either
// finds the winners from src again, or uses what its own forward saved (Kernel::Saves).
//
// Shapes are written for 2-D; a 1-D problem's tensors are N x C x W, a 3-D one's N x C x D x H x W,
// and its indices are the flat offset (id * H + ih) * W + iw in the (n, c) volume.
struct Buffers {
  const void* src = nullptr;       // N x C x H x W
  void* dst = nullptr;             // N x C x OH x OW (forward)
  int64_t* indices = nullptr;      // N x C x OH x OW, flat ih * W + iw in the plane (forward,
                                   // or backward when Saves().indices)
  const void* diff_dst = nullptr;  // N x C x OH x OW (backward)
  void* diff_src = nullptr;        // N x C x H x W (backward)
  void* workspace = nullptr;       // Saves().workspace_bytes bytes (backward), else null
};

// What a backward Kernel takes from its own forward pass: the argmax indices (in the
// `indices` buffer) and/or an opaque workspace of a size it names (oneDNN's max-pooling
// workspace, for instance). The harness allocates them, calls SaveForward once outside the
// timed region, and then times Run with the same buffers.
struct SavedForward {
  bool indices = false;
  int64_t workspace_bytes = 0;
  bool any() const { return indices || workspace_bytes > 0; }
};

// A strategy prepared for one problem and context. Not required to be thread-safe: the harness
// runs one Kernel from one thread at a time (a parallel strategy parallelises inside Run).
class Kernel {
 public:
  virtual ~Kernel() = default;
  // The timed call.
  virtual void Run(const Buffers& b) = 0;
  // Backward kernels only: what Run reads from the forward pass; nothing by default, in which
  // case Run recomputes what it needs from src.
  virtual SavedForward Saves() const { return {}; }
  // Backward kernels whose Saves() asks for something: run the forward on b.src and fill
  // b.indices and/or b.workspace. Called untimed, before Run, with the same buffers.
  virtual void SaveForward(const Buffers& /*b*/) {}
  // What this kernel chose, in a short phrase ("nchw 2x2 tiling, 1 thread"), for a user to see
  // which path ran; empty when there is nothing to say.
  virtual std::string Plan() const { return {}; }
};

// Input values a strategy honours with poolbench's semantics. Production libraries deviate
// (oneDNN ignores NaN, for instance); a strategy declares that here, and the cross-check then
// leaves those values out of its inputs and says so, instead of failing or hiding it.
struct InputDomain {
  bool nan = true;       // NaN wins a max, as the last NaN of the window
  bool infinity = true;  // +-inf behave as ordinary extreme values
};

// A set of spatial ranks (1, 2, 3): the problems' ranks a strategy implements.
struct RankSet {
  uint8_t bits = 1u << 2;  // 2-D only
  static constexpr RankSet Only(int rank) { return {static_cast<uint8_t>(1u << rank)}; }
  static constexpr RankSet All() { return {(1u << 1) | (1u << 2) | (1u << 3)}; }
  constexpr bool Has(int rank) const { return rank >= 1 && rank <= 3 && (bits >> rank & 1u); }
  friend bool operator==(const RankSet&, const RankSet&) = default;
};

// What a strategy implements, stated once: the harness skips a problem outside it with the
// reason ("dtype bf16 not implemented", "3-D problems not implemented") before it calls
// Supports(), so a strategy is never asked about, nor compiled for, what it does not implement.
// The defaults are what every strategy implemented before the field existed: 2-D problems, whose
// fields (h, w, kernel.h, ...) it reads without looking at the depth axis.
struct Implemented {
  DTypeSet dtypes = DefaultDTypes::set;  // f32, f64, i32
  RankSet ranks;                         // 2-D
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // The dtypes it implements (see Implemented); a plane-wise strategy says it through its
  // PlaneStrategy's dtype list.
  virtual Implemented Implements() const { return {}; }
  // Only called with problems that pass Validate() and lie within Implements().
  virtual Support Supports(const Problem& p) const = 0;
  // Only called with problems for which Supports() is ok, and ctx.threads <= MaxThreads().
  virtual std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext& ctx) const = 0;
  virtual InputDomain Domain(const Problem&) const { return {}; }
  // The most threads Run can use: 1 for a single-threaded strategy. The benchmark times a
  // strategy at every requested thread count up to this, and single-threaded ones once.
  virtual int MaxThreads() const { return 1; }
};

// Whether `s` takes the valid problem `p`: first what it implements (a dtype outside
// Implements() is "dtype <name> not implemented", a rank outside it "<r>-D problems not
// implemented"), then its own Supports(). The harness asks this, never Supports() alone.
Support SupportOf(const Strategy& s, const Problem& p);

// A Kernel from a callable, for strategies that need no per-problem state beyond the problem.
template <class Fn>
class FunctionKernel final : public Kernel {
 public:
  explicit FunctionKernel(Fn fn) : fn_(std::move(fn)) {}
  void Run(const Buffers& b) override { fn_(b); }

 private:
  Fn fn_;
};
template <class Fn>
std::unique_ptr<Kernel> MakeKernel(Fn fn) {
  return std::make_unique<FunctionKernel<Fn>>(std::move(fn));
}

}  // namespace poolbench
