// Memory before allocation: what a problem's buffers will take, set against what the machine
// can give, so that a problem larger than the machine is refused at once with its size instead
// of being killed by the kernel's OOM killer minutes later with no message.
#pragma once

#include <cstdint>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "poolbench/problem.hpp"

namespace poolbench {

// A problem refused or failed for want of memory. Its message names the problem and the bytes.
// It is a std::bad_alloc, so that every place that turns running out of memory into the
// out-of-memory verdict (the worker, the in-process runner) treats a refusal the same way.
class MemoryError : public std::bad_alloc {
 public:
  explicit MemoryError(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

// What a problem's buffers are used for: each holds a different number of copies at its peak.
enum class MemoryUse {
  // The cross-check (check, and bench's verification before timing, which allocates less
  // afterwards): the reference's inputs and results for each input flavour, the bound on
  // rounding, and the strategy's own run on guarded copies.
  kCheck,
  // One run on guarded buffers (pool, the benchmark's buffers): inputs, results, saved forward.
  kRun,
};

// The bytes of one copy of each tensor a problem touches. Saturates at INT64_MAX instead of
// overflowing (Validate refuses sizes whose byte count overflows, but the estimate must not rely
// on being called after it).
struct ProblemBytes {
  int64_t input = 0;     // src
  int64_t output = 0;    // dst (forward) or diff_dst (backward)
  int64_t indices = 0;   // argmax indices: written by forward with indices, saved for max backward
  int64_t gradient = 0;  // diff_src (backward)
};
ProblemBytes BytesOf(const Problem& p);

// The estimated peak bytes of `use` on `p`: the buffers the harness allocates, as far as it
// knows them (a strategy's own workspace and scratch are not known before it runs).
int64_t EstimatePeakBytes(const Problem& p, MemoryUse use);

// The bytes this process may still allocate: the least of /proc/meminfo's MemAvailable, the
// address-space limit (RLIMIT_AS, less what is mapped already), the limit noted with
// NoteMemoryLimit and $POOLBENCH_MEMORY_LIMIT (ParseByteCount). Nothing when none of them is
// known. Throws std::invalid_argument for a malformed $POOLBENCH_MEMORY_LIMIT.
std::optional<int64_t> AvailableMemoryBytes();

// A byte count as --memory-limit and $POOLBENCH_MEMORY_LIMIT write it: a decimal integer with an
// optional K, M, G or T suffix (KiB .. TiB). Nothing for anything else: a sign, a fraction,
// another suffix, or a count beyond INT64_MAX bytes.
std::optional<int64_t> ParseByteCount(std::string_view text);

// Records that this process's address space was limited to `bytes` beyond what it had mapped,
// because of `origin` (e.g. "--memory-limit 1G"): a problem refused for want of memory then names
// that limit as the cause rather than RLIMIT_AS. Workers call it when they set their limit.
void NoteMemoryLimit(int64_t bytes, std::string origin);

// Throws MemoryError naming the problem, the estimate, the memory available and the limit that
// set it when EstimatePeakBytes(p, use) exceeds AvailableMemoryBytes().
void RequireMemoryFor(const Problem& p, MemoryUse use);

// A MemoryError for a std::bad_alloc that happened while working on `p`, with the estimate.
MemoryError OutOfMemory(const Problem& p, MemoryUse use);

}  // namespace poolbench
