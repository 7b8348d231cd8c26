// RunTasks through real worker processes: results come back in order, and a task that throws,
// runs out of memory, crashes, exits or hangs gets its own verdict while the tasks after it
// still run in a fresh worker.
#include "isolate/worker.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "isolate/fault_reporter.hpp"
#include "run/guarded_buffer.hpp"

namespace poolbench::isolate {
namespace {

// Runs `count` tasks and returns their outcomes by index.
std::vector<Outcome> RunAll(size_t count, const Task& task, Options opt = {}) {
  std::vector<Outcome> out(count);
  std::vector<size_t> order;
  RunTasks(count, task, opt, [&](size_t i, Outcome o) {
    order.push_back(i);
    out[i] = std::move(o);
    return true;
  });
  std::vector<size_t> want(count);
  for (size_t i = 0; i < count; ++i) want[i] = i;
  EXPECT_EQ(order, want);
  return out;
}

// Task 1 misbehaves with `fault`; tasks 0 and 2 return their index.
std::vector<Outcome> WithFaultAtOne(void (*fault)(), Options opt = {}) {
  return RunAll(
      3,
      [fault](size_t i) {
        if (i == 1) fault();
        return std::to_string(i);
      },
      opt);
}

void ExpectNeighboursRan(const std::vector<Outcome>& o) {
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].fault, Fault::kNone);
  EXPECT_EQ(o[0].result, "0");
  EXPECT_EQ(o[2].fault, Fault::kNone);
  EXPECT_EQ(o[2].result, "2");
}

TEST(RunTasks, ReturnsEveryResultInOrder) {
  const auto o = RunAll(5, [](size_t i) { return std::string(i * 1000, 'x'); });
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(o[i].result.size(), i * 1000);
}

TEST(RunTasks, AThrowIsTheTasksVerdictInAWorkerAndInProcess) {
  for (bool isolate : {true, false}) {
    Options opt;
    opt.isolate = isolate;
    const auto o = WithFaultAtOne([] { throw std::runtime_error("bad state"); }, opt);
    ExpectNeighboursRan(o);
    EXPECT_EQ(o[1].fault, Fault::kThrew);
    EXPECT_EQ(o[1].message, "threw: bad state");
  }
}

TEST(RunTasks, BadAllocIsOutOfMemory) {
  const auto o = WithFaultAtOne([] { throw std::bad_alloc(); });
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kOutOfMemory);
}

TEST(RunTasks, TheMemoryLimitTurnsAHoarderIntoOutOfMemory) {
  Options opt;
  opt.memory_limit_bytes = uint64_t{256} << 20;
  const auto o = WithFaultAtOne(
      [] {
        std::vector<std::unique_ptr<char[]>> hoard;
        for (;;) hoard.emplace_back(new char[size_t{64} << 20]);
      },
      opt);
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kOutOfMemory);
}

#if defined(POOLBENCH_SANITIZED)
// In a sanitized build (scripts/ci-sanitize.sh) a sanitizer that stops a worker is the verdict of
// the task it stopped, naming the finding, not "exited with status 1".
TEST(RunTasks, ASanitizerStopIsACrashThatSaysSo) {
  const auto o = WithFaultAtOne([] {
    volatile int largest = std::numeric_limits<int>::max();
    volatile int overflowed = largest + 1;  // undefined behaviour, stopped by the sanitizer
    (void)overflowed;
  });
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kCrashed);
  EXPECT_NE(o[1].message.find("stopped by the sanitizer"), std::string::npos) << o[1].message;
}

#if defined(__SANITIZE_ADDRESS__)
TEST(RunTasks, AHeapOverflowNamesAddressSanitizersFinding) {
  const auto o = WithFaultAtOne([] {
    std::unique_ptr<char[]> small(new char[8]);
    char* volatile opaque = small.get();  // hidden from UndefinedBehaviorSanitizer's size checks
    opaque[8] = 1;
  });
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kCrashed);
  EXPECT_NE(o[1].message.find("AddressSanitizer: heap-buffer-overflow"), std::string::npos)
      << o[1].message;
}
#endif
#endif

TEST(RunTasks, ACrashNamesTheSignalAndANewWorkerGoesOn) {
  const auto o = WithFaultAtOne([] { std::abort(); });
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kCrashed);
  EXPECT_EQ(o[1].signal, "SIGABRT");
}

TEST(RunTasks, ExitZeroIsNotASuccess) {
  const auto o = WithFaultAtOne([] { std::exit(0); });
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kExited);
  EXPECT_EQ(o[1].status, 0);
}

TEST(RunTasks, AHangIsKilledAtTheTimeout) {
  Options opt;
  opt.timeout_seconds = 0.2;
  const auto o = WithFaultAtOne(
      [] {
        for (volatile bool forever = true; forever;) {
        }
      },
      opt);
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kTimedOut);
  EXPECT_NE(o[1].message.find("0.2 s"), std::string::npos) << o[1].message;
}

TEST(RunTasks, DoneStopsTheRunBetweenTasks) {
  for (bool isolate : {true, false}) {
    Options opt;
    opt.isolate = isolate;
    std::vector<size_t> seen;
    RunTasks(
        5, [](size_t i) { return std::to_string(i); }, opt,
        [&](size_t i, Outcome) {
          seen.push_back(i);
          return i < 1;
        });
    EXPECT_EQ(seen, (std::vector<size_t>{0, 1}));
  }
}

TEST(RunTasks, AFaultInAGuardPageNamesTheBufferAndTheOffset) {
  const auto o = RunAll(1, [](size_t) {
    GuardedBuffer out(100, "output");
    static_cast<volatile char*>(out.data())[100 + 1000] = 1;
    return std::string("not reached");
  });
  EXPECT_EQ(o[0].fault, Fault::kCrashed);
  EXPECT_EQ(o[0].signal, "SIGSEGV");
  EXPECT_NE(o[0].message.find("wrote past the output at offset +1000 bytes after its end"),
            std::string::npos)
      << o[0].message;
}

TEST(RunTasks, AWriteIntoAReadOnlyInputNamesTheOffset) {
  const auto o = RunAll(1, [](size_t) {
    GuardedBuffer in(64, "input");
    const ReadOnlyWhileAlive read_only{&in};
    static_cast<volatile char*>(in.data())[40] = 1;
    return std::string("not reached");
  });
  EXPECT_EQ(o[0].fault, Fault::kCrashed);
  EXPECT_NE(o[0].message.find("wrote into the input at offset 40"), std::string::npos)
      << o[0].message;
}

TEST(DescribeFault, NamesAddressesOutsideEveryBuffer) {
  EXPECT_EQ(DescribeFault(reinterpret_cast<void*>(0x10), 1),
            "wrote at address 0x10, outside every buffer of the harness");
  GuardedBuffer b(10, "indices");
  EXPECT_EQ(DescribeFault(static_cast<char*>(b.data()) - 5000, 0),
            "read before the indices at offset -5000 bytes");
}

}  // namespace
}  // namespace poolbench::isolate
