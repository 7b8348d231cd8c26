// What a strategy can leave running after its task returns, and how it is cleared away: threads
// (a thread that spins on slows every later entry; one that writes late corrupts the next
// entry's buffers) and processes (a child, or a grandchild that left the worker's process group
// with setsid(), keeps the worker's pipe open and outlives --timeout).
//
// A worker is the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER), so whatever a
// strategy started becomes its child when the parent in between dies, and after each task it
// kills every process still running. The harness is a reaper too while it runs workers, for
// the processes of a worker killed at its deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <vector>

namespace poolbench::isolate {

// While alive, orphaned descendants of this process become its children
// (PR_SET_CHILD_SUBREAPER) instead of init's; the previous setting comes back when it goes.
class SubreaperScope {
 public:
  SubreaperScope();
  ~SubreaperScope();
  SubreaperScope(const SubreaperScope&) = delete;
  SubreaperScope& operator=(const SubreaperScope&) = delete;

 private:
  int previous_ = 0;
};

// The children of this process, living or exited and not yet reaped, by their /proc entries.
std::vector<pid_t> Children();

// Reaps the children that have exited; true when living children remain.
bool ReapExitedChildren();

// Kills every child of this process but those in `keep`, with their process groups, and every
// descendant that becomes a child as its parent dies (this process being their reaper), and
// reaps them all. Returns how many processes were killed.
size_t KillDescendants(const std::vector<pid_t>& keep = {});

// The threads of this process (/proc/self/task).
size_t ThreadCount();

// Stops OpenMP's idle thread pool, which every OpenMP program keeps between parallel regions
// (omp_pause_resource_all, when an OpenMP runtime is loaded; the next parallel region starts it
// again), then waits up to `wait` for this process to be down to its one thread. Returns the
// threads beyond it that are still running.
size_t SettleThreads(std::chrono::milliseconds wait);

}  // namespace poolbench::isolate
