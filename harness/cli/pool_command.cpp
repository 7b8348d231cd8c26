// poolbench pool: pools a user's own .npy array with one strategy and writes the result as
// .npy, so that a NumPy user can hold poolbench against their own code.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <iostream>
#include <optional>
#include <span>
#include <stdexcept>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "io/atomic_file.hpp"
#include "io/npy.hpp"
#include "io/plugin_loader.hpp"
#include "isolate/worker.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/registry.hpp"
#include "poolbench/tensor.hpp"
#include "run/guarded_buffer.hpp"
#include "run/memory_budget.hpp"

namespace poolbench::cli {
namespace {

struct PoolOptions {
  std::string input;
  std::string kernel;
  std::string stride;
  std::string padding = "0";
  std::string dilation = "1";
  bool ceil = false;
  std::string op = "max";
  bool exclude_pad = false;
  int64_t divisor = 0;
  const CLI::Option* divisor_option = nullptr;  // tells a --divisor given from the default
  bool divisor_given() const { return divisor_option->count() > 0; }
  std::string layout = "nchw";
  std::string strategy = "naive_loops";
  std::string out;
  std::string indices;
  std::string win_counts;
  IsolationSelection isolation;
  bool verbose = false;
};

// "K" (meaning KxK) or "KHxKW", each a decimal integer. Range checks are Validate()'s, which
// names the offending axis.
bool ParsePair(const std::string& text, Pair& out) {
  auto parse = [](std::string_view s, int64_t& v) {
    if (s.empty() || s.size() > 18) return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size();
  };
  const std::string_view s = text;
  const size_t x = s.find('x');
  if (x == std::string_view::npos) {
    if (!parse(s, out.h)) return false;
    out.w = out.h;
    return true;
  }
  return parse(s.substr(0, x), out.h) && parse(s.substr(x + 1), out.w);
}

const CLI::Validator kPairValidator(
    [](std::string& text) -> std::string {
      Pair p;
      if (ParsePair(text, p)) return {};
      return "expected an integer N or NxM (height x width), got '" + text + "'";
    },
    "N[xM]");

Pair ToPair(const std::string& text) {
  Pair p;
  ParsePair(text, p);  // CLI11 has already run kPairValidator on it.
  return p;
}

// The input's shape as a problem: (H, W) is one plane; 4-D is (N, C, H, W) or (N, H, W, C).
Problem ShapeProblem(const std::string& path, const NpyArray& in, Layout layout) {
  const auto& s = in.shape;
  const std::string shape = ShapeString(s);
  if (s.size() != 2 && s.size() != 4) {
    std::string why = path + ": " + std::to_string(s.size()) + "-D array of shape " + shape +
                      "; poolbench pool takes a 2-D (H, W) array or a 4-D (N, C, H, W) or (N, H, "
                      "W, C) array";
    if (s.size() == 3) why += " (for (C, H, W), save a[None], of shape (1, C, H, W))";
    throw std::invalid_argument(why);
  }
  for (int64_t d : s) {
    if (d == 0) {
      throw std::invalid_argument(path + ": shape " + shape +
                                  " has a zero-sized dimension; pooling needs at least one "
                                  "element along every axis");
    }
  }
  Problem p;
  p.dtype = in.dtype;
  p.layout = layout;
  if (s.size() == 2) {
    p.h = s[0], p.w = s[1];
  } else if (layout == Layout::kNCHW) {
    p.n = s[0], p.c = s[1], p.h = s[2], p.w = s[3];
  } else {
    p.n = s[0], p.h = s[1], p.w = s[2], p.c = s[3];
  }
  return p;
}

// The output's shape in the input's rank and layout.
std::vector<int64_t> OutputShape(const Problem& p, size_t rank) {
  const int64_t oh = OutputH(p), ow = OutputW(p);
  if (rank == 2) return {oh, ow};
  if (p.layout == Layout::kNCHW) return {p.n, p.c, oh, ow};
  return {p.n, oh, ow, p.c};
}

const Strategy& FindStrategy(const std::string& name) {
  RequirePluginPath();
  if (const Strategy* s = Registry::Global().Find(name)) return *s;
  std::string names;
  for (const Strategy* s : Registry::Global().All()) {
    names += (names.empty() ? "" : ", ") + std::string(s->name());
  }
  throw std::invalid_argument("unknown strategy '" + name + "' (registered: " + names + ")");
}

// Options that only apply to the other op are refused, not ignored.
void CheckOpOptions(const PoolOptions& opt) {
  const bool max = opt.op == "max";
  if (!max && !opt.indices.empty()) throw std::invalid_argument("--indices needs --op max");
  if (!max && !opt.win_counts.empty()) throw std::invalid_argument("--win-counts needs --op max");
  if (max && opt.exclude_pad) throw std::invalid_argument("--exclude-pad applies to --op avg");
  if (max && opt.divisor_given()) throw std::invalid_argument("--divisor applies to --op avg");
}

// The forward problem the options ask for on the input array.
Problem PoolProblem(const PoolOptions& opt, const NpyArray& in) {
  Problem p = ShapeProblem(opt.input, in, opt.layout == "nhwc" ? Layout::kNHWC : Layout::kNCHW);
  p.op = opt.op == "max" ? Op::kMax : Op::kAvg;
  p.kernel = ToPair(opt.kernel);
  p.stride = opt.stride.empty() ? p.kernel : ToPair(opt.stride);
  p.padding = ToPair(opt.padding);
  p.dilation = ToPair(opt.dilation);
  p.ceil_mode = opt.ceil;
  p.count_include_pad = !opt.exclude_pad;
  if (opt.divisor_given()) p.divisor_override = opt.divisor;
  p.indices = !opt.indices.empty();
  return p;
}

// The win counts are max's backward with an all-ones gradient: each input's gradient is the
// number of windows it wins, the seeds' bincount of the argmax indices.
Problem WinCountProblem(const Problem& forward) {
  Problem counts = forward;
  counts.direction = Direction::kBackward;
  counts.indices = false;
  return counts;
}

// The results, in the buffers strategies get from the benchmark too: aligned and guarded.
struct PoolOutputs {
  GuardedBuffer values, indices, win_counts;
};

// With --verbose, what the strategy's kernel for `p` chose (Kernel::Plan), on standard output.
void PrintPlan(bool verbose, const Strategy& strategy, const Problem& p, const Kernel& kernel) {
  if (!verbose) return;
  const std::string plan = kernel.Plan();
  std::cout << strategy.name() << " plan for " << FormatDescriptor(p) << ": "
            << (plan.empty() ? "(the strategy does not say)" : plan) << "\n"
            << std::flush;
}

template <class T>
PoolOutputs Pool(const Strategy& strategy, const Problem& p, const NpyArray& in,
                 const Problem* counts, bool verbose) {
  GuardedBuffer src(static_cast<int64_t>(in.bytes.size()));
  std::memcpy(src.data(), in.data(), in.bytes.size());
  PoolOutputs out{GuardedBuffer(OutputElements(p) * SizeOf(p.dtype)),
                  GuardedBuffer(p.indices ? OutputElements(p) * 8 : 0), GuardedBuffer()};
  Buffers b;
  b.src = src.data();
  b.dst = out.values.data();
  b.indices = static_cast<int64_t*>(out.indices.data());
  const auto forward = strategy.Prepare(p, ExecContext{});
  PrintPlan(verbose, strategy, p, *forward);
  forward->Run(b);
  if (!counts) return out;
  GuardedBuffer ones(OutputElements(*counts) * SizeOf(p.dtype));
  out.win_counts = GuardedBuffer(InputElements(*counts) * SizeOf(p.dtype));
  std::ranges::fill(ones.as<T>(), T(1));
  Buffers bb;
  bb.src = src.data();
  bb.diff_dst = ones.data();
  bb.diff_src = out.win_counts.data();
  const auto kernel = strategy.Prepare(*counts, ExecContext{});
  PrintPlan(verbose, strategy, *counts, *kernel);
  SavedForwardBuffers saved;
  saved.Bind(*kernel, *counts, bb);
  kernel->Run(bb);
  return out;
}

// What the worker sends back: "R" and the outputs' bytes one after the other (values, indices,
// win counts), or "U" and why the strategy does not take the problem.
constexpr char kResults = 'R';
constexpr char kUnsupported = 'U';

// The strategy's part of pool, run in a worker: its support for the problems, then the runs.
std::string PoolTask(const Strategy& strategy, const Problem& p, const NpyArray& in,
                     const Problem* counts, bool verbose) {
  for (const Problem* q : {&p, counts}) {
    if (!q) continue;
    if (Support sup = SupportOf(strategy, *q); !sup) {
      return kUnsupported + ("strategy '" + std::string(strategy.name()) + "' does not support " +
                             FormatDescriptor(*q) + ": " + sup.reason);
    }
  }
  std::string out(1, kResults);
  DispatchDType<AllDTypes>(p.dtype, [&]<class T>() {
    PoolOutputs o;
    try {
      o = Pool<T>(strategy, p, in, counts, verbose);
    } catch (const std::bad_alloc&) {
      throw OutOfMemory(p, MemoryUse::kRun);
    }
    for (const GuardedBuffer* b : {&o.values, &o.indices, &o.win_counts}) {
      out.append(static_cast<const char*>(b->data()), static_cast<size_t>(b->bytes()));
    }
  });
  return out;
}

// The outputs' bytes as a worker sent them, split and written.
template <class T>
void WriteOutputs(const std::string& bytes, const Problem& p, const std::vector<int64_t>& shape,
                  const NpyArray& in, const Problem* counts, PendingFile& values_file,
                  PendingFile* indices_file, PendingFile* counts_file) {
  size_t at = 1;
  // Copied out element by element: the payload has no alignment to read T or int64_t in place.
  const auto take = [&]<class E>(int64_t elements) {
    std::vector<E> v(static_cast<size_t>(elements));
    if (v.empty()) return v;  // memcpy is not given a null pointer, even for nothing
    std::memcpy(v.data(), bytes.data() + at, v.size() * sizeof(E));
    at += v.size() * sizeof(E);
    return v;
  };
  const std::vector<T> values = take.template operator()<T>(OutputElements(p));
  const std::vector<int64_t> indices =
      take.template operator()<int64_t>(p.indices ? OutputElements(p) : 0);
  const std::vector<T> win_counts =
      take.template operator()<T>(counts ? InputElements(*counts) : 0);
  if (at != bytes.size()) throw std::logic_error("pool: the worker sent outputs of another size");
  values_file.Write(EncodeNpy(std::span<const int64_t>(shape), values.data()));
  if (indices_file) indices_file->Write(EncodeNpy(std::span<const int64_t>(shape), indices.data()));
  if (counts_file) {
    counts_file->Write(EncodeNpy(std::span<const int64_t>(in.shape), win_counts.data()));
  }
}

void RunPool(const PoolOptions& opt) {
  CheckOpOptions(opt);
  OutputTarget(opt.out);
  CheckOutputs({{"--out", opt.out}, {"--indices", opt.indices}, {"--win-counts", opt.win_counts}},
               {opt.input});
  const Strategy& strategy = FindStrategy(opt.strategy);
  const isolate::Options isolation = opt.isolation.Get();
  const NpyArray in = ReadNpy(opt.input);
  const Problem p = PoolProblem(opt, in);
  const bool want_counts = !opt.win_counts.empty();
  const Problem counts = WinCountProblem(p);
  std::cout << FormatDescriptor(p) << "\n";
  if (want_counts) std::cout << FormatDescriptor(counts) << "\n";
  std::cout << std::flush;
  for (const Problem* q : {&p, want_counts ? &counts : nullptr}) {
    if (!q) continue;
    if (std::string e = Validate(*q); !e.empty()) {
      throw std::invalid_argument("invalid problem " + FormatDescriptor(*q) + ": " + e);
    }
    RequireMemoryFor(*q, MemoryUse::kRun);
  }
  const std::vector<int64_t> out_shape = OutputShape(p, in.shape.size());
  // Staged before the strategy runs, so that an output that cannot be written fails at once;
  // every output is written in full before any is renamed into place, so that a failure (a
  // full disk, a strategy that crashes) leaves none of them behind.
  std::optional<PendingFile> values, indices, win_counts;
  values.emplace(opt.out);
  if (p.indices) indices.emplace(opt.indices);
  if (want_counts) win_counts.emplace(opt.win_counts);
  // The strategy runs in a worker, like check's: one that crashes, hangs, exits or runs out of
  // memory is named with its verdict, and nothing is written.
  isolate::Outcome outcome;
  isolate::RunTasks(
      1,
      [&](size_t) {
        return PoolTask(strategy, p, in, want_counts ? &counts : nullptr, opt.verbose);
      },
      isolation,
      [&](size_t, isolate::Outcome o) {
        outcome = std::move(o);
        return true;
      });
  if (outcome.fault != isolate::Fault::kNone) {
    std::cerr << "poolbench: error: strategy '" << strategy.name() << "'"
              << (PluginOf(strategy).empty() ? "" : " (plugin '" + PluginOf(strategy) + "')")
              << " on " << FormatDescriptor(p) << ": " << isolate::VerdictLabel(outcome.fault)
              << ": " << outcome.message << "; no file was written\n";
    throw CLI::RuntimeError(kExitFailure);
  }
  if (outcome.result.at(0) == kUnsupported) throw std::invalid_argument(outcome.result.substr(1));
  DispatchDType<AllDTypes>(p.dtype, [&]<class T>() {
    WriteOutputs<T>(outcome.result, p, out_shape, in, want_counts ? &counts : nullptr, *values,
                    indices ? &*indices : nullptr, win_counts ? &*win_counts : nullptr);
  });
  for (std::optional<PendingFile>* f : {&values, &indices, &win_counts}) {
    if (*f) (*f)->Commit();
  }
}

void AddPoolCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<PoolOptions>(
      app, "pool", RunPool,
      "Pool your own .npy array with one strategy and write the result as .npy, to compare "
      "with your NumPy code. The input is float32, float64 or int32 (little-endian), 2-D "
      "(H, W) or 4-D in --layout order; the output has the same rank, layout and dtype. "
      "Prints the problem's descriptor on standard output first (with --win-counts, also the "
      "backward one), a line that `poolbench check --problem` reproduces. The strategy runs in "
      "a worker process: one that crashes, hangs, throws, exits or runs out of memory exits 1, "
      "and bad input exits 2; neither writes any file.");
  cmd->add_option("input", opt->input, "The .npy array to pool")->required();
  cmd->add_option("--kernel", opt->kernel, "Window size, K or KHxKW")
      ->required()
      ->check(kPairValidator);
  cmd->add_option("--stride", opt->stride, "Window step, S or SHxSW (default: the kernel)")
      ->check(kPairValidator);
  cmd->add_option("--padding", opt->padding, "Implicit padding on each side, P or PHxPW")
      ->check(kPairValidator)
      ->capture_default_str();
  cmd->add_option("--dilation", opt->dilation, "Spacing of the window's taps, D or DHxDW")
      ->check(kPairValidator)
      ->capture_default_str();
  cmd->add_flag("--ceil", opt->ceil, "Round the output size up (PyTorch's ceil_mode)");
  cmd->add_option("--op", opt->op, "Pooling operation")
      ->check(CLI::IsMember({"max", "avg"}))
      ->capture_default_str();
  cmd->add_flag("--exclude-pad", opt->exclude_pad,
                "Avg: divide by the number of valid taps, not the padded window size");
  opt->divisor_option =
      cmd->add_option("--divisor", opt->divisor, "Avg: divide every window by N instead")
          ->check(IntegerIn(INT64_MIN, INT64_MAX));
  cmd->add_option("--layout", opt->layout,
                  "Axis order of a 4-D input and output: (N, C, H, W) or (N, H, W, C)")
      ->check(CLI::IsMember({"nchw", "nhwc"}))
      ->capture_default_str();
  cmd->add_option("--strategy", opt->strategy, "The strategy to run (see `poolbench list`)")
      ->capture_default_str();
  cmd->add_option("--out", opt->out, "Where to write the pooled values (.npy, the input's dtype)")
      ->required();
  cmd->add_option("--indices", opt->indices,
                  "Max: also write the argmax of every output as int64 .npy, the flat offset "
                  "ih * W + iw within its (H, W) plane")
      ->check(NotEmpty("file"));
  cmd->add_option("--win-counts", opt->win_counts,
                  "Max: also write, per input element, how many windows it wins (max's "
                  "gradient for an all-ones output gradient), input-shaped, the input's dtype")
      ->check(NotEmpty("file"));
  AddIsolationOptions(*cmd, opt->isolation, 60);
  cmd->add_flag("--verbose", opt->verbose,
                "Also print what the strategy's kernel chose for the problem (its path, threads), "
                "a line per kernel after the descriptors");
}

}  // namespace

POOLBENCH_CLI_COMMAND(60, AddPoolCommand);

}  // namespace poolbench::cli
