#include "run/guarded_buffer.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

namespace poolbench {

void GuardedBuffer::Free::operator()(unsigned char* p) const { std::free(p); }

GuardedBuffer::GuardedBuffer(int64_t bytes) : bytes_(bytes) {
  if (bytes < 0) throw std::invalid_argument("buffer size must be >= 0");
  if (bytes == 0) return;
  // Round the data up to whole alignment units, so the trailing guard is aligned too.
  const int64_t data = (bytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  const auto total = static_cast<size_t>(data + 2 * kGuardBytes);
  storage_.reset(static_cast<unsigned char*>(std::aligned_alloc(kBufferAlignment, total)));
  if (!storage_) throw std::bad_alloc();
  std::memset(storage_.get(), kSentinel, total);
}

std::string GuardedBuffer::GuardDamage() const {
  if (!bytes_) return {};
  const unsigned char* base = storage_.get();
  // The damaged byte farthest from the data, so the message says where the stray write began.
  for (int64_t i = 0; i < kGuardBytes; ++i) {
    if (base[i] != kSentinel) {
      return "wrote before the start of the buffer (" + std::to_string(kGuardBytes - i) +
             " bytes before it)";
    }
  }
  const unsigned char* tail = base + kGuardBytes + bytes_;
  const int64_t tail_bytes =
      (bytes_ + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment - bytes_ + kGuardBytes;
  for (int64_t i = 0; i < tail_bytes; ++i) {
    if (tail[i] != kSentinel) {
      return "wrote past the end of the buffer (" + std::to_string(i + 1) + " bytes after it)";
    }
  }
  return {};
}

void SavedForwardBuffers::Bind(Kernel& k, const Problem& p, Buffers& b) {
  const SavedForward saves = k.Saves();
  if (!saves.any()) return;
  if (saves.workspace_bytes < 0) {
    throw std::runtime_error("the kernel asked for a workspace of negative size");
  }
  if (saves.indices) {
    indices_ = GuardedBuffer(OutputElements(p) * static_cast<int64_t>(sizeof(int64_t)));
    b.indices = static_cast<int64_t*>(indices_.data());
  }
  workspace_ = GuardedBuffer(saves.workspace_bytes);
  b.workspace = workspace_.data();
  k.SaveForward(b);
}

}  // namespace poolbench
