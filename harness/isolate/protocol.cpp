#include "isolate/protocol.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace poolbench::isolate {
namespace {

// "PBW1" in memory order: a frame's first four bytes.
constexpr char kMagic[4] = {'P', 'B', 'W', '1'};

// The worker's state, read by its fault handler: lock-free atomics, which a signal handler may
// touch.
std::atomic<uint64_t> g_task{0};
std::atomic<uint64_t> g_sequence{0};
static_assert(std::atomic<uint64_t>::is_always_lock_free, "the fault handler needs these");

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(3);  // the harness is gone; nobody is left to tell
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

void BeginWorker() { g_sequence.store(0); }

void BeginTask(uint64_t task) { g_task.store(task); }

void EncodeFrameHeader(char type, uint64_t length, char* out) noexcept {
  // The PID of the process writing, which is the worker's unless a strategy forked: the harness
  // compares it with the worker's.
  const pid_t pid = ::getpid();
  const uint64_t task = g_task.load();
  const uint64_t sequence = g_sequence.fetch_add(1);
  std::memcpy(out, kMagic, 4);
  out[4] = type;
  std::memcpy(out + 5, &pid, 4);
  std::memcpy(out + 9, &task, 8);
  std::memcpy(out + 17, &sequence, 8);
  std::memcpy(out + 25, &length, 8);
}

void WriteFrame(int fd, char type, std::string_view payload) {
  std::string frame(kFrameHeaderSize, '\0');
  EncodeFrameHeader(type, payload.size(), frame.data());
  frame += payload;
  // One write(2) for the frames a worker usually sends (below PIPE_BUF, so never interleaved
  // with another writer's); a large result is written in parts.
  WriteAll(fd, frame.data(), frame.size());
}

bool FrameReader::Fill() {
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

FrameReader::Status FrameReader::Next(FrameHeader& header, std::string& payload) {
  const size_t check = std::min<size_t>(buffer_.size(), 4);
  if (std::memcmp(buffer_.data(), kMagic, check) != 0) return Status::kGarbage;
  if (buffer_.size() < kFrameHeaderSize) return Status::kNone;
  header.type = buffer_[4];
  std::memcpy(&header.pid, buffer_.data() + 5, 4);
  std::memcpy(&header.task, buffer_.data() + 9, 8);
  std::memcpy(&header.sequence, buffer_.data() + 17, 8);
  std::memcpy(&header.length, buffer_.data() + 25, 8);
  if (header.length > kMaxFramePayload) return Status::kGarbage;
  if (buffer_.size() - kFrameHeaderSize < header.length) return Status::kNone;
  payload = buffer_.substr(kFrameHeaderSize, header.length);
  buffer_.erase(0, kFrameHeaderSize + header.length);
  return Status::kFrame;
}

}  // namespace poolbench::isolate
