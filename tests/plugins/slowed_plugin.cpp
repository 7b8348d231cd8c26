// A test plugin for measuring the comparison gate: strategy "slowed" runs an in-tree strategy
// (POOLBENCH_SLOWED_STRATEGY, default strided_view) and then busy-waits for a fraction
// POOLBENCH_SLOWDOWN (default 0) of the time that run took, so a build can be given a real,
// calibrated slowdown of one strategy: 0.25 makes every run 25% slower. With the default 0 it
// adds nothing but the call through the wrapper. It lives in tests/ because a shipped build
// must never contain a deliberately slowed strategy.
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "poolbench/plugin.hpp"

namespace {

using poolbench::Problem;

// The executable's registry, from the register entry point: the wrapped strategy lives there.
const poolbench::Registry* host_registry = nullptr;

double Slowdown() {
  const char* v = std::getenv("POOLBENCH_SLOWDOWN");
  return v ? std::strtod(v, nullptr) : 0.0;
}

std::string Wrapped() {
  const char* v = std::getenv("POOLBENCH_SLOWED_STRATEGY");
  return v ? v : "strided_view";
}

// The CPU time of the calling thread, in nanoseconds.
int64_t CpuNs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// A fixed amount of work: `n` steps of a loop the compiler cannot remove.
void Spin(uint64_t n) {
  volatile uint64_t x = 0;
  for (uint64_t i = 0; i < n; ++i) x = x + 1;
}

// Steps of Spin per nanosecond of CPU time on this machine, measured once.
double SpinsPerNs() {
  static const double rate = [] {
    constexpr uint64_t kSteps = 20000000;
    const int64_t start = CpuNs();
    Spin(kSteps);
    return static_cast<double>(kSteps) / static_cast<double>(std::max<int64_t>(1, CpuNs() - start));
  }();
  return rate;
}

// What reading CpuNs twice costs, measured once: subtracted from a measured kernel.
int64_t ClockNs() {
  static const int64_t cost = [] {
    int64_t least = INT64_MAX;
    for (int i = 0; i < 1000; ++i) {
      const int64_t start = CpuNs();
      least = std::min(least, CpuNs() - start);
    }
    return least;
  }();
  return cost;
}

// The wait is a fixed amount of work, a fraction of the kernel's own CPU time, not a wait for
// a wall-clock deadline: on a loaded machine a run's wall time includes the time its thread
// waited for a core, a wall-clock wait would add that too (and overshoot whenever the thread
// is descheduled near its end), and reading a CPU-time clock around every call would cost more
// than a tiny kernel. So the first calls measure the kernel's CPU time (the least of them, the
// least disturbed), and every call then spins for the fraction of it.
class SlowedKernel final : public poolbench::Kernel {
 public:
  SlowedKernel(std::unique_ptr<poolbench::Kernel> inner, double slowdown)
      : inner_(std::move(inner)), slowdown_(slowdown) {}
  void Run(const poolbench::Buffers& b) override {
    if (slowdown_ <= 0) return inner_->Run(b);
    if (calibrating_ > 0) {
      --calibrating_;
      const int64_t start = CpuNs();
      inner_->Run(b);
      least_ns_ = std::min(least_ns_, std::max<int64_t>(0, CpuNs() - start - ClockNs()));
      spins_ = static_cast<uint64_t>(static_cast<double>(least_ns_) * slowdown_ * SpinsPerNs());
    } else {
      inner_->Run(b);
    }
    Spin(spins_);
  }
  poolbench::SavedForward Saves() const override { return inner_->Saves(); }
  void SaveForward(const poolbench::Buffers& b) override { inner_->SaveForward(b); }

 private:
  std::unique_ptr<poolbench::Kernel> inner_;
  double slowdown_;
  int calibrating_ = 16;
  int64_t least_ns_ = INT64_MAX;
  uint64_t spins_ = 0;
};

class Slowed final : public poolbench::Strategy {
 public:
  Slowed() {
    inner_ = host_registry ? host_registry->Find(Wrapped()) : nullptr;
    if (!inner_) throw std::runtime_error("slowed: no strategy '" + Wrapped() + "' to wrap");
  }
  std::string_view name() const override { return "slowed"; }
  std::string_view description() const override {
    return "test plugin: another strategy plus a calibrated busy-wait (POOLBENCH_SLOWDOWN)";
  }
  poolbench::Implemented Implements() const override { return inner_->Implements(); }
  poolbench::Support Supports(const Problem& p) const override { return inner_->Supports(p); }
  std::unique_ptr<poolbench::Kernel> Prepare(const Problem& p,
                                             const poolbench::ExecContext& ctx) const override {
    return std::make_unique<SlowedKernel>(inner_->Prepare(p, ctx), Slowdown());
  }
  poolbench::InputDomain Domain(const Problem& p) const override { return inner_->Domain(p); }
  int MaxThreads() const override { return inner_->MaxThreads(); }

 private:
  const poolbench::Strategy* inner_ = nullptr;
};

POOLBENCH_PLUGIN_STRATEGY(Slowed);

}  // namespace

// The entry points of POOLBENCH_PLUGIN(), with the host's registry kept for the wrapper.
extern "C" POOLBENCH_PLUGIN_EXPORT uint32_t poolbench_plugin_abi_version(void) {
  return ::poolbench::plugin::kAbiVersion;
}
extern "C" POOLBENCH_PLUGIN_EXPORT const ::poolbench::plugin::Layout* poolbench_plugin_layout(
    void) {
  static constexpr ::poolbench::plugin::Layout layout = ::poolbench::plugin::CurrentLayout();
  return &layout;
}
extern "C" POOLBENCH_PLUGIN_EXPORT void poolbench_plugin_register(
    const ::poolbench::plugin::Host* host) noexcept {
  host_registry = host->host_registry;
  ::poolbench::plugin::detail::RegisterAll(host);
}
