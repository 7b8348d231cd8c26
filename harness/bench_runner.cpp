#include "bench_runner.hpp"

#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

#include "bandwidth.hpp"
#include "cross_check.hpp"
#include "guarded_buffer.hpp"
#include "inputs.hpp"
#include "plugin_loader.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench_build_info.hpp"

namespace poolbench {
namespace {

using report::Json;
namespace field = report::field;
namespace ctx = report::ctx;

// One timed configuration.
struct Job {
  const Strategy* strategy;
  int threads;
  std::string name;  // strategy/descriptor/threads:T, also the run_name of every entry
};

// Caller-owned buffers of one problem, shared by every strategy timed on it: aligned and
// guarded like the cross-check's.
struct ProblemBuffers {
  GuardedBuffer src, dst, diff_dst, diff_src, indices;

  ProblemBuffers(const Problem& p, uint64_t seed) {
    const int64_t in = InputElements(p) * SizeOf(p.dtype),
                  out = OutputElements(p) * SizeOf(p.dtype);
    const bool forward = p.direction == Direction::kForward;
    src = GuardedBuffer(in);
    (forward ? dst : diff_src) = GuardedBuffer(forward ? out : in);
    if (!forward) diff_dst = GuardedBuffer(out);
    if (p.indices) indices = GuardedBuffer(OutputElements(p) * 8);
    // Random values in random order: a max's branches are as unpredictable as on real data.
    DispatchDType(p.dtype, [&]<class T>() {
      FillInput<T>(src.as<T>(), Flavour::kNegative, seed, InputDomain{});
      FillInput<T>(diff_dst.as<T>(), Flavour::kNegative, seed + 1, InputDomain{});
    });
  }
  Buffers Get() {
    Buffers b;
    b.src = src.data();
    b.dst = dst.data();
    b.indices = static_cast<int64_t*>(indices.data());
    b.diff_dst = diff_dst.data();
    b.diff_src = diff_src.data();
    return b;
  }
};

// Collects Google Benchmark's runs as report entries (Google Benchmark's own JSON fields).
class Collector : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      Json e;
      e["function_name"] = r.run_name.function_name;  // replaced by the caller
      e["family_index"] = r.family_index;
      e["per_family_instance_index"] = r.per_family_instance_index;
      const bool aggregate = r.run_type == Run::RT_Aggregate;
      e["run_type"] = aggregate ? "aggregate" : "iteration";
      e["repetitions"] = r.repetitions;
      if (!aggregate) e["repetition_index"] = r.repetition_index;
      e["iterations"] = r.iterations;
      // A percentage aggregate (cv) carries its fraction unscaled, as Google Benchmark's own
      // JSON reporter writes it; the adjusted times would divide it by the iteration count.
      const bool percentage = aggregate && r.aggregate_unit == benchmark::kPercentage;
      e["real_time"] = percentage ? r.real_accumulated_time : r.GetAdjustedRealTime();
      e["cpu_time"] = percentage ? r.cpu_accumulated_time : r.GetAdjustedCPUTime();
      e["time_unit"] = benchmark::GetTimeUnitString(r.time_unit);
      if (aggregate) {
        e["aggregate_name"] = r.aggregate_name;
        e["aggregate_unit"] = r.aggregate_unit == benchmark::kPercentage ? "percentage" : "time";
      }
      if (r.error_occurred) {
        e["error_occurred"] = true;
        e["error_message"] = r.error_message;
      }
      for (const auto& [name, counter] : r.counters) e[name] = counter.value;
      entries.push_back(std::move(e));
    }
  }
  std::vector<Json> entries;
};

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

Json MakeContext(const BenchConfig& cfg, const Json& bandwidth) {
  const auto& cpu = benchmark::CPUInfo::Get();
  Json c;
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
  c["date"] = date;
  c["host_name"] = benchmark::SystemInfo::Get().name;
  c["executable"] = "poolbench";
  c["num_cpus"] = cpu.num_cpus;
  c["mhz_per_cpu"] = static_cast<int64_t>(cpu.cycles_per_second / 1e6);
  c["cpu_scaling_enabled"] = cpu.scaling == benchmark::CPUInfo::ENABLED;
  c["caches"] = Json::array();
  for (const auto& cache : cpu.caches) {
    c["caches"].push_back({{"type", cache.type},
                           {"level", cache.level},
                           {"size", cache.size},
                           {"num_sharing", cache.num_sharing}});
  }
  c["load_avg"] = cpu.load_avg;
  c["library_build_type"] = "release";
  c[ctx::kVersion] = report::kVersion;
  c[ctx::kMachine] = CpuModel();
  c[ctx::kCompiler] = build_info::kCompiler;
  c[ctx::kFlags] = build_info::kFlags;
  c[ctx::kBuildType] = build_info::kBuildType;
  c[ctx::kGitRevision] = build_info::kGitRevision;
  // OpenMP's default team size, as a fact about the machine's set-up: strategies take their
  // thread counts from ExecContext, and the harness never changes OpenMP's settings.
  c[ctx::kOmpThreads] = omp_get_max_threads();
  c[ctx::kBandwidth] = bandwidth;
  if (!cfg.shard.empty()) c[ctx::kShard] = cfg.shard;
  c[ctx::kSkipped] = Json::array();
  // Peers this build offers but could not run: their absence from the results is stated.
  c[ctx::kMissingPeers] = Json::array();
  for (const MissingPeer& m : MissingPeers()) {
    c[ctx::kMissingPeers].push_back({{"name", m.name}, {"reason", m.reason}});
  }
  return c;
}

