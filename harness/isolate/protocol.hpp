// The messages a worker sends the harness through its pipe, one frame each. Every frame says
// which task (one (strategy, problem) entry) it answers, which process wrote it and where it
// stands in the worker's sequence of frames, so that the harness can tell the worker's own
// messages from anyone else's: a child that a strategy forked shares the pipe and runs the same
// code, and a frame of its would otherwise be taken for the answer to the next task, pinning a
// verdict on the wrong strategy.
//
// A frame is a fixed header (magic, type, writer's PID, task index, sequence number, payload
// length) followed by the payload. The worker's fault handler writes frames too, from a signal
// handler, so writing a header is async-signal-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace poolbench::isolate {

// What a frame carries.
enum FrameType : char {
  kResultFrame = 'R',     // the task's result
  kThrewFrame = 'T',      // an exception's message
  kMemoryFrame = 'M',     // std::bad_alloc's message
  kSanitizerFrame = 'S',  // a sanitizer's report, just before it ends the worker
  kFaultFrame = 'F',      // what a SIGSEGV or SIGBUS touched, just before it ends the worker
  // The task returned but left threads or processes running: what it left. The worker ends
  // after it, and a fresh one takes the next task.
  kLeftoverFrame = 'L',
  // Written by a child that a task forked, as it starts: the harness refuses every frame that
  // is not the worker's own, and this one is how it learns of the child at once.
  kForkFrame = 'K',
};

struct FrameHeader {
  char type = 0;
  pid_t pid = 0;          // the process that wrote the frame
  uint64_t task = 0;      // the index of the task it answers
  uint64_t sequence = 0;  // 0 for a worker's first frame, then 1, 2, ...
  uint64_t length = 0;    // bytes of payload that follow
};

inline constexpr size_t kFrameHeaderSize = 4 + 1 + 4 + 8 + 8 + 8;
// Larger than any result a task returns (pool's arrays are the largest); a header claiming more
// is not a worker's.
inline constexpr uint64_t kMaxFramePayload = uint64_t{1} << 40;

// The worker's side: the task being run, and the frames written so far. Set by the worker before
// each task and read by its fault handler.
void BeginWorker();
void BeginTask(uint64_t task);

// Writes the header of a frame of `type` with `length` bytes of payload to follow into `out`
// (kFrameHeaderSize bytes), for the task being run and the next sequence number. Async-signal-
// safe.
void EncodeFrameHeader(char type, uint64_t length, char* out) noexcept;

// Writes a whole frame to `fd`; ends the process (the harness is gone) when the pipe is closed.
void WriteFrame(int fd, char type, std::string_view payload);

// The harness's side: reads frames from a worker's pipe as they arrive.
class FrameReader {
 public:
  explicit FrameReader(int fd) : fd_(fd) {}

  // Reads what is available; false at end of file.
  bool Fill();

  enum class Status {
    kNone,     // no complete frame yet
    kFrame,    // `header` and `payload` hold the next frame
    kGarbage,  // the bytes are not a frame: something other than a worker wrote to the pipe
  };
  Status Next(FrameHeader& header, std::string& payload);

  // Bytes read that are not part of a complete frame.
  size_t pending() const { return buffer_.size(); }

 private:
  int fd_;
  std::string buffer_;
};

}  // namespace poolbench::isolate
