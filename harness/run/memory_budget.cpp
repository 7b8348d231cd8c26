#include "run/memory_budget.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>
#include <vector>

#include "poolbench/descriptor.hpp"
#include "poolbench/dtype.hpp"
#include "report/units.hpp"

namespace poolbench {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// a * b and a + b, saturating at INT64_MAX: an estimate too large to represent is still too
// large.
int64_t Mul(int64_t a, int64_t b) {
  int64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? kMax : r;
}
int64_t Add(int64_t a, int64_t b) {
  int64_t r = 0;
  return __builtin_add_overflow(a, b, &r) ? kMax : r;
}

// "<number> kB" of one /proc/meminfo field, in bytes.
std::optional<int64_t> MemInfoField(std::string_view name) {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib) {
    std::getline(in, unit);
    if (key.size() == name.size() + 1 && key.compare(0, name.size(), name) == 0) {
      return Mul(kib, 1024);
    }
  }
  return std::nullopt;
}

// Bytes mapped by this process now (VmSize), to subtract from RLIMIT_AS.
int64_t MappedBytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmSize:", 0) == 0) {
      std::istringstream fields(line.substr(7));
      int64_t kib = 0;
      fields >> kib;
      return Mul(kib, 1024);
    }
  }
  return 0;
}

std::optional<int64_t> AddressSpaceLeft() {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return std::nullopt;
  const auto cap = static_cast<int64_t>(std::min<rlim_t>(limit.rlim_cur, kMax));
  return std::max<int64_t>(0, cap - MappedBytes());
}

std::optional<int64_t> LimitFromEnvironment() {
  const char* env = std::getenv("POOLBENCH_MEMORY_LIMIT");
  if (!env || !*env) return std::nullopt;
  if (const std::optional<int64_t> bytes = ParseByteCount(env)) return bytes;
  throw std::invalid_argument("POOLBENCH_MEMORY_LIMIT='" + std::string(env) +
                              "' is not a byte count (an integer with an optional K, M, G or T "
                              "suffix, e.g. 8G)");
}

// The limit a worker noted (NoteMemoryLimit): the mapped size it allows, and why.
struct NotedLimit {
  int64_t cap = 0;
  std::string origin;
};
std::optional<NotedLimit>& Noted() {
  static std::optional<NotedLimit> noted;
  return noted;
}

// One bound on the memory available, and where it comes from.
struct Bound {
  int64_t bytes;
  std::string origin;
};

// Every bound known, the most specific first: the least of them is what is available.
std::vector<Bound> Bounds() {
  std::vector<Bound> out;
  if (const auto& n = Noted())
    out.push_back({std::max<int64_t>(0, n->cap - MappedBytes()), n->origin});
  if (const auto env = LimitFromEnvironment()) out.push_back({*env, "POOLBENCH_MEMORY_LIMIT"});
  if (const auto mem = MemInfoField("MemAvailable")) out.push_back({*mem, "MemAvailable"});
  if (const auto as = AddressSpaceLeft()) out.push_back({*as, "RLIMIT_AS"});
  return out;
}

// The least bound, the first of equal ones.
std::optional<Bound> Least() {
  std::optional<Bound> least;
  for (Bound& b : Bounds()) {
    if (!least || b.bytes < least->bytes) least = std::move(b);
  }
  return least;
}

std::string Describe(int64_t bytes) {
  return bytes == kMax ? "more than 8 EiB" : FormatBytes(bytes);
}

}  // namespace

ProblemBytes BytesOf(const Problem& p) {
  // InputElements and OutputElements assume a validated problem; these products saturate.
  const int64_t planes = Mul(p.n, p.c);
  const int64_t in_elements = Mul(planes, Mul(p.d, Mul(p.h, p.w)));
  const int64_t out_elements = Mul(planes, Mul(OutputD(p), Mul(OutputH(p), OutputW(p))));
  const int64_t size = SizeOf(p.dtype);
  const int64_t in = Mul(in_elements, size);
  const int64_t out = Mul(out_elements, size);
  const int64_t idx = Mul(out_elements, 8);
  ProblemBytes b;
  b.input = in;
  b.output = out;
  if (p.direction == Direction::kForward) {
    b.indices = p.indices ? idx : 0;
  } else {
    // A max backward kernel may save its forward's indices (Kernel::Saves).
    b.indices = p.op == Op::kMax ? idx : 0;
    b.gradient = in;
  }
  return b;
}

int64_t EstimatePeakBytes(const Problem& p, MemoryUse use) {
  const ProblemBytes b = BytesOf(p);
  // What a kernel reads (src, and diff_dst backward) and what it writes (dst and indices
  // forward, diff_src backward).
  const bool forward = p.direction == Direction::kForward;
  const int64_t args = forward ? b.input : Add(b.input, b.output);
  const int64_t results = forward ? Add(b.output, b.indices) : b.gradient;
  const int64_t saved = forward ? 0 : b.indices;
  const int64_t one_run = Add(Add(args, results), saved);
  if (use == MemoryUse::kRun) return one_run;
  // check/cross_check.cpp keeps, for each of the three input flavours, the inputs, the
  // reference's results and a second set of results bounding the rounding (args + 2 results);
  // while one is made, the absolute values of the inputs and the guarded copies the kernel runs
  // on (2 args) exist too; and the strategy under test runs on guarded copies with its own
  // results (one run).
  constexpr int64_t kFlavours = 3;
  const int64_t kept = Mul(kFlavours, Add(args, Mul(2, results)));
  return Add(Add(kept, Mul(2, args)), one_run);
}

std::optional<int64_t> ParseByteCount(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value < 0) return std::nullopt;
  const std::string_view suffix(end, static_cast<size_t>(text.data() + text.size() - end));
  int shift = 0;
  if (suffix == "K") shift = 10;
  if (suffix == "M") shift = 20;
  if (suffix == "G") shift = 30;
  if (suffix == "T") shift = 40;
  if (shift == 0 && !suffix.empty()) return std::nullopt;
  if (value > (kMax >> shift)) return std::nullopt;
  return value << shift;
}

void NoteMemoryLimit(int64_t bytes, std::string origin) {
  Noted() = NotedLimit{Add(MappedBytes(), bytes), std::move(origin)};
}

std::optional<int64_t> AvailableMemoryBytes() {
  const std::optional<Bound> least = Least();
  if (!least) return std::nullopt;
  return least->bytes;
}

void RequireMemoryFor(const Problem& p, MemoryUse use) {
  const std::optional<Bound> available = Least();
  const int64_t need = EstimatePeakBytes(p, use);
  if (!available || need <= available->bytes) return;
  throw MemoryError(FormatDescriptor(p) + " needs about " + Describe(need) + " (" +
                    std::to_string(need) + " bytes) of buffers" +
                    (use == MemoryUse::kCheck ? " to cross-check" : "") + ", but only " +
                    Describe(available->bytes) + " is available (" + available->origin +
                    "); refused before allocating");
}

MemoryError OutOfMemory(const Problem& p, MemoryUse use) {
  const int64_t need = EstimatePeakBytes(p, use);
  return MemoryError("out of memory on " + FormatDescriptor(p) + " (its buffers need about " +
                     Describe(need) + ")");
}

}  // namespace poolbench
