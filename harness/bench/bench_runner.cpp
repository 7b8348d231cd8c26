#include "bench/bench_runner.hpp"

#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bench/bandwidth.hpp"
#include "bench/interference.hpp"
#include "check/cross_check.hpp"
#include "check/inputs.hpp"
#include "io/plugin_loader.hpp"
#include "io/sha256.hpp"
#include "isolate/hang_limit.hpp"
#include "isolate/leftovers.hpp"
#include "isolate/outcome.hpp"
#include "isolate/worker.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench_build_info.hpp"
#include "report/reader.hpp"
#include "report/roofline.hpp"
#include "report/statistic.hpp"
#include "report/warnings.hpp"
#include "report/writer.hpp"
#include "run/guarded_buffer.hpp"
#include "run/memory_budget.hpp"

namespace poolbench {
namespace {

using report::Json;
namespace field = report::field;
namespace ctx = report::ctx;

// One benchmark: a strategy on the current problem at one thread count.
struct Job {
  const Strategy* strategy;
  int threads;
  std::string name;  // strategy/descriptor/threads:T, the run_name of every entry
  // Why the strategy is wrong on the problem (it failed the cross-check), or empty. A wrong
  // strategy is reported through Google Benchmark's SkipWithError, never timed.
  std::string wrong;
};

// The buffers of one problem, shared by every strategy timed on it: aligned and guarded like
// the cross-check's.
struct ProblemBuffers {
  GuardedBuffer src, dst, diff_dst, diff_src, indices;

  ProblemBuffers(const Problem& p, uint64_t seed) {
    const int64_t in = InputElements(p) * SizeOf(p.dtype),
                  out = OutputElements(p) * SizeOf(p.dtype);
    const bool forward = p.direction == Direction::kForward;
    src = GuardedBuffer(in, "input");
    (forward ? dst : diff_src) =
        GuardedBuffer(forward ? out : in, forward ? "output" : "input gradient");
    if (!forward) diff_dst = GuardedBuffer(out, "output gradient");
    if (p.indices) indices = GuardedBuffer(OutputElements(p) * 8, "indices");
    // Random values in random order: a max's branches are as unpredictable as on real data.
    DispatchDType<AllDTypes>(p.dtype, [&]<class T>() {
      FillInput<T>(src.as<T>(), Flavour::kNegative, seed, InputDomain{});
      FillInput<T>(diff_dst.as<T>(), Flavour::kNegative, seed + 1, InputDomain{});
    });
    // Strategies only read their inputs: a write into one faults.
    src.SetReadOnly(true);
    diff_dst.SetReadOnly(true);
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

// Google Benchmark's own JSON reporter, writing into a string: the report's context and entries
// are exactly what Google Benchmark writes (its compare.py reads them), with poolbench's fields
// added afterwards.
class JsonCapture {
 public:
  JsonCapture() {
    reporter_.SetOutputStream(&out_);
    reporter_.SetErrorStream(&err_);
  }
  benchmark::BenchmarkReporter* reporter() { return &reporter_; }
  Json Parse() const { return Json::parse(out_.str()); }

 private:
  std::ostringstream out_, err_;
  benchmark::JSONReporter reporter_;
};

// Google Benchmark's typed results of one RunSpecifiedBenchmarks, as it hands them to every
// reporter.
class RunCollector : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    runs_.insert(runs_.end(), runs.begin(), runs.end());
  }
  const std::vector<Run>& runs() const { return runs_; }