// The poolbench fields every entry of one (strategy, problem, threads) carries.
void Annotate(Json& e, const Strategy& s, const Problem& p, int threads, const Job* job) {
  e["threads"] = threads;
  e[field::kStrategy] = s.name();
  e[field::kDescriptor] = FormatDescriptor(p);
  e[field::kOp] = ToString(p.op);
  e[field::kDirection] = ToString(p.direction);
  e[field::kDType] = ToString(p.dtype);
  e[field::kLayout] = ToString(p.layout);
  e[field::kBytes] = BytesMoved(p);
  if (job) {
    const bool aggregate = e["run_type"] == "aggregate";
    e["name"] = aggregate ? job->name + "_" + e["aggregate_name"].get<std::string>() : job->name;
    e["run_name"] = job->name;
    e.erase("function_name");
  }
}

bool IsTime(const Json& e) {
  return !e.value("error_occurred", false) &&
         (e["run_type"] == "iteration" || e.value("aggregate_name", "") == "mean" ||
          e.value("aggregate_name", "") == "median");
}

// GB/s, fraction of the measured bandwidth and speed-up against naive_loops, once all runs are in.
void AddDerivedFields(Json& benchmarks,
                      const std::map<int, std::vector<BandwidthLevel>>& bandwidth) {
  // naive_loops' single-thread time per descriptor: its mean when repeated, else its run.
  std::map<std::string, double> reference;
  for (const Json& e : benchmarks) {
    if (e[field::kStrategy] != kReferenceName || !IsTime(e)) continue;
    const bool mean = e.value("aggregate_name", "") == "mean";
    auto [it, fresh] = reference.emplace(e[field::kDescriptor], report::RealTimeNs(e));
    if (mean) it->second = report::RealTimeNs(e);
  }
  for (Json& e : benchmarks) {
    if (!IsTime(e)) continue;
    const double ns = report::RealTimeNs(e);
    if (ns <= 0) continue;
    const double gbps = e[field::kBytes].get<double>() / ns;
    e[field::kGBps] = gbps;
    auto levels = bandwidth.find(e["threads"].get<int>());
    if (levels != bandwidth.end()) {
      if (const BandwidthLevel* l = LevelFor(levels->second, e[field::kBytes].get<int64_t>())) {
        e[field::kBandwidthLevel] = l->level;
        e[field::kBandwidthFraction] = gbps / l->gbps;
      }
    }
    if (auto ref = reference.find(e[field::kDescriptor]); ref != reference.end()) {
      e[field::kSpeedup] = ref->second / ns;
    }
  }
}

// The requested thread counts a strategy can run (at least 1), ascending.
std::vector<int> ThreadCounts(const Strategy& s, const std::vector<int>& requested) {
  std::set<int> counts;
  for (int t : requested) counts.insert(std::min(t, s.MaxThreads()));
  if (counts.empty()) counts.insert(1);
  return {counts.begin(), counts.end()};
}

void InitBenchmarkOnce() {
  static const bool done = [] {
    int argc = 1;
    char arg0[] = "poolbench";
    char* argv[] = {arg0, nullptr};
    benchmark::Initialize(&argc, argv);
    return true;
  }();
  (void)done;
}

}  // namespace

int64_t BytesMoved(const Problem& p) {
  const int64_t in = InputElements(p) * SizeOf(p.dtype), out = OutputElements(p) * SizeOf(p.dtype);
  if (p.direction == Direction::kBackward) return 2 * in + out;
  return in + out + (p.indices ? OutputElements(p) * 8 : 0);
}

