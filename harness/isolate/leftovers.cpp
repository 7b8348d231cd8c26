#include "isolate/leftovers.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace poolbench::isolate {
namespace {

// The parent of process `pid` from /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold
// spaces and parentheses, so the fields are counted from the last ')'), or -1.
pid_t ParentOf(const char* pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%s/stat", pid);
  FILE* f = std::fopen(path, "re");
  if (!f) return -1;
  char text[1024];
  const size_t n = std::fread(text, 1, sizeof text - 1, f);
  std::fclose(f);
  text[n] = '\0';
  const char* close = std::strrchr(text, ')');
  if (!close) return -1;
  char state = 0;
  int parent = -1;
  if (std::sscanf(close + 1, " %c %d", &state, &parent) != 2) return -1;
  return parent;
}

// A directory's entries whose names are numbers.
template <class Visit>
void ForEachNumber(const char* dir, Visit visit) {
  DIR* d = ::opendir(dir);
  if (!d) return;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    visit(e->d_name);
  }
  ::closedir(d);
}

}  // namespace

SubreaperScope::SubreaperScope() {
  ::prctl(PR_GET_CHILD_SUBREAPER, &previous_, 0, 0, 0);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

SubreaperScope::~SubreaperScope() { ::prctl(PR_SET_CHILD_SUBREAPER, previous_, 0, 0, 0); }

std::vector<pid_t> Children() {
  // /proc/PID/task/TID/children would list them directly, but not every kernel has it.
  const pid_t self = ::getpid();
  std::vector<pid_t> out;
  ForEachNumber("/proc", [&](const char* name) {
    if (ParentOf(name) == self) out.push_back(static_cast<pid_t>(std::atol(name)));
  });
  return out;
}

bool ReapExitedChildren() {
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(-1, &status, WNOHANG);
    if (r > 0) continue;
    if (r < 0 && errno == EINTR) continue;
    return r == 0;  // 0: children that are still running; -1 (ECHILD): none at all
  }
}

size_t KillDescendants(const std::vector<pid_t>& keep) {
  size_t killed = 0;
  // Each pass kills the children found; their own children become this process's as they die.
  // A strategy forking as fast as it can is outrun in the end, since every pass kills whole
  // process groups; the bound keeps a pathological case from looping for ever.
  for (int pass = 0; pass < 1000; ++pass) {
    std::vector<pid_t> found = Children();
    std::erase_if(found,
                  [&](pid_t p) { return std::find(keep.begin(), keep.end(), p) != keep.end(); });
    if (found.empty()) break;
    for (pid_t p : found) {
      // Its process group too, when it leads one (setsid() or setpgid() made it): what it
      // started since dies with it.
      if (::getpgid(p) == p) ::kill(-p, SIGKILL);
      ::kill(p, SIGKILL);
    }
    for (pid_t p : found) {
      int status = 0;
      while (::waitpid(p, &status, 0) < 0 && errno == EINTR) {
      }
    }
    killed += found.size();
  }
  return killed;
}

size_t ThreadCount() {
  size_t n = 0;
  ForEachNumber("/proc/self/task", [&](const char*) { ++n; });
  return n;
}

size_t SettleThreads(std::chrono::milliseconds wait) {
  // Found at run time, so that this library needs no OpenMP of its own: the runtime the
  // harness and the strategies share, if one is loaded.
  using PauseFn = int (*)(int);
  static const auto pause =
      reinterpret_cast<PauseFn>(::dlsym(RTLD_DEFAULT, "omp_pause_resource_all"));
  constexpr int kPauseHard = 2;  // omp_pause_hard: the pool's threads end
  if (pause && ThreadCount() > 1) pause(kPauseHard);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const size_t threads = ThreadCount();
    if (threads <= 1) return 0;
    if (std::chrono::steady_clock::now() >= deadline) return threads - 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace poolbench::isolate