 private:
  std::vector<Run> runs_;
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

// Google Benchmark is initialised once per process, with the facts about the machine and the
// build that every report's context carries, as its custom context.
void InitBenchmarkOnce() {
  static const bool done = [] {
    // Google Benchmark keeps argv[0] as the context's "executable", so it must outlive the call.
    static char arg0[] = "poolbench";
    int argc = 1;
    char* argv[] = {arg0, nullptr};
    benchmark::Initialize(&argc, argv);
    benchmark::AddCustomContext(ctx::kMachine, CpuModel());
    benchmark::AddCustomContext(ctx::kCompiler, build_info::kCompiler);
    benchmark::AddCustomContext(ctx::kFlags, build_info::kFlags);
    benchmark::AddCustomContext(ctx::kBuildType, build_info::kBuildType);
    benchmark::AddCustomContext(ctx::kGitRevision, build_info::kGitRevision);
    return true;
  }();
  (void)done;
}

// The cpufreq governors of the CPUs, distinct ones joined by ", ", or "unknown" when /sys
// exposes none (containers and many virtual machines).
std::string CpuGovernor() {
  std::set<std::string> governors;
  std::error_code ec;
  for (const auto& cpu : std::filesystem::directory_iterator("/sys/devices/system/cpu", ec)) {
    std::ifstream in(cpu.path() / "cpufreq" / "scaling_governor");
    std::string g;
    if (in >> g) governors.insert(g);
  }
  if (governors.empty()) return "unknown";
  std::string out;
  for (const std::string& g : governors) out += (out.empty() ? "" : ", ") + g;
  return out;
}

// Where each strategy comes from; a plugin's file is identified by its SHA-256, so that two
// reports naming the same path can still be told apart when the file changed.
Json StrategyOrigins(const std::vector<const Strategy*>& strategies) {
  Json out = Json::object();
  std::map<std::string, std::string> hashes;  // by plugin path: one hash per file
  for (const Strategy* s : strategies) {
    const std::string plugin = PluginOf(*s);
    if (plugin.empty()) {
      out[std::string(s->name())] = {{"origin", "in-tree"}};
      continue;
    }
    auto [it, is_new] = hashes.try_emplace(plugin);
    if (is_new) {
      try {
        it->second = Sha256OfFile(plugin);
      } catch (const Sha256Error& e) {
        it->second = std::string("unavailable: ") + e.what();
      }
    }
    out[std::string(s->name())] = {{"origin", "plugin"}, {"path", plugin}, {"sha256", it->second}};
    if (PluginUnoptimized(*s)) out[std::string(s->name())]["optimized"] = false;
  }
  return out;
}

Json LoadAverage() {
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) != 3) return nullptr;
  return Json::array({load[0], load[1], load[2]});
}

// Google Benchmark's context (date, host, CPUs, caches, load, its custom context) plus the
// fields of this run that are not strings.
Json MakeContext(const std::vector<const Strategy*>& strategies, const BenchConfig& cfg,
                 const Json& bandwidth) {
  JsonCapture capture;
  capture.reporter()->ReportContext(benchmark::BenchmarkReporter::Context());
  capture.reporter()->Finalize();
  Json c = capture.Parse().at("context");
  c[ctx::kVersion] = report::kVersion;
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
  c[ctx::kPeers] = Json::array();
  for (const Strategy* s : strategies) {
    if (IsPeer(*s)) c[ctx::kPeers].push_back(s->name());
  }
  // A Python strategy's time is not the same kind of number as a compiled one's: say so.
  for (const Strategy* s : strategies) {
    if (!IsPython(*s)) continue;
    c[ctx::kPython].push_back(
        {{"name", s->name()}, {"file", PluginOf(*s)}, {"timing", kPythonTiming}});
  }
  c[ctx::kGovernor] = CpuGovernor();
  Json settings = cfg.selection.is_object() ? cfg.selection : Json::object();
  settings["threads"] = cfg.threads;
  settings["repetitions"] = cfg.repetitions;
  settings["processes"] = cfg.processes;
  settings["retries"] = cfg.retries;
  settings["keep_disturbed"] = cfg.keep_disturbed;
  settings["min_time"] = cfg.min_time;
  settings["seed"] = cfg.seed;
  settings["bandwidth_seconds"] = cfg.bandwidth_seconds;
  c[ctx::kSettings] = std::move(settings);
  c[ctx::kOrigins] = StrategyOrigins(strategies);
  return c;
}

// The bandwidth of every level at every thread count the run uses, for the fractions.
std::vector<BandwidthLevel> MeasureRooflines(const BenchConfig& cfg) {
  std::vector<BandwidthLevel> out;
  if (cfg.bandwidth_seconds <= 0) return out;
  std::set<int> thread_counts(cfg.threads.begin(), cfg.threads.end());
  thread_counts.insert(1);  // single-threaded strategies always run at 1
  for (int t : thread_counts) {
    for (BandwidthLevel& l : MeasureBandwidth({t, cfg.bandwidth_seconds})) out.push_back(l);
  }
  return out;
}

// The requested thread counts a strategy can run (at least 1), ascending.
std::vector<int> ThreadCounts(const Strategy& s, const std::vector<int>& requested) {
  std::set<int> counts;
  for (int t : requested) counts.insert(std::min(t, s.MaxThreads()));
  if (counts.empty()) counts.insert(1);
  return {counts.begin(), counts.end()};
}

// What an earlier part of the run finished (BenchConfig::resume): its results by name, in the
// order they were reported, and its skipped pairs.
struct Finished {
  std::vector<std::string> order;
  std::map<std::string, report::Result> results;
  std::set<std::pair<std::string, std::string>> skipped;  // (strategy, descriptor)

