// RunTasks through real worker processes: results come back in order, and a task that throws,
// runs out of memory, crashes, exits or hangs gets its own verdict while the tasks after it
// still run in a fresh worker.
#include "isolate/worker.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "isolate/fault_reporter.hpp"
#include "isolate/leftovers.hpp"
#include "run/guarded_buffer.hpp"

extern char** environ;

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
std::vector<Outcome> WithFaultAtOne(const std::function<void()>& fault, Options opt = {}) {
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

// Each task's limit is asked as it starts: here the second task may take 0.2 s, the others none.
TEST(RunTasks, ATaskMayHaveALimitOfItsOwn) {
  Options opt;
  opt.timeout_seconds = 0;
  std::vector<size_t> asked;
  opt.timeout_of = [&](size_t i) {
    asked.push_back(i);
    return i == 1 ? 0.2 : 0.0;
  };
  const auto o = RunAll(
      3,
      [](size_t i) {
        // Every task takes 0.4 s: only the second one runs out of time.
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        return std::to_string(i);
      },
      opt);
  EXPECT_EQ(o[0].fault, Fault::kNone) << o[0].message;
  EXPECT_EQ(o[1].fault, Fault::kTimedOut);
  EXPECT_NE(o[1].message.find("within 0.2 s"), std::string::npos) << o[1].message;
  EXPECT_EQ(o[2].fault, Fault::kNone) << o[2].message;
  EXPECT_EQ(asked, (std::vector<size_t>{0, 1, 2}));
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

// A task that forks: the child returns into the worker like its parent and sends a result of its
// own. The task fails, saying so, and the task after it gets its own result, not the child's.
TEST(RunTasks, AForkedChildThatWritesFailsItsTaskAndShiftsNothing) {
  const auto o = WithFaultAtOne([] { fork(); });
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kCrashed);
  // The child reports itself as it starts; when the worker ends the task and kills what it
  // left before the child was ever scheduled, the leftover is what fails the task.
  const bool reported = o[1].message.find("forked a child (PID ") != std::string::npos &&
                        o[1].message.find("that wrote to the harness") != std::string::npos;
  const bool left =
      o[1].message.find("left 1 process running after it returned (killed)") != std::string::npos;
  EXPECT_TRUE(reported || left) << o[1].message;
}

// The descriptors this process has open.
std::set<int> OpenDescriptors() {
  std::set<int> fds;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    fds.insert(std::stoi(e.path().filename().string()));
  }
  return fds;
}

// Bytes a task writes to the worker's pipe itself are not taken for a frame.
TEST(RunTasks, BytesWrittenToThePipeFailTheTaskThatWroteThem) {
  // The worker's pipe is the descriptor it has beyond those of the test process.
  const std::set<int> before = OpenDescriptors();
  const auto o = WithFaultAtOne([&before] {
    for (int fd : OpenDescriptors()) {
      if (before.contains(fd) || (fcntl(fd, F_GETFL) & O_ACCMODE) != O_WRONLY) continue;
      [[maybe_unused]] const ssize_t n = write(fd, "garbage!", 8);
    }
  });
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kCrashed);
  EXPECT_NE(o[1].message.find("wrote to the harness's pipe"), std::string::npos) << o[1].message;
}

// A thread left running after a task fails it, and the next task runs in a fresh worker (its
// thread count is that of a new process).
// Starts a thread that spins for ever and is never joined.
void StartSpinner() {
  std::thread([] {
    for (volatile bool forever = true; forever;) {
    }
  }).detach();
}

// Of three tasks returning their thread count, the middle one left a thread: it failed for it,
// and its neighbours ran in workers of one thread.
void ExpectTheMiddleTaskLeftAThread(const std::vector<Outcome>& o) {
  EXPECT_EQ(o[0].fault, Fault::kNone) << o[0].message;
  EXPECT_EQ(o[0].result, "1");
  EXPECT_EQ(o[1].fault, Fault::kCrashed);
  EXPECT_NE(o[1].message.find("left 1 thread running after it returned"), std::string::npos)
      << o[1].message;
  EXPECT_EQ(o[2].fault, Fault::kNone);
  EXPECT_EQ(o[2].result, "1");
}

TEST(RunTasks, AThreadLeftRunningFailsItsTask) {
  ExpectTheMiddleTaskLeftAThread(RunAll(3, [](size_t i) {
    if (i == 1) StartSpinner();
    return std::to_string(ThreadCount());
  }));
}

