// Buffers the harness hands to strategies: aligned to kBufferAlignment, surrounded by guard
// zones filled with a sentinel and, beyond those, by pages mapped PROT_NONE. A small stray
// write lands in a guard zone and is named after the run (GuardDamage); a far one faults at
// once on a guard page, and the worker's fault handler (isolate/fault_reporter.hpp) names the
// buffer and the offset through FindGuardedBuffer. An input can be made read-only while a
// strategy runs, so that a write into it faults too.
//
// Layout of one mapping (addresses grow to the right):
//   [guard pages][slack + front zone][data, rounded up to 64 B][tail zone][guard pages]
// The tail zone is kGuardBytes (256 B) and ends exactly at the first rear guard page, so a
// read of up to kGuardBytes past the 64-byte-rounded end of the data (the buffer contract
// allows 64) stays in readable memory, and the first byte after that faults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

#include "poolbench/problem.hpp"
#include "poolbench/strategy.hpp"

namespace poolbench {

class GuardedBuffer {
 public:
  // Bytes of each guard zone: a multiple of kBufferAlignment, so the data stays aligned.
  static constexpr int64_t kGuardBytes = 4 * kBufferAlignment;
  // PROT_NONE pages on each side of the zones.
  static constexpr int64_t kGuardPages = 4;
  static constexpr unsigned char kSentinel = 0xA5;

  GuardedBuffer() = default;
  // `bytes` bytes of data (0 gives an empty buffer whose data() is null), every byte of data
  // and guards set to kSentinel. `label` (a string literal such as "output") names the buffer
  // in fault reports. Throws std::bad_alloc when memory runs out.
  explicit GuardedBuffer(int64_t bytes, const char* label = "buffer");
  GuardedBuffer(GuardedBuffer&& other) noexcept;
  GuardedBuffer& operator=(GuardedBuffer&& other) noexcept;
  ~GuardedBuffer();

  void* data() { return data_; }
  const void* data() const { return data_; }
  int64_t bytes() const { return bytes_; }
  template <class T>
  std::span<T> as() {
    return {static_cast<T*>(data()), static_cast<size_t>(bytes_) / sizeof(T)};
  }
  template <class T>
  std::span<const T> as() const {
    return {static_cast<const T*>(data()), static_cast<size_t>(bytes_) / sizeof(T)};
  }

  // Renames the buffer in fault reports (a string literal).
  void SetLabel(const char* label);
  // Maps the data and its zones read-only (true) or read-write again (false). Throws
  // std::system_error when mprotect fails.
  void SetReadOnly(bool read_only);

  // Empty when both guard zones hold the sentinel, else which one was written ("wrote 12 bytes
  // before the buffer", "wrote past the end of the buffer").
  std::string GuardDamage() const;

 private:
  void Release() noexcept;

  unsigned char* map_ = nullptr;  // the whole mapping, guard pages included
  size_t map_bytes_ = 0;
  unsigned char* open_ = nullptr;  // the readable part: zones and data
  size_t open_bytes_ = 0;
  unsigned char* data_ = nullptr;
  int64_t bytes_ = 0;
  int slot_ = -1;  // in the table FindGuardedBuffer reads, or -1
};

// Makes buffers read-only for as long as it lives (the inputs while a strategy runs).
class ReadOnlyWhileAlive {
 public:
  explicit ReadOnlyWhileAlive(std::initializer_list<GuardedBuffer*> buffers);
  ~ReadOnlyWhileAlive();
  ReadOnlyWhileAlive(const ReadOnlyWhileAlive&) = delete;
  ReadOnlyWhileAlive& operator=(const ReadOnlyWhileAlive&) = delete;

 private:
  GuardedBuffer* buffers_[4] = {};
};

// Where an address lies relative to a live guarded buffer whose mapping contains it.
struct GuardHit {
  const char* label = nullptr;
  int64_t offset = 0;  // address - start of the data: negative before it, >= bytes past it
  int64_t bytes = 0;   // the data's size
};

// Finds the guarded buffer whose mapping (guard pages included) contains `address`.
// Async-signal-safe: reads a fixed table of atomics, for the fault handler.
bool FindGuardedBuffer(const void* address, GuardHit& hit) noexcept;

// What a backward Kernel saved from its own forward pass (Kernel::Saves): the index and
// workspace buffers it asked for, bound into `b` and filled by Kernel::SaveForward. Lives as
// long as the timed runs that read it.
class SavedForwardBuffers {
 public:
  // Allocates what `k` asks for on problem `p`, points b.indices / b.workspace at it, and runs
  // k.SaveForward(b). Does nothing for kernels that save nothing.
  void Bind(Kernel& k, const Problem& p, Buffers& b);

 private:
  GuardedBuffer indices_, workspace_;
};

}  // namespace poolbench
