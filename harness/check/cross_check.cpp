#include "check/cross_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "check/inputs.hpp"
#include "io/plugin_loader.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/registry.hpp"
#include "poolbench/tensor.hpp"
#include "run/guarded_buffer.hpp"
#include "run/memory_budget.hpp"

namespace poolbench {
namespace {

// An output tensor of n elements of T in a guarded buffer pre-filled with the sentinel, so that
// unwritten elements and writes outside it are caught.
template <class T>
struct Guarded {
  Guarded(int64_t n, const char* label)
      : size(n), buffer(n * static_cast<int64_t>(sizeof(T)), label) {}
  T* get() { return buffer.as<T>().data(); }
  const T* data() const { return buffer.as<T>().data(); }
  int64_t size;
  GuardedBuffer buffer;
};

template <class T>
struct Outputs {
  Outputs(const Problem& p, bool forward)
      : dst(forward ? OutputElements(p) : 0, "output"),
        indices(forward && p.indices ? OutputElements(p) : 0, "indices"),
        diff_src(forward ? 0 : InputElements(p), "input gradient") {}
  Guarded<T> dst;
  Guarded<int64_t> indices;
  Guarded<T> diff_src;
};

// Runs a kernel prepared for `p` on copies of the inputs in guarded, aligned buffers (what the
// strategy gets is exactly what the benchmark gives it), including the untimed forward pass of
// a backward kernel that saves one. The inputs are read-only meanwhile, so a write into them
// faults (and is named by the worker's fault handler). Returns an empty string, or what the
// kernel did to its inputs: a write into the guard zones around src or diff_dst.
template <class T>
std::string RunKernel(Kernel& k, const Problem& p, const std::vector<T>& src,
                      const std::vector<T>& diff_dst, Outputs<T>& out) {
  GuardedBuffer in(static_cast<int64_t>(src.size() * sizeof(T)), "input");
  GuardedBuffer dd(static_cast<int64_t>(diff_dst.size() * sizeof(T)), "output gradient");
  std::copy(src.begin(), src.end(), in.as<T>().begin());
  std::copy(diff_dst.begin(), diff_dst.end(), dd.as<T>().begin());
  Buffers b;
  b.src = in.data();
  SavedForwardBuffers saved;
  {
    const ReadOnlyWhileAlive read_only{&in, &dd};
    if (p.direction == Direction::kForward) {
      b.dst = out.dst.get();
      if (p.indices) b.indices = out.indices.get();
    } else {
      b.diff_dst = dd.data();
      b.diff_src = out.diff_src.get();
      saved.Bind(k, p, b);
    }
    k.Run(b);
  }
  const auto unchanged = [](const GuardedBuffer& g, const std::vector<T>& want) {
    // memcmp of zero bytes still needs valid pointers; an unused buffer has none.
    return want.empty() || std::memcmp(g.data(), want.data(), want.size() * sizeof(T)) == 0;
  };
  for (auto [name, buf, want] :
       {std::tuple{"input", &in, &src}, {"output gradient", &dd, &diff_dst}}) {
    if (std::string e = buf->GuardDamage(); !e.empty()) return std::string(name) + ": " + e;
    if (!unchanged(*buf, *want)) return std::string(name) + ": the strategy wrote into it";
  }
  return {};
}

template <class T>
bool SameValue(T a, T b) {
  if constexpr (IsFloat<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  }
  return a == b;
}

template <class T>
std::string Show(T v) {
  std::ostringstream os;
  os.precision(std::numeric_limits<T>::max_digits10);
  os << +v;  // promoted: an 8-bit integer prints as a number, not a character
  return os.str();
}

// The spatial sizes of one tensor of a problem: its input's or its output's.
struct Extent {
  int64_t d, h, w;
};

// Logical (n, c, [z,] [y,] x) of flat element `i` of an N x C x D x H x W tensor in `layout`,
// naming the axes of the problem's rank only.
std::string Where(const Problem& p, int64_t i, const Extent& e) {
  int64_t n, c, z, y, x;
  if (!ChannelsLast(p.layout)) {
    x = i % e.w, y = i / e.w % e.h, z = i / (e.w * e.h) % e.d;
    c = i / (e.w * e.h * e.d) % p.c, n = i / (e.w * e.h * e.d * p.c);
  } else {
    c = i % p.c, x = i / p.c % e.w, y = i / (p.c * e.w) % e.h, z = i / (p.c * e.w * e.h) % e.d;
    n = i / (p.c * e.w * e.h * e.d);
  }
  std::ostringstream os;
  os << "(n=" << n << ", c=" << c;
  if (SpatialRank(p) == 3) os << ", z=" << z;
  if (SpatialRank(p) >= 2) os << ", y=" << y;
  os << ", x=" << x << ")";
  return os.str();
}

// Compares one tensor; returns an empty string or a description of the mismatches.
template <class T>
std::string Compare(const char* what, const Problem& p, const Guarded<T>& got,
                    const Guarded<T>& want, const Guarded<T>* magnitude, const Extent& extent) {
  if (std::string e = got.buffer.GuardDamage(); !e.empty()) return std::string(what) + ": " + e;
  double eps = 0;
  if constexpr (IsFloat<T>) eps = std::numeric_limits<T>::epsilon();
  const double slack = static_cast<double>(p.depth.kernel * p.kernel.h * p.kernel.w + 2) * eps;
  int64_t bad = 0, first = -1;
  double first_tol = 0;
  for (int64_t i = 0; i < got.size; ++i) {
    const T a = got.data()[i], b = want.data()[i];
    bool ok = SameValue(a, b);
    double tol = 0;
    if constexpr (IsFloat<T>) {
      if (!ok && magnitude && std::isfinite(b)) {
        tol = slack * std::fabs(static_cast<double>(magnitude->data()[i]));
        ok = std::fabs(static_cast<double>(a) - static_cast<double>(b)) <= tol;
      }
    }
    if (!ok && bad++ == 0) first = i, first_tol = tol;
  }
  if (bad == 0) return {};
  std::ostringstream os;
  os << what << ": " << bad << " of " << got.size << " elements differ; first at "
     << Where(p, first, extent) << ": got " << Show(got.data()[first]) << ", want "
     << Show(want.data()[first]);
  if (first_tol > 0) os << " (tolerance " << first_tol << ")";
  return os.str();
}

// The inputs of one flavour and the reference's results on them, computed once per problem
// and shared by every strategy checked with the same input domain.
template <class T>
struct ReferenceRun {
  ReferenceRun(const Strategy& ref, const Problem& p, Flavour flavour, uint64_t seed,
               const InputDomain& domain)
      : src(InputElements(p)),
        diff_dst(p.direction == Direction::kForward ? 0 : OutputElements(p)),
        want(p, p.direction == Direction::kForward) {
    const bool forward = p.direction == Direction::kForward;
    FillInput<T>(src, flavour, seed, domain);
    FillInput<T>(diff_dst, flavour, seed + 1, domain);
    const auto kernel = ref.Prepare(p, ExecContext{});
    RunKernel(*kernel, p, src, diff_dst, want);
    // Sums (avg, and gradients that overlapping windows add up) may round differently in
    // another order: bound the difference by the same operation on absolute values.
    if (IsFloat<T> && (p.op == Op::kAvg || !forward)) {
      std::vector<T> abs_src(src), abs_dd(diff_dst);
      for (T& v : abs_src) v = std::abs(v);
      for (T& v : abs_dd) v = std::abs(v);
      magnitude.emplace(p, forward);
      // Max backward must pick the same winners, so only the gradients go absolute.
      RunKernel(*kernel, p, p.op == Op::kMax ? src : abs_src, abs_dd, *magnitude);
    }
  }
  std::vector<T> src, diff_dst;
  Outputs<T> want;
  std::optional<Outputs<T>> magnitude;
};

template <class T>
std::string CheckAgainst(const Strategy& s, const Problem& p, const ExecContext& ctx,
                         const ReferenceRun<T>& ref) {
  const bool forward = p.direction == Direction::kForward;
  Outputs<T> got(p, forward);
  // An exception from the strategy leaves Check: the caller (isolate::RunTasks) gives the
  // entry the verdict "threw", in a worker and in one process alike.
  const std::unique_ptr<Kernel> kernel = s.Prepare(p, ctx);
  if (!kernel) return "Prepare returned no kernel";
  if (std::string e = RunKernel(*kernel, p, ref.src, ref.diff_dst, got); !e.empty()) return e;
  const auto& mag = ref.magnitude;
  const Extent in{p.d, p.h, p.w}, out{OutputD(p), OutputH(p), OutputW(p)};
  if (!forward) {
    return Compare("gradient", p, got.diff_src, ref.want.diff_src, mag ? &mag->diff_src : nullptr,
                   in);
  }
  std::string err = Compare("values", p, got.dst, ref.want.dst, mag ? &mag->dst : nullptr, out);
  if (err.empty() && p.indices) {
    err = Compare<int64_t>("indices", p, got.indices, ref.want.indices, nullptr, out);
  }
  return err;
}

}  // namespace

std::string_view ToString(Verdict v) {
  // In the order of the enumerators.
  static constexpr std::string_view kNames[] = {"pass", "FAIL", "skipped"};
  return kNames[static_cast<size_t>(v)];
}

std::string PluginOption(const Strategy& s) {
  // The peers built with poolbench load by default; naming them again would register twice.
  const std::string plugin = PluginOf(s);
  if (plugin.empty() || IsPeer(s)) return "";
  // Absolute, so that the line works from any directory.
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(plugin, ec);
  return "--plugin " + (ec ? plugin : absolute.lexically_normal().string()) + " ";
}

std::string ReproLine(const Strategy& s, const Problem& p, uint64_t seed, int threads) {
  return "poolbench " + PluginOption(s) + "check --problem " + FormatDescriptor(p) +
         " --strategy '^" + std::string(s.name()) + "$' --seed " + std::to_string(seed) +
         " --threads " + std::to_string(threads);
}

CrossChecker::CrossChecker(const Problem& p, uint64_t seed) : p_(p), seed_(seed) {
  if (std::string e = Validate(p); !e.empty()) {
    throw std::invalid_argument("invalid problem " + FormatDescriptor(p) + ": " + e);
  }
  ref_ = Registry::Global().Find(kReferenceName);
  if (!ref_) throw std::invalid_argument("the reference strategy naive_loops is not registered");
  RequireMemoryFor(p, MemoryUse::kCheck);
}

CrossChecker::~CrossChecker() = default;

CheckResult CrossChecker::Check(const Strategy& s, int threads) {
  if (&s == ref_) {
    return {Verdict::kSkipped, "is the reference (pinned by hand-computed results in its tests)"};
  }
  if (Support sup = SupportOf(s, p_); !sup) return {Verdict::kSkipped, sup.reason};

  threads = std::clamp(threads, 1, s.MaxThreads());
  const InputDomain domain = s.Domain(p_);
  for (Flavour flavour : kAllFlavours) {
    const std::string err = DispatchDType<AllDTypes>(p_.dtype, [&]<class T>() {
      const auto key = std::make_tuple(static_cast<int>(flavour), domain.nan, domain.infinity);
      auto& slot = runs_[key];
      // The estimate can be short (a strategy's own scratch is unknown): the harness's own
      // allocations failing still name the problem.
      try {
        if (!slot) slot = std::make_shared<ReferenceRun<T>>(*ref_, p_, flavour, seed_, domain);
        return CheckAgainst<T>(s, p_, ExecContext{threads},
                               *std::static_pointer_cast<ReferenceRun<T>>(slot));
      } catch (const std::bad_alloc&) {
        throw OutOfMemory(p_, MemoryUse::kCheck);
      }
    });
    if (!err.empty()) {
      return {Verdict::kFail, std::string(s.name()) + " on " + FormatDescriptor(p_) + " (seed " +
                                  std::to_string(seed_) + ", " + std::string(ToString(flavour)) +
                                  " inputs): " + err +
                                  "\n  repro: " + ReproLine(s, p_, seed_, threads)};
    }
  }
  std::string note;
  if (!domain.nan) note += "NaN inputs left out (declared deviation); ";
  if (!domain.infinity) note += "infinite inputs left out (declared deviation); ";
  return {Verdict::kPass, note};
}

CheckResult CrossCheck(const Strategy& s, const Problem& p, uint64_t seed, int threads) {
  return CrossChecker(p, seed).Check(s, threads);
}

}  // namespace poolbench