std::vector<Problem> ShardOf(const std::vector<Problem>& problems, int index, int count) {
  if (count < 1 || index < 1 || index > count) {
    throw std::invalid_argument("shard " + std::to_string(index) + "/" + std::to_string(count) +
                                " is not I/N with 1 <= I <= N");
  }
  std::vector<Problem> out;
  for (size_t i = index - 1; i < problems.size(); i += count) out.push_back(problems[i]);
  return out;
}

report::Json RunBench(const std::vector<const Strategy*>& strategies,
                      const std::vector<Problem>& problems, const BenchConfig& cfg) {
  InitBenchmarkOnce();
  std::set<int> thread_counts(cfg.threads.begin(), cfg.threads.end());
  thread_counts.insert(1);  // single-threaded strategies always run at 1

  std::map<int, std::vector<BandwidthLevel>> bandwidth;
  Json bandwidth_json = Json::array();
  if (cfg.bandwidth_seconds > 0) {
    for (int t : thread_counts) {
      bandwidth[t] = MeasureBandwidth({t, cfg.bandwidth_seconds});
      for (const Json& level : ToJson(bandwidth[t])) bandwidth_json.push_back(level);
    }
  }
  Json out;
  out["context"] = MakeContext(cfg, bandwidth_json);
  Json& skipped = out["context"][ctx::kSkipped];
  Json benchmarks = Json::array();

  for (size_t i = 0; i < problems.size(); ++i) {
    const Problem& p = problems[i];
    const std::string desc = FormatDescriptor(p);
    if (cfg.on_problem) cfg.on_problem(i, problems.size(), desc);
    CrossChecker checker(p, cfg.seed);
    std::vector<Job> jobs;
    for (const Strategy* s : strategies) {
      if (Support sup = s->Supports(p); !sup) {
        skipped.push_back(
            {{field::kStrategy, s->name()}, {field::kDescriptor, desc}, {"reason", sup.reason}});
        continue;
      }
      const std::vector<int> counts = ThreadCounts(*s, cfg.threads);
      // Verified at its largest thread count, where races would show.
      const CheckResult check = checker.Check(*s, counts.back());
      for (int t : counts) {
        const std::string name =
            std::string(s->name()) + "/" + desc + "/threads:" + std::to_string(t);
        if (check.verdict == Verdict::kFail) {
          // A wrong strategy is reported, never timed or ranked.
          Json e = {{"name", name},
                    {"run_name", name},
                    {"run_type", "iteration"},
                    {"repetitions", 1},
                    {"repetition_index", 0},
                    {"iterations", 0},
                    {"real_time", 0},
                    {"cpu_time", 0},
                    {"time_unit", "ns"},
                    {"error_occurred", true},
                    {"error_message", "wrong result: " + check.detail}};
          Annotate(e, *s, p, t, nullptr);
          e[field::kVerdict] = "FAIL";
          benchmarks.push_back(std::move(e));
          continue;
        }
        jobs.push_back({s, t, name});
      }
    }
    if (jobs.empty()) continue;

    ProblemBuffers buffers(p, cfg.seed);
    benchmark::ClearRegisteredBenchmarks();
    for (const Job& job : jobs) {
      benchmark::RegisterBenchmark(job.name.c_str(),
                                   [&p, &buffers, job](benchmark::State& state) {
                                     // Preparation, the forward a backward kernel saves, and a
                                     // first run (which touches every page) stay outside the
                                     // timed loop.
                                     const auto kernel =
                                         job.strategy->Prepare(p, ExecContext{job.threads});
                                     Buffers b = buffers.Get();
                                     SavedForwardBuffers saved;
                                     saved.Bind(*kernel, p, b);
                                     kernel->Run(b);
                                     for (auto _ : state) {
                                       kernel->Run(b);
                                       benchmark::ClobberMemory();
                                     }
                                   })
          ->Unit(benchmark::kNanosecond)
          ->Repetitions(cfg.repetitions)
          ->MinTime(cfg.min_time)
          ->UseRealTime();
    }
    Collector collector;
    benchmark::RunSpecifiedBenchmarks(&collector);
    for (Json& e : collector.entries) {
      const std::string fn = e["function_name"];
      const auto job =
          std::find_if(jobs.begin(), jobs.end(), [&](const Job& j) { return j.name == fn; });
      Annotate(e, *job->strategy, p, job->threads, &*job);
      e[field::kVerdict] = "pass";
      benchmarks.push_back(std::move(e));
    }
  }
  benchmark::ClearRegisteredBenchmarks();
  AddDerivedFields(benchmarks, bandwidth);
  out["benchmarks"] = std::move(benchmarks);
  return out;
}

}  // namespace poolbench
