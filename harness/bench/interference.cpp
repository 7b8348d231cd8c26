#include "bench/interference.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace poolbench {
namespace {

int64_t Nanoseconds(const timeval& t) { return int64_t{t.tv_sec} * 1000000000 + t.tv_usec * 1000; }

// Reads a small /proc file into `buf` with one read(2); false when it cannot.
bool ReadSmall(const std::string& path, char* buf, size_t size) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  return true;
}

// Sums the first two fields of every thread's schedstat: time on a CPU and time waiting on a run
// queue, in nanoseconds.
bool ReadThreadSchedstats(const std::string& proc, int64_t& cpu, int64_t& delay) {
  const std::string dir = proc + "/self/task";
  DIR* tasks = opendir(dir.c_str());
  if (!tasks) return false;
  cpu = delay = 0;
  bool any = false;
  while (const dirent* e = readdir(tasks)) {
    if (e->d_name[0] == '.') continue;
    char buf[128];
    // A thread that ended since the directory was read has no file: it is left out.
    if (!ReadSmall(dir + "/" + e->d_name + "/schedstat", buf, sizeof buf)) continue;
    long long on_cpu = 0, waiting = 0;
    if (std::sscanf(buf, "%lld %lld", &on_cpu, &waiting) != 2) continue;
    cpu += on_cpu;
    delay += waiting;
    any = true;
  }
  closedir(tasks);
  return any;
}

// The first line of /proc/stat: "cpu user nice system idle iowait irq softirq steal ...".
bool ReadMachineStat(const std::string& proc, int64_t& busy, int64_t& steal) {
  char buf[512];
  if (!ReadSmall(proc + "/stat", buf, sizeof buf)) return false;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, st = 0;
  if (std::sscanf(buf, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &user, &nice, &system, &idle,
                  &iowait, &irq, &softirq, &st) != 8) {
    return false;
  }
  busy = user + nice + system + irq + softirq;
  steal = st;
  return true;
}

}  // namespace

std::string ProcDir() {
  const char* dir = std::getenv("POOLBENCH_PROC_DIR");
  return dir && *dir ? dir : "/proc";
}

InterferenceSnapshot TakeInterferenceSnapshot() {
  InterferenceSnapshot s;
  const std::string proc = ProcDir();
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  s.wall_ns = int64_t{now.tv_sec} * 1000000000 + now.tv_nsec;
  int64_t cpu = 0, delay = 0;
  if (ReadThreadSchedstats(proc, cpu, delay)) {
    s.thread_cpu_ns = cpu;
    s.run_delay_ns = delay;
  }
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    s.cpu_ns = Nanoseconds(ru.ru_utime) + Nanoseconds(ru.ru_stime);
    s.involuntary_switches = ru.ru_nivcsw;
  }
  int64_t busy = 0, steal = 0;
  if (ReadMachineStat(proc, busy, steal)) {
    s.machine_busy_ticks = busy;
    s.steal_ticks = steal;
  }
  return s;
}

report::Interference InterferenceBetween(const InterferenceSnapshot& a,
                                         const InterferenceSnapshot& b) {
  report::Interference e;
  e.wall_ns = static_cast<double>(b.wall_ns - a.wall_ns);
  e.cpu_ns = static_cast<double>(b.cpu_ns - a.cpu_ns);
  e.involuntary_switches = b.involuntary_switches - a.involuntary_switches;
  std::string unmeasured;
  if (a.run_delay_ns >= 0 && b.run_delay_ns >= 0) {
    // Threads that ended between the snapshots take their counts with them; the sum never
    // goes below zero for that.
    e.run_delay_ns = static_cast<double>(std::max<int64_t>(0, b.run_delay_ns - a.run_delay_ns));
  } else {
    unmeasured = "run-queue delay (no " + ProcDir() + "/self/task/*/schedstat)";
  }
  if (a.machine_busy_ticks >= 0 && b.machine_busy_ticks >= 0) {
    const double tick_ns = 1e9 / static_cast<double>(sysconf(_SC_CLK_TCK));
    e.steal_ns = static_cast<double>(b.steal_ticks - a.steal_ticks) * tick_ns;
    const double others_ns =
        static_cast<double>(b.machine_busy_ticks - a.machine_busy_ticks) * tick_ns - e.cpu_ns;
    e.other_busy_cpus = e.wall_ns > 0 ? std::max(0.0, others_ns) / e.wall_ns : 0;
  } else {
    unmeasured += std::string(unmeasured.empty() ? "" : ", ") +
                  "steal and other processes' load (no " + ProcDir() + "/stat)";
  }
  e.unmeasured = unmeasured;
  return e;
}

std::string Disturbance(const report::Interference& e) {
  if (e.wall_ns <= 0) return "";
  char buf[96];
  if (e.run_delay_ns && *e.run_delay_ns > kDisturbedFraction * e.wall_ns) {
    std::snprintf(buf, sizeof buf, "threads waited for a CPU %.1f%% of the time",
                  100 * *e.run_delay_ns / e.wall_ns);
    return buf;
  }
  if (e.steal_ns && *e.steal_ns > kDisturbedFraction * e.wall_ns) {
    std::snprintf(buf, sizeof buf, "the hypervisor stole %.1f%% of the time",
                  100 * *e.steal_ns / e.wall_ns);
    return buf;
  }
  return "";
}

}  // namespace poolbench
