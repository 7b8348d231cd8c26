// Runs a sequence of tasks (one per (strategy, problem) entry) in worker processes forked from
// the harness, so that a strategy that crashes, hangs, exits or exhausts memory ends only its
// own entry. One worker runs the tasks in order and sends each result back through a pipe; when
// it dies or overruns the time limit, its current task gets that verdict and a fresh worker
// continues with the next task. The harness process itself never runs a task, so everything it
// has printed and collected survives.
//
// A worker is a fork of the harness: it sees the registry, the loaded plugins and the task's
// captured state as they were when it started, and whatever a task changes stays in the worker
// (a per-problem cache in the task's closure lives as long as one worker does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "isolate/outcome.hpp"

namespace poolbench::isolate {

struct Options {
  // false: run every task in this process (for debugging); a crash then ends the run, and
  // there is no time or memory limit.
  bool isolate = true;
  // Seconds one task may take; 0 for no limit.
  double timeout_seconds = 60;
  // Bytes of address space a worker may map beyond what the harness had mapped when it
  // forked (RLIMIT_AS); 0 for no limit. Not applied in builds with AddressSanitizer, whose
  // shadow memory needs terabytes of address space.
  uint64_t memory_limit_bytes = 0;
  // Whether the tasks run strategies, held to their contract: a task that calls fork() fails
  // at once (its child would run the harness's code as a second worker), and one that leaves a
  // thread or a process running after it returns fails with what it left (and a fresh worker
  // takes the next task). Off for other work run in a worker, such as loading a plugin, whose
  // libraries may start thread pools.
  bool strategy_contract = true;
  // When set, the seconds task `index` may take instead (0: no limit), asked in this process
  // as the task starts, after the earlier tasks' outcomes were handed to `done`.
  std::function<double(size_t index)> timeout_of = nullptr;
};

// The machine's physical memory in bytes, the default memory limit of a worker.
uint64_t PhysicalMemoryBytes();

// Returns the task's result; runs in a worker. An exception it throws becomes Fault::kThrew
// (std::bad_alloc: Fault::kOutOfMemory) with the exception's message.
using Task = std::function<std::string(size_t index)>;
// Receives each task's outcome in the harness process, in task order, as soon as it is known;
// returns false to stop the run there (the worker is killed, the remaining tasks are not run).
using Done = std::function<bool(size_t index, Outcome outcome)>;

// Runs task(0) ... task(count - 1) and hands each outcome to `done`. Flushes stdout and stderr
// before forking, so nothing buffered is printed twice. A worker ignores SIGINT and SIGTERM,
// which are the harness's to handle (it stops between tasks, through `done`), and is killed
// when the harness dies. Each worker is the leader of its own process group and the reaper of
// its orphaned descendants, and this process is the reaper of a worker's while it runs them:
// at a deadline, and whenever a worker ends, everything it started is killed too, even what
// left its process group. A message on the pipe that is not the worker's own answer to the task
// it runs (from a child a strategy forked, or bytes a strategy wrote to it) fails that task
// (Fault::kCrashed, saying so). Throws std::system_error when a pipe or a process cannot be
// created.
void RunTasks(size_t count, const Task& task, const Options& options, const Done& done);

// For a task that calls a strategy's kernel again and again (bench times it in a loop): call
// with this process's thread count (ThreadCount()) before a call of the kernel, and after it.
// When the call left more threads than there were (a kernel that starts a thread per call and
// leaves it running: a loop would start thousands), ends the task at once with the leftover
// verdict it would get at its end. Threads the kernel keeps for its lifetime (a pool made in
// Prepare or in its first call) are its own and do not count. Waits up to a second for new
// threads to end, only when there are some. Does nothing outside a worker running tasks under
// the strategy contract.
void CheckNoNewThreads(size_t before);

}  // namespace poolbench::isolate