// A task that checks for new threads midway (bench, around a kernel's second call, before its
// timed loop) ends there with the leftover verdict when a call left one; threads that were
// there before the call (a kernel's pool) do not count. The thread started after the check
// would be a third: the task never gets that far.
TEST(RunTasks, CheckNoNewThreadsEndsATaskWhoseCallLeftOne) {
  ExpectTheMiddleTaskLeftAThread(RunAll(3, [](size_t i) {
    // A pool of the kernel's own, which it ends with its task.
    std::atomic<bool> stop{false};
    std::thread pool([&] {
      while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    const size_t before = ThreadCount();
    if (i == 1) StartSpinner();
    try {
      CheckNoNewThreads(before);
    } catch (...) {
      stop = true;
      pool.join();
      throw;
    }
    if (i == 1) StartSpinner();
    stop = true;
    pool.join();
    return std::to_string(ThreadCount());
  }));
}

// Outside a worker, CheckNoNewThreads has nothing to hold a task to.
TEST(CheckNoNewThreads, OutsideAWorkerDoesNothing) {
  std::atomic<bool> stop{false};
  const size_t before = ThreadCount();
  std::thread helper([&] {
    while (!stop) std::this_thread::yield();
  });
  EXPECT_NO_THROW(CheckNoNewThreads(before));
  stop = true;
  helper.join();
}

// OpenMP's idle pool is not a thread left behind: the worker stops it after each task.
TEST(RunTasks, OpenMpsIdlePoolIsNotALeftover) {
  const auto o = RunAll(2, [](size_t) {
    std::atomic<int> ran{0};
#pragma omp parallel num_threads(2)
    ran.fetch_add(1);
    return std::to_string(ran.load());
  });
  EXPECT_EQ(o[0].fault, Fault::kNone) << o[0].message;
  EXPECT_EQ(o[1].fault, Fault::kNone) << o[1].message;
}

// Starts `setsid sleep 30` through a shell that exits at once: a grandchild in a session of its
// own, out of the worker's process group. Returns its PID.
pid_t StartGrandchild() {
  char pattern[] = "/tmp/poolbench_worker_test_XXXXXX";
  const int fd = mkstemp(pattern);
  close(fd);
  const std::string command = std::string("setsid sleep 30 & echo $! > ") + pattern;
  const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
  pid_t sh = 0;
  if (posix_spawnp(&sh, "sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) return 0;
  waitpid(sh, nullptr, 0);
  std::ifstream in(pattern);
  pid_t pid = 0;
  in >> pid;
  unlink(pattern);
  return pid;
}

// A process a task leaves running (here a grandchild outside the worker's group and session) is
// killed when the task returns, which fails the task, instead of outliving it.
TEST(RunTasks, AProcessLeftRunningIsKilledAndFailsItsTask) {
  const std::string pid_file = std::filesystem::temp_directory_path() / "pb_left_process";
  const auto o = WithFaultAtOne([&] { std::ofstream(pid_file) << StartGrandchild(); });
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kCrashed);
  EXPECT_NE(o[1].message.find("left 1 process running after it returned (killed)"),
            std::string::npos)
      << o[1].message;
  pid_t grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  std::filesystem::remove(pid_file);
  ASSERT_GT(grandchild, 0);
  EXPECT_NE(kill(grandchild, 0), 0) << "the grandchild is still running";
}

// A forked child is caught at once, even one that leaves the worker's group, and everything it
// started is killed with the worker.
TEST(RunTasks, AForkedGrandchildInASessionOfItsOwnIsKilled) {
  const auto start = std::chrono::steady_clock::now();
  const auto o = WithFaultAtOne([] {
    if (fork() == 0) {
      setsid();
      sleep(30);
      _exit(0);
    }
    sleep(30);
  });
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kCrashed);
  EXPECT_NE(o[1].message.find("forked a child"), std::string::npos) << o[1].message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_TRUE(Children().empty()) << "a child outlived its worker";
}

// At a deadline the whole tree goes: the worker's process group, and (the harness being the
// reaper of their orphans) whatever left the group.
TEST(RunTasks, ATimeoutKillsWhatTheTaskStartedEvenOutsideItsGroup) {
  const std::string pid_file = std::filesystem::temp_directory_path() / "pb_timeout_process";
  Options opt;
  opt.timeout_seconds = 0.5;
  const auto o = WithFaultAtOne(
      [&] {
        std::ofstream(pid_file) << StartGrandchild();
        for (volatile bool forever = true; forever;) {
        }
      },
      opt);
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].fault, Fault::kTimedOut);
  pid_t grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  std::filesystem::remove(pid_file);
  ASSERT_GT(grandchild, 0);
  EXPECT_NE(kill(grandchild, 0), 0) << "the grandchild outlived the timeout";
}

// The harness kills only at a deadline; a SIGKILL from elsewhere is not the OOM killer's unless
// the kernel counted one.
TEST(RunTasks, ASigkillFromOutsideIsNotCalledOutOfMemory) {
  const auto o = WithFaultAtOne([] { kill(getpid(), SIGKILL); });
  ExpectNeighboursRan(o);
  EXPECT_EQ(o[1].signal, "SIGKILL");
  EXPECT_EQ(o[1].fault, Fault::kCrashed) << o[1].message;
  EXPECT_NE(o[1].message.find("killed by SIGKILL from outside poolbench"), std::string::npos)
      << o[1].message;
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
