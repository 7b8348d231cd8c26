// Buffers the harness hands to strategies: aligned to kBufferAlignment and surrounded by guard
// zones filled with a sentinel, so that a strategy writing before or past any buffer (input or
// output) is caught and named instead of silently corrupting its neighbours.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "poolbench/problem.hpp"
#include "poolbench/strategy.hpp"

namespace poolbench {

class GuardedBuffer {
 public:
  // Bytes of each guard zone: a multiple of kBufferAlignment, so the data stays aligned.
  static constexpr int64_t kGuardBytes = 4 * kBufferAlignment;
  static constexpr unsigned char kSentinel = 0xA5;

  GuardedBuffer() = default;
  // `bytes` bytes of data (0 gives an empty buffer whose data() is null), every byte of data
  // and guards set to kSentinel. Throws std::bad_alloc naming the size when memory runs out.
  explicit GuardedBuffer(int64_t bytes);

  void* data() { return bytes_ ? storage_.get() + kGuardBytes : nullptr; }
  const void* data() const { return bytes_ ? storage_.get() + kGuardBytes : nullptr; }
  int64_t bytes() const { return bytes_; }
  template <class T>
  std::span<T> as() {
    return {static_cast<T*>(data()), static_cast<size_t>(bytes_) / sizeof(T)};
  }
  template <class T>
  std::span<const T> as() const {
    return {static_cast<const T*>(data()), static_cast<size_t>(bytes_) / sizeof(T)};
  }

  // Empty when both guard zones hold the sentinel, else which one was written ("wrote 12 bytes
  // before the buffer", "wrote past the end of the buffer").
  std::string GuardDamage() const;

 private:
  struct Free {
    void operator()(unsigned char* p) const;
  };
  std::unique_ptr<unsigned char, Free> storage_;
  int64_t bytes_ = 0;
};

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
