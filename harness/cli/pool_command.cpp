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

// "K" (for every spatial axis) or one value per axis, "KHxKW" or "KDxKHxKW", each a decimal
// integer. Whether the count fits the layout's rank is checked once the layout is known (see
// PoolProblem); range checks are Validate()'s, which names the offending axis.
bool ParseValues(const std::string& text, std::vector<int64_t>& out) {
  out.clear();
  std::string_view s = text;
  while (true) {
    const size_t x = s.find('x');
    const std::string_view part = s.substr(0, x);
    int64_t v = 0;
    if (part.empty() || part.size() > 18) return false;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || end != part.data() + part.size() || out.size() == 3) return false;
    out.push_back(v);
    if (x == std::string_view::npos) return true;
    s.remove_prefix(x + 1);
  }
}

const CLI::Validator kWindowValidator(
    [](std::string& text) -> std::string {
      std::vector<int64_t> v;
      if (ParseValues(text, v)) return {};
      return "expected an integer N, or one per spatial axis (NxM in 2-D, NxMxL in 3-D), got '" +
             text + "'";
    },
    "N[xM[xL]]");

// The input's shape as a problem of the layout's rank: channels first (N, C, spatial...) or last
// (N, spatial..., C); a 2-D layout also takes one (H, W) plane.
Problem ShapeProblem(const std::string& path, const NpyArray& in, Layout layout) {
  const auto& s = in.shape;
  const std::string shape = ShapeString(s);
  const int rank = SpatialRank(layout);
  const size_t dims = static_cast<size_t>(rank) + 2;
  if (s.size() != dims && !(rank == 2 && s.size() == 2)) {
    static constexpr const char* kFirst[] = {"", "(N, C, W)", "(N, C, H, W)", "(N, C, D, H, W)"};
    static constexpr const char* kLast[] = {"", "(N, W, C)", "(N, H, W, C)", "(N, D, H, W, C)"};
    std::string why = path + ": " + std::to_string(s.size()) + "-D array of shape " + shape +
                      "; layout " + std::string(ToString(layout)) + " is " + std::to_string(rank) +
                      "-D pooling of a " + std::to_string(dims) + "-D " +
                      (ChannelsLast(layout) ? kLast : kFirst)[rank] + " array" +
                      (rank == 2 ? " or a 2-D (H, W) one" : "");
    if (s.size() >= 3 && s.size() <= 5) {
      const Layout fits = LayoutOf(static_cast<int>(s.size()) - 2, ChannelsLast(layout));
      why += " (";
      if (rank == 2 && s.size() == 3) why += "for (C, H, W), save a[None], of shape (1, C, H, W); ";
      why += "for " + std::to_string(s.size() - 2) + "-D pooling give --layout " +
             std::string(ToString(fits)) + ")";
    }
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
    return p;
  }
  p.n = s[0];
  const size_t first = ChannelsLast(layout) ? 1 : 2;  // the first spatial dimension
  p.c = ChannelsLast(layout) ? s.back() : s[1];
  p.w = s[first + rank - 1];
  if (rank >= 2) p.h = s[first + rank - 2];
  if (rank == 3) p.d = s[first];
  return p;
}

// The output's shape in the input's rank and layout.
std::vector<int64_t> OutputShape(const Problem& p, size_t dims) {
  const int rank = SpatialRank(p);
  std::vector<int64_t> spatial = {OutputD(p), OutputH(p), OutputW(p)};
  spatial.erase(spatial.begin(), spatial.begin() + (3 - rank));
  if (dims == 2) return spatial;
  std::vector<int64_t> out = {p.n};
  if (!ChannelsLast(p.layout)) out.push_back(p.c);
  out.insert(out.end(), spatial.begin(), spatial.end());
  if (ChannelsLast(p.layout)) out.push_back(p.c);
  return out;
}

const Strategy& FindStrategy(const std::string& name) {
  RequirePluginPath();
  if (const Strategy* s = Registry::Global().Find(name)) return *s;
  throw std::invalid_argument("--strategy: " + NoStrategyMessage(name));
}

