#include "run/guarded_buffer.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <new>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace poolbench {
namespace {

// The live guarded buffers, for the fault handler: fixed, lock-free slots, because a signal
// handler may neither lock nor allocate. A buffer that finds no free slot still works; a fault
// in it is reported by address only.
struct Slot {
  std::atomic<bool> used{false};
  std::atomic<uintptr_t> begin{0}, end{0}, data{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<const char*> label{nullptr};
};
constexpr int kSlots = 4096;
Slot g_slots[kSlots];

int Claim(uintptr_t begin, uintptr_t end, uintptr_t data, int64_t bytes, const char* label) {
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (g_slots[i].used.load(std::memory_order_relaxed) ||
        !g_slots[i].used.compare_exchange_strong(expected, true)) {
      continue;
    }
    Slot& s = g_slots[i];
    s.label.store(label);
    s.bytes.store(bytes);
    s.data.store(data);
    s.begin.store(begin);
    s.end.store(end);
    return i;
  }
  return -1;
}

void Unclaim(int i) {
  if (i < 0) return;
  g_slots[i].end.store(0);
  g_slots[i].begin.store(0);
  g_slots[i].used.store(false);
}

size_t PageSize() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

size_t RoundUp(size_t n, size_t unit) { return (n + unit - 1) / unit * unit; }

}  // namespace

GuardedBuffer::GuardedBuffer(int64_t bytes, const char* label) : bytes_(bytes) {
  if (bytes < 0) throw std::invalid_argument("buffer size must be >= 0");
  if (bytes == 0) return;
  const size_t page = PageSize();
  const size_t data = RoundUp(static_cast<size_t>(bytes), kBufferAlignment);
  open_bytes_ = RoundUp(data + 2 * kGuardBytes, page);
  const size_t guard = kGuardPages * page;
  map_bytes_ = open_bytes_ + 2 * guard;
  void* m = mmap(nullptr, map_bytes_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    map_bytes_ = 0;
    throw std::bad_alloc();
  }
  map_ = static_cast<unsigned char*>(m);
  open_ = map_ + guard;
  if (mprotect(open_, open_bytes_, PROT_READ | PROT_WRITE) != 0) {
    Release();
    throw std::bad_alloc();
  }
  // The data ends kGuardBytes (plus its rounding) before the rear guard pages.
  data_ = open_ + open_bytes_ - kGuardBytes - data;
  std::memset(open_, kSentinel, open_bytes_);
  slot_ = Claim(reinterpret_cast<uintptr_t>(map_), reinterpret_cast<uintptr_t>(map_ + map_bytes_),
                reinterpret_cast<uintptr_t>(data_), bytes_, label);
}

GuardedBuffer::GuardedBuffer(GuardedBuffer&& other) noexcept { *this = std::move(other); }

GuardedBuffer& GuardedBuffer::operator=(GuardedBuffer&& other) noexcept {
  if (this == &other) return *this;
  Release();
  map_ = std::exchange(other.map_, nullptr);
  map_bytes_ = std::exchange(other.map_bytes_, 0);
  open_ = std::exchange(other.open_, nullptr);
  open_bytes_ = std::exchange(other.open_bytes_, 0);
  data_ = std::exchange(other.data_, nullptr);
  bytes_ = std::exchange(other.bytes_, 0);
  slot_ = std::exchange(other.slot_, -1);
  return *this;
}

GuardedBuffer::~GuardedBuffer() { Release(); }

void GuardedBuffer::Release() noexcept {
  Unclaim(slot_);
  slot_ = -1;
  if (map_) munmap(map_, map_bytes_);
  map_ = open_ = data_ = nullptr;
  map_bytes_ = open_bytes_ = 0;
  bytes_ = 0;
}

void GuardedBuffer::SetLabel(const char* label) {
  if (slot_ >= 0) g_slots[slot_].label.store(label);
}

void GuardedBuffer::SetReadOnly(bool read_only) {
  if (!open_) return;
  if (mprotect(open_, open_bytes_, read_only ? PROT_READ : PROT_READ | PROT_WRITE) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot change a buffer's protection");
  }
}

std::string GuardedBuffer::GuardDamage() const {
  if (!bytes_) return {};
  // The damaged byte farthest from the data, so the message says where the stray write began.
  const int64_t front = data_ - open_;
  for (int64_t i = 0; i < front; ++i) {
    if (open_[i] != kSentinel) {
      return "wrote before the start of the buffer (" + std::to_string(front - i) +
             " bytes before it)";
    }
  }
  const unsigned char* tail = data_ + bytes_;
  const int64_t tail_bytes = open_ + open_bytes_ - tail;
  for (int64_t i = 0; i < tail_bytes; ++i) {
    if (tail[i] != kSentinel) {
      return "wrote past the end of the buffer (" + std::to_string(i + 1) + " bytes after it)";
    }
  }
  return {};
}

ReadOnlyWhileAlive::ReadOnlyWhileAlive(std::initializer_list<GuardedBuffer*> buffers) {
  size_t n = 0;
  for (GuardedBuffer* b : buffers) {
    if (n == std::size(buffers_)) throw std::logic_error("ReadOnlyWhileAlive takes 4 buffers");
    buffers_[n++] = b;
    b->SetReadOnly(true);
  }
}

ReadOnlyWhileAlive::~ReadOnlyWhileAlive() {
  for (GuardedBuffer* b : buffers_) {
    // Cannot fail for a range that mprotect accepted before; nothing to do if it did.
    try {
      if (b) b->SetReadOnly(false);
    } catch (const std::system_error&) {
    }
  }
}

bool FindGuardedBuffer(const void* address, GuardHit& hit) noexcept {
  const auto a = reinterpret_cast<uintptr_t>(address);
  for (const Slot& s : g_slots) {
    if (!s.used.load(std::memory_order_relaxed)) continue;
    if (a < s.begin.load() || a >= s.end.load()) continue;
    hit.label = s.label.load();
    hit.bytes = s.bytes.load();
    hit.offset = static_cast<int64_t>(a - s.data.load());
    return true;
  }
  return false;
}

void SavedForwardBuffers::Bind(Kernel& k, const Problem& p, Buffers& b) {
  const SavedForward saves = k.Saves();
  if (!saves.any()) return;
  if (saves.workspace_bytes < 0) {
    throw std::runtime_error("the kernel asked for a workspace of negative size");
  }
  if (saves.indices) {
    indices_ =
        GuardedBuffer(OutputElements(p) * static_cast<int64_t>(sizeof(int64_t)), "saved indices");
    b.indices = static_cast<int64_t*>(indices_.data());
  }
  workspace_ = GuardedBuffer(saves.workspace_bytes, "workspace");
  b.workspace = workspace_.data();
  k.SaveForward(b);
}

}  // namespace poolbench