  explicit Finished(const report::Run* resume) {
    if (!resume) return;
    for (const report::Result& r : resume->results) {
      if (results.emplace(r.name, r).second) order.push_back(r.name);
    }
    for (const report::Skip& s : resume->context.skipped) skipped.emplace(s.strategy, s.descriptor);
  }
};

// The name of a strategy's result on a problem at a thread count.
std::string BenchmarkName(const Strategy& s, const Problem& p, int threads) {
  return report::ResultName(s.name(), FormatDescriptor(p), threads);
}

// A result of `s` on `p` at `threads` with nothing measured yet: its identity and the problem's
// fields (the descriptor's first four, OP:DIR:DTYPE:LAYOUT).
report::Result NewResult(const Strategy& s, const Problem& p, int threads) {
  report::Result r;
  r.strategy = s.name();
  r.descriptor = FormatDescriptor(p);
  r.name = report::ResultName(r.strategy, r.descriptor, threads);
  r.threads = threads;
  std::string* fields[] = {&r.op, &r.direction, &r.dtype, &r.layout};
  size_t start = 0;
  for (std::string* f : fields) {
    const size_t end = r.descriptor.find(':', start);
    *f = r.descriptor.substr(start, end - start);
    start = end + 1;
  }
  r.bytes_moved = BytesMoved(p);
  return r;
}

// Which results (by name) a task measures.
using Wanted = std::function<bool(const std::string& name)>;

// The benchmarks of one strategy on one problem at each of its thread counts that are wanted,
// verified first when `checker` is given (the first round of a problem; later rounds time the
// same code again).
std::vector<Job> PlanJobs(const Strategy& s, const Problem& p, const BenchConfig& cfg,
                          const Wanted& wanted, CrossChecker* checker) {
  std::vector<int> counts;
  for (int t : ThreadCounts(s, cfg.threads)) {
    if (wanted(BenchmarkName(s, p, t))) counts.push_back(t);
  }
  if (counts.empty()) return {};
  std::string wrong;
  if (checker) {
    // Verified at its largest thread count, where races would show.
    const CheckResult check = checker->Check(s, counts.back());
    if (check.verdict == Verdict::kFail) wrong = check.detail;
  }
  std::vector<Job> jobs;
  for (int t : counts) jobs.push_back({&s, t, BenchmarkName(s, p, t), wrong});
  return jobs;
}

// The interference evidence of a repetition travels from the benchmark's body to the collector
// as Google Benchmark user counters (numbers; -1 for what was not measured).
void ToCounters(const report::Interference& e, benchmark::UserCounters& c) {
  c["poolbench_wall_ns"] = e.wall_ns;
  c["poolbench_cpu_ns"] = e.cpu_ns;
  c["poolbench_involuntary_switches"] = static_cast<double>(e.involuntary_switches);
  c["poolbench_run_delay_ns"] = e.run_delay_ns.value_or(-1);
  c["poolbench_steal_ns"] = e.steal_ns.value_or(-1);
  c["poolbench_other_busy_cpus"] = e.other_busy_cpus.value_or(-1);
}

report::Interference FromCounters(const benchmark::UserCounters& c) {
  const auto get = [&](const char* key) {
    const auto it = c.find(key);
    return it == c.end() ? -1.0 : it->second.value;
  };
  const auto optional = [&](const char* key) {
    const double v = get(key);
    return v < 0 ? std::nullopt : std::optional<double>(v);
  };
  report::Interference e;
  e.wall_ns = get("poolbench_wall_ns");
  e.cpu_ns = get("poolbench_cpu_ns");
  e.involuntary_switches = static_cast<int64_t>(get("poolbench_involuntary_switches"));
  e.run_delay_ns = optional("poolbench_run_delay_ns");
  e.steal_ns = optional("poolbench_steal_ns");
  e.other_busy_cpus = optional("poolbench_other_busy_cpus");
  if (!e.run_delay_ns)
    e.unmeasured = "run-queue delay (no " + ProcDir() + "/self/task/*/schedstat)";
  if (!e.steal_ns) {
    e.unmeasured += std::string(e.unmeasured.empty() ? "" : ", ") +
                    "steal and other processes' load (no " + ProcDir() + "/stat)";
  }
  return e;
}

// The kernel of each timed job, prepared once: Google Benchmark calls a benchmark's body again
// for each of its iteration-count probes and each repetition, and preparing there would rebuild
// tables and library primitives every time (and time-shift them into the measurement's
// neighbourhood). The forward a backward kernel saves, and a first run (which touches every
// page), happen here too, outside the timed loop.
struct Prepared {
  std::unique_ptr<Kernel> kernel;
  SavedForwardBuffers saved;
  Buffers buffers;
};

// Registers the timed jobs with Google Benchmark, family i being timed[i].
void RegisterJobs(const std::vector<const Job*>& timed, std::vector<Prepared>& prepared,
                  const BenchConfig& cfg) {
  benchmark::ClearRegisteredBenchmarks();
  for (size_t i = 0; i < timed.size(); ++i) {
    Prepared* k = &prepared[i];
    auto body = [k](benchmark::State& state) {
      // Outside the timed loop: Google Benchmark starts its clock when the loop begins.
      const InterferenceSnapshot before = TakeInterferenceSnapshot();
      for (auto _ : state) {
        k->kernel->Run(k->buffers);
        benchmark::ClobberMemory();
      }
      ToCounters(InterferenceBetween(before, TakeInterferenceSnapshot()), state.counters);
    };
    benchmark::RegisterBenchmark(timed[i]->name.c_str(), body)
        ->Unit(benchmark::kNanosecond)
        ->Repetitions(cfg.repetitions)
        ->MinTime(cfg.min_time)
        ->UseRealTime();
  }
}

// Times the jobs of one problem with Google Benchmark; returns their results, a wrong job's as
// its verdict without a time.
std::vector<report::Result> TimeJobs(const std::vector<Job>& jobs, const Problem& p,
                                     const BenchConfig& cfg, int process) {
  std::vector<report::Result> results;
  std::vector<const Job*> timed;
  for (const Job& job : jobs) {
    results.push_back(NewResult(*job.strategy, p, job.threads));
    if (!job.wrong.empty()) {
      results.back().verdict = report::Verdict::kWrong;
      results.back().error_message = "wrong result: " + job.wrong;
    } else {
      timed.push_back(&job);
    }
  }
  if (timed.empty()) return results;
  // Only a problem with a correct strategy allocates its buffers.
  std::optional<ProblemBuffers> buffers;
  try {
    buffers.emplace(p, cfg.seed);
  } catch (const std::bad_alloc&) {
    throw OutOfMemory(p, MemoryUse::kRun);
  }
  std::vector<Prepared> prepared(timed.size());
  for (size_t i = 0; i < timed.size(); ++i) {
    Prepared& k = prepared[i];
    k.kernel = timed[i]->strategy->Prepare(p, ExecContext{timed[i]->threads});
    k.buffers = buffers->Get();
    k.saved.Bind(*k.kernel, p, k.buffers);
    k.kernel->Run(k.buffers);
  }
  // Two more calls of each: a strategy that leaves a thread running per call fails at the
  // second, before its timed loop would start thousands of them (and they would slow the
  // measurement down). The threads its first calls start may be its own pools, made lazily
  // (libtorch starts one at its second call at 2 threads), which live as long as its kernel.
  for (Prepared& k : prepared) {
    k.kernel->Run(k.buffers);
    const size_t threads = isolate::ThreadCount();
    k.kernel->Run(k.buffers);
    isolate::CheckNoNewThreads(threads);
  }
  RegisterJobs(timed, prepared, cfg);
  RunCollector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::ClearRegisteredBenchmarks();
  for (const benchmark::BenchmarkReporter::Run& run : collector.runs()) {
    // Families are numbered in the order they were registered, which is timed's order.
    const auto family = static_cast<size_t>(run.family_index);
    if (family >= timed.size()) throw std::logic_error("Google Benchmark reported an unknown job");
    report::Result& r = results[static_cast<size_t>(timed[family] - jobs.data())];
    if (run.error_occurred) {
      r.verdict = report::Verdict::kError;
      r.error_message = run.error_message;
      continue;
    }
    if (run.run_type != benchmark::BenchmarkReporter::Run::RT_Iteration) continue;
    report::Sample sample;
    sample.real_ns = run.GetAdjustedRealTime();
    sample.cpu_ns = run.GetAdjustedCPUTime();
    sample.iterations = run.iterations;
    sample.process = process;
    sample.interference = FromCounters(run.counters);
    sample.disturbance = Disturbance(*sample.interference);
    r.samples.push_back(std::move(sample));
  }
  return results;
}

// The result of a strategy that crashed, timed out, threw, exited or ran out of memory on `p`,
// with the fault's verdict, the signal and a repro line. It carries the largest thread count,
// at which the strategy was being verified.
report::Result FaultResult(const Strategy& s, const Problem& p, const BenchConfig& cfg,
                           const isolate::Outcome& o) {
  report::Result r = NewResult(s, p, ThreadCounts(s, cfg.threads).back());
  r.verdict = report::ParseVerdict(isolate::VerdictName(o.fault)).value_or(report::Verdict::kError);
  r.error_message = o.message;
  r.signal = o.signal;
  r.repro = "poolbench " + PluginOption(s) + "bench --problem " + FormatDescriptor(p) +
            " --strategy '^" + std::string(s.name()) + "$' --seed " + std::to_string(cfg.seed);
  return r;
}

// What a worker sends back for one (strategy, problem) in one process: {"skipped": reason} or
// {"entries": [...]}, the report entries of its fresh results (report/writer.hpp).
Json BenchTask(const Strategy& s, const Problem& p, const BenchConfig& cfg, const Wanted& wanted,
               CrossChecker* checker, int process) {
  if (Support sup = SupportOf(s, p); !sup) return {{"skipped", sup.reason}};
  const std::vector<Job> jobs = PlanJobs(s, p, cfg, wanted, checker);
  Json entries = Json::array();
  if (jobs.empty()) return {{"entries", std::move(entries)}};
  for (const report::Result& r : TimeJobs(jobs, p, cfg, process)) {
    for (Json& e : report::EntriesOf(r, 0)) entries.push_back(std::move(e));
  }
  return {{"entries", std::move(entries)}};
}

// The rooflines, measured in a worker when strategies run in workers (see RunBench).
std::vector<BandwidthLevel> MeasureRooflinesIn(const BenchConfig& cfg) {
  if (!cfg.isolation.isolate || cfg.bandwidth_seconds <= 0) return MeasureRooflines(cfg);
  std::vector<BandwidthLevel> out;
  isolate::Options opt = cfg.isolation;
  opt.timeout_seconds = 0;
  isolate::RunTasks(
      1, [&](size_t) { return ToJson(MeasureRooflines(cfg)).dump(); }, opt,
      [&](size_t, isolate::Outcome o) {
        if (o.fault != isolate::Fault::kNone) {
          throw std::runtime_error("the bandwidth measurement failed: " + o.message);
        }
        out = BandwidthFromJson(Json::parse(o.result));
        return true;
      });
  return out;
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

namespace {

// The pause before the first retry round of a problem, doubled for each further one: a burst of
// other work often passes within a second.
constexpr double kRetryPauseSeconds = 0.25;

// One strategy on the problem being measured, across its rounds.
struct StrategyRounds {
  std::optional<std::string> skipped;             // why it does not take the problem
  std::map<std::string, report::Result> results;  // by name, as measured so far
  bool done = false;                              // skipped, failed or faulted: no further round
};

// Adds what one process measured to a strategy's results: the samples of a result already there
// join its earlier ones; a failure in any process is the result's verdict.
void MergeRound(StrategyRounds& s, std::vector<report::Result> fresh) {
  for (report::Result& r : fresh) {
    auto [it, added] = s.results.try_emplace(r.name, r);
    if (r.Failed()) {
      it->second = std::move(r);
      s.done = true;
    } else if (!added && !it->second.Failed()) {
      for (report::Sample& sample : r.samples) it->second.samples.push_back(std::move(sample));
    }
  }
}

// The names of a strategy's results that have fewer clean processes than the run's processes.
std::set<std::string> NeedingRetry(const StrategyRounds& s, int processes) {
  std::set<std::string> out;
  if (s.done) return out;
  for (const auto& [name, r] : s.results) {
    if (!r.Failed() && report::EstimateOf(r).processes < processes) out.insert(name);
  }
  return out;
}

}  // namespace

report::Run RunBench(const std::vector<const Strategy*>& strategies,
                     const std::vector<Problem>& problems, const BenchConfig& cfg) {
  if (cfg.processes < 1) throw std::invalid_argument("processes must be at least 1");
  if (cfg.retries < 0) throw std::invalid_argument("retries must not be negative");
  InitBenchmarkOnce();
  for (const Problem& p : problems) {
    if (std::string e = Validate(p); !e.empty()) {
      throw std::invalid_argument("invalid problem " + FormatDescriptor(p) + ": " + e);
    }
  }
  const Finished finished(cfg.resume);
  report::Run run;
  if (cfg.resume) {
    // A resumed run keeps the context of its first part: every fraction is of the same
    // bandwidth.
    run.context = cfg.resume->context;
    run.context.skipped.clear();  // filled again in the problems' order
  } else {
    run.context = report::ContextOf(MakeContext(strategies, cfg, ToJson(MeasureRooflinesIn(cfg))));
  }
  if (cfg.on_context) cfg.on_context(report::ToJson(run.context));
  std::set<std::string> reported;
  isolate::HangLimit hang(cfg.isolation.timeout_seconds);
  const auto report = [&](report::Result r, bool fresh) {
    if (fresh && cfg.on_result) cfg.on_result({{"benchmarks", report::EntriesOf(r, 0)}});
    reported.insert(r.name);
    run.results.push_back(std::move(r));
  };
  // Problem by problem. Each round runs every strategy still to be measured once, round-robin,
  // in one fresh worker process: strategies of a problem share the same minutes, and every
  // result is measured in cfg.processes processes (the same code differs from one process to
  // the next by where its buffers land). The first round verifies each strategy (a worker
  // computes the problem's reference results once for all of them). Then up to cfg.retries
  // rounds measure again what other work disturbed, after a pause.
  for (size_t pi = 0; pi < problems.size() && !strategies.empty(); ++pi) {
    if (cfg.stop && cfg.stop()) break;
    const Problem& p = problems[pi];
    if (cfg.on_problem) cfg.on_problem(pi, problems.size(), FormatDescriptor(p));
    std::vector<StrategyRounds> state(strategies.size());
    std::vector<std::set<std::string>> wanted(strategies.size());  // empty: every result
    const int rounds = cfg.processes + cfg.retries;
    for (int round = 0; round < rounds; ++round) {
      std::vector<size_t> active;
      for (size_t i = 0; i < strategies.size(); ++i) {
        if (round < cfg.processes) {
          if (!state[i].done) active.push_back(i);
          continue;
        }
        wanted[i] =
            cfg.keep_disturbed ? std::set<std::string>{} : NeedingRetry(state[i], cfg.processes);
        if (!wanted[i].empty()) active.push_back(i);
      }
      if (active.empty()) break;
      if (round >= cfg.processes) {
        const double pause = kRetryPauseSeconds * (1 << (round - cfg.processes));
        std::this_thread::sleep_for(std::chrono::duration<double>(pause));
      }
      std::optional<CrossChecker> checker;
      const isolate::Task task = [&](size_t k) {
        const size_t i = active[k];
        if (round == 0 && !checker) checker.emplace(p, cfg.seed);
        // What the earlier part of a resumed run finished is not measured again; a retry round
        // measures only the results it retries.
        const Wanted want = [&](const std::string& name) {
          return !finished.results.count(name) && (wanted[i].empty() || wanted[i].count(name));
        };
        return BenchTask(*strategies[i], p, cfg, want, round == 0 ? &*checker : nullptr, round)
            .dump();
      };
      const isolate::Done done = [&](size_t k, isolate::Outcome o) {
        StrategyRounds& s = state[active[k]];
        const Strategy& strategy = *strategies[active[k]];
        o = hang.Note(std::string(strategy.name()), std::move(o));
        if (o.fault != isolate::Fault::kNone) {
          MergeRound(s, {FaultResult(strategy, p, cfg, o)});
        } else if (Json r = Json::parse(o.result); r.contains("skipped")) {
          s.skipped = r["skipped"].get<std::string>();
          s.done = true;
        } else {
          MergeRound(s, report::ResultsOf(r["entries"]));
        }
        return true;
      };
      isolate::Options isolation = cfg.isolation;
      isolation.timeout_of = [&](size_t k) {
        return hang.SecondsFor(std::string(strategies[active[k]]->name()));
      };
      isolate::RunTasks(active.size(), task, isolation, done);
    }
    // The problem's results in strategy order, then thread order: each the fresh one or the
    // earlier part's.
    for (size_t i = 0; i < strategies.size(); ++i) {
      const Strategy& s = *strategies[i];
      if (state[i].skipped) {
        const report::Skip item{std::string(s.name()), FormatDescriptor(p), *state[i].skipped};
        run.context.skipped.push_back(item);
        if (cfg.on_result && !finished.skipped.count({item.strategy, item.descriptor})) {
          cfg.on_result({{"skipped",
                          {{field::kStrategy, item.strategy},
                           {field::kDescriptor, item.descriptor},
                           {"reason", item.reason}}}});
        }
        continue;
      }
      for (int t : ThreadCounts(s, cfg.threads)) {
        const std::string name = BenchmarkName(s, p, t);
        if (auto it = state[i].results.find(name); it != state[i].results.end()) {
          report(std::move(it->second), true);
        } else if (auto earlier = finished.results.find(name); earlier != finished.results.end()) {
          report(earlier->second, false);
        }
      }
    }
  }
  // Stopped early: what the earlier part finished beyond this point is still reported.
  for (const std::string& name : finished.order) {
    if (!reported.count(name)) run.results.push_back(finished.results.at(name));
  }
  if (cfg.resume) {
    for (const report::Skip& item : cfg.resume->context.skipped) {
      auto& skipped = run.context.skipped;
      if (std::find(skipped.begin(), skipped.end(), item) == skipped.end()) skipped.push_back(item);
    }
  }
  run.context.facts[ctx::kLoadAvgEnd] = LoadAverage();
  run.context.warnings = report::MachineWarnings(report::ToJson(run.context));
  report::Derive(run, kReferenceName);
  return run;
}

}  // namespace poolbench