// Options that only apply to the other op are refused, not ignored.
void CheckOpOptions(const PoolOptions& opt) {
  const bool max = opt.op == "max";
  if (!max && !opt.indices.empty()) throw std::invalid_argument("--indices needs --op max");
  if (!max && !opt.win_counts.empty()) throw std::invalid_argument("--win-counts needs --op max");
  if (max && opt.exclude_pad) throw std::invalid_argument("--exclude-pad applies to --op avg");
  if (max && opt.divisor_given()) throw std::invalid_argument("--divisor applies to --op avg");
}

// One window option into p: one value, or one per spatial axis of the layout's rank.
void SetWindowOption(Problem& p, WindowField field, const char* option, const std::string& text) {
  std::vector<int64_t> v;
  ParseValues(text, v);  // CLI11 has already run kWindowValidator on it.
  if (!SetWindow(p, field, v)) {
    static constexpr const char* kAxes[] = {"", "W", "HxW", "DxHxW"};
    const int rank = SpatialRank(p);
    throw std::invalid_argument(std::string(option) + " " + text + " has " +
                                std::to_string(v.size()) + " values, but layout " +
                                std::string(ToString(p.layout)) + " is " + std::to_string(rank) +
                                "-D and takes one value or " + kAxes[rank]);
  }
}

// The forward problem the options ask for on the input array.
Problem PoolProblem(const PoolOptions& opt, const NpyArray& in) {
  Problem p = ShapeProblem(opt.input, in, *ParseLayout(opt.layout));
  p.op = opt.op == "max" ? Op::kMax : Op::kAvg;
  SetWindowOption(p, WindowField::kKernel, "--kernel", opt.kernel);
  SetWindowOption(p, WindowField::kStride, "--stride",
                  opt.stride.empty() ? opt.kernel : opt.stride);
  SetWindowOption(p, WindowField::kPadding, "--padding", opt.padding);
  SetWindowOption(p, WindowField::kDilation, "--dilation", opt.dilation);
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
      "with your NumPy code. The input is float32, float64 or int32 (little-endian) in "
      "--layout order: 3-D for 1-D pooling (ncw, nwc), 4-D or one 2-D (H, W) plane for 2-D "
      "pooling (nchw, nhwc), 5-D for 3-D pooling (ncdhw, ndhwc); the output has the same rank, "
      "layout and dtype. "
      "Prints the problem's descriptor on standard output first (with --win-counts, also the "
      "backward one), a line that `poolbench check --problem` reproduces. The strategy runs in "
      "a worker process: one that crashes, hangs, throws, exits or runs out of memory exits 1, "
      "and bad input exits 2; neither writes any file.");
  cmd->add_option("input", opt->input, "The .npy array to pool")->required();
  cmd->add_option("--kernel", opt->kernel,
                  "Window size, K for every spatial axis or one per axis (KHxKW, KDxKHxKW)")
      ->required()
      ->check(kWindowValidator);
  cmd->add_option("--stride", opt->stride, "Window step, S or one per axis (default: the kernel)")
      ->check(kWindowValidator);
  cmd->add_option("--padding", opt->padding, "Implicit padding on each side, P or one per axis")
      ->check(kWindowValidator)
      ->capture_default_str();
  cmd->add_option("--dilation", opt->dilation, "Spacing of the window's taps, D or one per axis")
      ->check(kWindowValidator)
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
                  "Axis order of the input and output, which also names the pooling's rank: "
                  "ncw, nwc (1-D), nchw, nhwc (2-D), ncdhw, ndhwc (3-D)")
      ->check(CLI::IsMember({"ncw", "nwc", "nchw", "nhwc", "ncdhw", "ndhwc"}))
      ->capture_default_str();
  cmd->add_option("--strategy", opt->strategy, "The strategy to run (see `poolbench list`)")
      ->capture_default_str();
  cmd->add_option("--out", opt->out, "Where to write the pooled values (.npy, the input's dtype)")
      ->required();
  cmd->add_option("--indices", opt->indices,
                  "Max: also write the argmax of every output as int64 .npy, PyTorch's flat "
                  "offset in its (n, c) volume: (id * H + ih) * W + iw in 3-D, ih * W + iw in "
                  "2-D, iw in 1-D")
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
