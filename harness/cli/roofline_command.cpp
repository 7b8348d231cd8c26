// poolbench roofline: the memory bandwidth of each cache level and of DRAM, measured on this
// machine, as a table or as the JSON that `bench` records in its report context.
#include <omp.h>
#include <unistd.h>

#include <iomanip>
#include <iostream>

#include "bench/bandwidth.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "report/units.hpp"

namespace poolbench::cli {
namespace {

struct RooflineOptions {
  int threads = 1;
  double seconds = BandwidthOptions{}.seconds_per_level;
  bool json = false;
};

// Longer than this per level is a mistake (a minutes-long run), not a more careful measurement:
// the best of a few hundred samples no longer changes.
constexpr double kMaxSeconds = 60;
// Below this a level gets a single sample or two, too few for a best-of to mean anything.
constexpr double kMinSeconds = 0.001;

void RunRoofline(const RooflineOptions& opt) {
  const bool progress = isatty(STDERR_FILENO);
  BandwidthOptions bw;
  bw.threads = opt.threads;
  bw.seconds_per_level = opt.seconds;
  if (const int procs = omp_get_num_procs(); bw.threads > procs) {
    std::cerr << "poolbench: warning: " << bw.threads << " threads on " << procs
              << " processors: the threads share cores and their caches, so the figures are "
                 "not the machine's\n";
  }
  const auto levels = MeasureBandwidth(bw, [&](size_t i, size_t n, const BandwidthLevel& l) {
    if (!progress) return;
    std::cerr << "\r[" << i + 1 << "/" << n << "] measuring " << l.level << " ("
              << FormatBytes(l.working_set_bytes) << " working set)   " << std::flush;
  });
  if (progress) std::cerr << "\r" << std::string(60, ' ') << "\r" << std::flush;

  if (opt.json) {
    std::cout << report::Json{{report::ctx::kBandwidth, ToJson(levels)}}.dump(2) << "\n";
    return;
  }
  std::cout << std::left << std::setw(6) << "level" << std::right << std::setw(12) << "capacity"
            << std::setw(14) << "working set" << std::setw(9) << "threads" << std::setw(10)
            << "GB/s"
            << "\n";
  for (const BandwidthLevel& l : levels) {
    std::cout << std::left << std::setw(6) << l.level << std::right << std::setw(12)
              << (l.capacity_bytes > 0 ? FormatBytes(l.capacity_bytes) : "-") << std::setw(14)
              << FormatBytes(l.working_set_bytes) << std::setw(9) << l.threads << std::setw(10)
              << std::fixed << std::setprecision(1) << l.gbps << "\n";
  }
  std::cout << "\nGB/s = (bytes read + bytes written) / second, best pass of dst[i] = q * (a[i] + "
               "b[i] + c[i] + d[i])\n       and dst[i] = q * (a[2i] + a[2i+1] + b[2i] + b[2i+1]), "
               "the latter also with "
               "non-temporal stores (x86);\n"
               "capacity = what the threads can use (a private level once per thread).\n";
}

void AddRooflineCommand(CLI::App& app) {
  auto [cmd, opt] = AddSubcommand<RooflineOptions>(
      app, "roofline", RunRoofline,
      "Measure the memory bandwidth of each cache level and of DRAM on this machine: "
      "streaming kernels that read four times what they write (2x2 pooling's traffic: four "
      "streams, and two rows read in pairs, the latter also with non-temporal stores on x86) over "
      "a working set of half each level, the best pass of any in GB/s (bytes read + written).");
  cmd->add_option("--threads", opt->threads,
                  "Threads measuring together, each on its own slice (0 = all, as OpenMP "
                  "decides)")
      // The validators every numeric option uses: CLI11's own conversion takes "0x10" as 16
      // and "" as the default.
      ->check(IntegerIn(0, kMaxBandwidthThreads))
      ->capture_default_str();
  cmd->add_option("--seconds", opt->seconds, "Seconds spent measuring each level")
      ->check(FiniteIn(kMinSeconds, kMaxSeconds))
      ->capture_default_str();
  cmd->add_flag("--json", opt->json, "Print {\"bandwidth\": [...]}, as in a report's context");
}

}  // namespace

POOLBENCH_CLI_COMMAND(70, AddRooflineCommand);

}  // namespace poolbench::cli
