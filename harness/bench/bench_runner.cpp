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

#include "bench/bandwidth.hpp"
#include "check/cross_check.hpp"
#include "check/inputs.hpp"
#include "check/problem_checker.hpp"
#include "io/plugin_loader.hpp"
#include "io/sha256.hpp"
#include "isolate/outcome.hpp"
#include "poolbench/descriptor.hpp"
#include "poolbench/tensor.hpp"
#include "poolbench_build_info.hpp"
#include "report/roofline.hpp"
#include "report/warnings.hpp"
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
  settings["min_time"] = cfg.min_time;
  settings["seed"] = cfg.seed;
  settings["bandwidth_seconds"] = cfg.bandwidth_seconds;
  c[ctx::kSettings] = std::move(settings);
  c[ctx::kOrigins] = StrategyOrigins(strategies);
  return c;
}

// The bandwidth of every level at every thread count the run uses, for the fractions.
struct Rooflines {
  std::map<int, std::vector<BandwidthLevel>> levels;  // by thread count
  Json json = Json::array();                          // context.bandwidth
};

Rooflines MeasureRooflines(const BenchConfig& cfg) {
  Rooflines out;
  if (cfg.resume) {
    // A resumed run keeps the measurement of its first part: every entry's fraction is of the
    // same bandwidth.
    out.json = cfg.resume->at("context").at(ctx::kBandwidth);
    for (BandwidthLevel& l : BandwidthFromJson(out.json)) out.levels[l.threads].push_back(l);
    return out;
  }
  if (cfg.bandwidth_seconds <= 0) return out;
  std::set<int> thread_counts(cfg.threads.begin(), cfg.threads.end());
  thread_counts.insert(1);  // single-threaded strategies always run at 1
  for (int t : thread_counts) {
    out.levels[t] = MeasureBandwidth({t, cfg.bandwidth_seconds});
    for (const Json& level : ToJson(out.levels[t])) out.json.push_back(level);
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

// What an earlier part of the run finished (BenchConfig::resume): the entries of each benchmark
// by run_name, in the order they were reported, and the skipped pairs.
struct Finished {
  std::vector<std::string> order;
  std::map<std::string, std::vector<Json>> entries;
  std::set<std::pair<std::string, std::string>> skipped;  // (strategy, descriptor)

  explicit Finished(const Json* resume) {
    if (!resume) return;
    for (const Json& e : resume->at("benchmarks")) {
      const std::string name = e.at("run_name").get<std::string>();
      auto [it, fresh] = entries.try_emplace(name);
      if (fresh) order.push_back(name);
      it->second.push_back(e);
    }
    for (const Json& s : resume->at("context").at(ctx::kSkipped)) {
      skipped.emplace(s.at(field::kStrategy).get<std::string>(),
                      s.at(field::kDescriptor).get<std::string>());
    }
  }
};

// The name of a strategy's benchmark on a problem at a thread count.
std::string BenchmarkName(const Strategy& s, const Problem& p, int threads) {
  return std::string(s.name()) + "/" + FormatDescriptor(p) + "/threads:" + std::to_string(threads);
}

// The benchmarks of one strategy on one problem at each of its thread counts not finished
// earlier, verified first.
std::vector<Job> PlanJobs(const Strategy& s, const Problem& p, const BenchConfig& cfg,
                          const Finished& finished, CrossChecker& checker) {
  std::vector<int> counts;
  for (int t : ThreadCounts(s, cfg.threads)) {
    if (!finished.entries.count(BenchmarkName(s, p, t))) counts.push_back(t);
  }
  if (counts.empty()) return {};
  // Verified at its largest thread count, where races would show.
  const CheckResult check = checker.Check(s, counts.back());
  const std::string wrong = check.verdict == Verdict::kFail ? check.detail : "";
  std::vector<Job> jobs;
  for (int t : counts) jobs.push_back({&s, t, BenchmarkName(s, p, t), wrong});
  return jobs;
}

// Registers the jobs with Google Benchmark. `buffers` is null when every job is wrong.
void RegisterJobs(const std::vector<Job>& jobs, const Problem& p, ProblemBuffers* buffers,
                  const BenchConfig& cfg) {
  benchmark::ClearRegisteredBenchmarks();
  for (const Job& job : jobs) {
    auto body = [&p, buffers, job](benchmark::State& state) {
      if (!job.wrong.empty()) {
        state.SkipWithError(("wrong result: " + job.wrong).c_str());
        return;
      }
      // Preparation, the forward a backward kernel saves, and a first run (which touches every
      // page) stay outside the timed loop.
      const auto kernel = job.strategy->Prepare(p, ExecContext{job.threads});
      Buffers b = buffers->Get();
      SavedForwardBuffers saved;
      saved.Bind(*kernel, p, b);
      kernel->Run(b);
      for (auto _ : state) {
        kernel->Run(b);
        benchmark::ClobberMemory();
      }
    };
    benchmark::RegisterBenchmark(job.name.c_str(), body)
        ->Unit(benchmark::kNanosecond)
        ->Repetitions(job.wrong.empty() ? cfg.repetitions : 1)
        ->MinTime(cfg.min_time)
        ->UseRealTime();
  }
}

// Gives an entry of Google Benchmark's JSON the job's name (Google Benchmark appends its options,
// "/min_time:0.100/repeats:3/real_time") and poolbench's fields.
void Annotate(Json& e, const Job& job, const Problem& p) {
  const bool aggregate = e.at("run_type") == "aggregate";
  e["name"] = aggregate ? job.name + "_" + e.at("aggregate_name").get<std::string>() : job.name;
  e["run_name"] = job.name;
  e["threads"] = job.threads;
  e[field::kStrategy] = job.strategy->name();
  e[field::kDescriptor] = FormatDescriptor(p);
  e[field::kOp] = ToString(p.op);
  e[field::kDirection] = ToString(p.direction);
  e[field::kDType] = ToString(p.dtype);
  e[field::kLayout] = ToString(p.layout);
  e[field::kBytes] = BytesMoved(p);
  e[field::kVerdict] = job.wrong.empty() ? "pass" : "FAIL";
}

// Runs the jobs of one problem with Google Benchmark; returns their annotated entries.
std::vector<Json> TimeJobs(const std::vector<Job>& jobs, const Problem& p, const BenchConfig& cfg) {
  const bool timed =
      std::any_of(jobs.begin(), jobs.end(), [](const Job& j) { return j.wrong.empty(); });
  // Only a problem with a correct strategy allocates its buffers.
  std::optional<ProblemBuffers> buffers;
  try {
    if (timed) buffers.emplace(p, cfg.seed);
  } catch (const std::bad_alloc&) {
    throw OutOfMemory(p, MemoryUse::kRun);
  }
  RegisterJobs(jobs, p, buffers ? &*buffers : nullptr, cfg);
  JsonCapture capture;
  benchmark::RunSpecifiedBenchmarks(capture.reporter());
  std::vector<Json> entries = capture.Parse().at("benchmarks");
  for (Json& e : entries) {
    // Families are numbered in the order they were registered, which is the jobs' order.
    const auto family = e.at("family_index").get<size_t>();
    if (family >= jobs.size()) throw std::logic_error("Google Benchmark reported an unknown job");
    Annotate(e, jobs[family], p);
  }
  return entries;
}

// The entry of a strategy that crashed, timed out, threw, exited or ran out of memory on `p`:
// an error entry in Google Benchmark's form with the fault's verdict, and the signal and a
// repro line. It carries the largest thread count, at which the strategy was being verified.
Json FaultEntry(const Strategy& s, const Problem& p, const BenchConfig& cfg,
                const isolate::Outcome& o) {
  const int threads = ThreadCounts(s, cfg.threads).back();
  const Job job{&s, threads, BenchmarkName(s, p, threads), ""};
  Json e = {{"family_index", 0},
            {"per_family_instance_index", 0},
            {"run_type", "iteration"},
            {"repetitions", 1},
            {"repetition_index", 0},
            {"iterations", 0},
            {"real_time", 0},
            {"cpu_time", 0},
            {"time_unit", "ns"},
            {"error_occurred", true},
            {"error_message", o.message}};
  Annotate(e, job, p);
  e[field::kVerdict] = isolate::VerdictName(o.fault);
  if (!o.signal.empty()) e[field::kSignal] = o.signal;
  e[field::kRepro] = "poolbench " + PluginOption(s) + "bench --problem " + FormatDescriptor(p) +
                     " --strategy '^" + std::string(s.name()) + "$' --seed " +
                     std::to_string(cfg.seed);
  return e;
}

// What a worker sends back for one (strategy, problem): {"skipped": reason} or
// {"entries": [...]}.
Json BenchTask(const Strategy& s, const Problem& p, const BenchConfig& cfg,
               const Finished& finished, CrossChecker& checker) {
  if (Support sup = SupportOf(s, p); !sup) return {{"skipped", sup.reason}};
  const std::vector<Job> jobs = PlanJobs(s, p, cfg, finished, checker);
  return {{"entries", jobs.empty() ? std::vector<Json>{} : TimeJobs(jobs, p, cfg)}};
}

// The rooflines measured in a worker when strategies run in workers (see RunBench).
Rooflines MeasureRooflinesIn(const BenchConfig& cfg) {
  if (!cfg.isolation.isolate || cfg.bandwidth_seconds <= 0 || cfg.resume) {
    return MeasureRooflines(cfg);
  }
  Rooflines out;
  isolate::Options opt = cfg.isolation;
  opt.timeout_seconds = 0;
  isolate::RunTasks(
      1, [&](size_t) { return MeasureRooflines(cfg).json.dump(); }, opt,
      [&](size_t, isolate::Outcome o) {
        if (o.fault != isolate::Fault::kNone) {
          throw std::runtime_error("the bandwidth measurement failed: " + o.message);
        }
        out.json = Json::parse(o.result);
        return true;
      });
  for (BandwidthLevel& l : BandwidthFromJson(out.json)) out.levels[l.threads].push_back(l);
  return out;
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

bool IsFailure(const report::Json& entry) {
  const std::string verdict = entry.value(field::kVerdict, "pass");
  return verdict != "pass";
}

report::Json RunBench(const std::vector<const Strategy*>& strategies,
                      const std::vector<Problem>& problems, const BenchConfig& cfg) {
  InitBenchmarkOnce();
  const Rooflines rooflines = MeasureRooflinesIn(cfg);
  const Finished finished(cfg.resume);
  Json out;
  if (cfg.resume) {
    out["context"] = cfg.resume->at("context");
    out["context"][ctx::kSkipped] = Json::array();  // filled again in the problems' order
  } else {
    out["context"] = MakeContext(strategies, cfg, rooflines.json);
  }
  if (cfg.on_context) cfg.on_context(out["context"]);
  Json benchmarks = Json::array();
  std::set<std::string> reported;
  for (const Problem& p : problems) {
    if (std::string e = Validate(p); !e.empty()) {
      throw std::invalid_argument("invalid problem " + FormatDescriptor(p) + ": " + e);
    }
  }
  // One task per (problem, strategy), problem by problem, so that a worker computes each
  // problem's reference results once for all strategies.
  const size_t n = strategies.size();
  ProblemChecker checker(problems, cfg.seed);
  const isolate::Task task = [&](size_t i) {
    return BenchTask(*strategies[i % n], problems[i / n], cfg, finished, checker.For(i / n)).dump();
  };
  // The current problem's benchmark names in order, and its fresh entries by name: every entry
  // of a problem is final once its own reference time is known (the derived fields need nothing
  // from other problems), so a problem's results are reported when its last strategy is in.
  std::vector<std::string> names;
  std::map<std::string, std::vector<Json>> fresh;
  Json& skipped = out["context"][ctx::kSkipped];
  const auto finish_problem = [&] {
    Json problem_entries = Json::array();
    for (const std::string& name : names) {
      const auto& source = fresh.count(name) ? fresh : finished.entries;
      if (auto it = source.find(name); it != source.end()) {
        for (const Json& e : it->second) problem_entries.push_back(e);
      }
    }
    AddDerivedFields(problem_entries, rooflines.levels);
    int64_t family = 0;
    for (const std::string& name : names) {
      Json record = {{"benchmarks", Json::array()}};
      for (Json& e : problem_entries) {
        if (e["run_name"] != name) continue;
        // Each task's Google Benchmark run numbers its families from 0; the report numbers
        // them per problem, as one Google Benchmark run per problem did.
        if (fresh.count(name)) e["family_index"] = family;
        record["benchmarks"].push_back(e);
      }
      ++family;
      if (cfg.on_result && fresh.count(name)) cfg.on_result(record);
      reported.insert(name);
    }
    for (Json& e : problem_entries) benchmarks.push_back(std::move(e));
    names.clear();
    fresh.clear();
  };
  const isolate::Done done = [&](size_t i, isolate::Outcome o) {
    const Problem& p = problems[i / n];
    const Strategy& s = *strategies[i % n];
    if (o.fault != isolate::Fault::kNone) {
      Json e = FaultEntry(s, p, cfg, o);
      const std::string name = e["run_name"];
      names.push_back(name);
      fresh[name].push_back(std::move(e));
    } else if (Json r = Json::parse(o.result); r.contains("skipped")) {
      const std::string desc = FormatDescriptor(p);
      const Json item = {
          {field::kStrategy, s.name()}, {field::kDescriptor, desc}, {"reason", r["skipped"]}};
      skipped.push_back(item);
      if (cfg.on_result && !finished.skipped.count({std::string(s.name()), desc})) {
        cfg.on_result({{"skipped", item}});
      }
    } else {
      for (int t : ThreadCounts(s, cfg.threads)) names.push_back(BenchmarkName(s, p, t));
      for (Json& e : r["entries"]) fresh[e.at("run_name").get<std::string>()].push_back(e);
    }
    if ((i + 1) % n != 0) return true;
    finish_problem();
    // Asked between problems: a stopped run reports every problem it finished.
    const size_t next = (i + 1) / n;
    if (next == problems.size()) return true;
    if (cfg.stop && cfg.stop()) return false;
    if (cfg.on_problem) cfg.on_problem(next, problems.size(), FormatDescriptor(problems[next]));
    return true;
  };
  if (n > 0 && !problems.empty() && !(cfg.stop && cfg.stop())) {
    if (cfg.on_problem) cfg.on_problem(0, problems.size(), FormatDescriptor(problems[0]));
    isolate::RunTasks(problems.size() * n, task, cfg.isolation, done);
  }
  benchmark::ClearRegisteredBenchmarks();
  // Stopped early: what the earlier part finished beyond this point is still reported.
  for (const std::string& name : finished.order) {
    if (reported.count(name)) continue;
    for (const Json& e : finished.entries.at(name)) benchmarks.push_back(e);
  }
  if (cfg.resume) {
    for (const Json& item : cfg.resume->at("context").at(ctx::kSkipped)) {
      if (std::find(out["context"][ctx::kSkipped].begin(), out["context"][ctx::kSkipped].end(),
                    item) == out["context"][ctx::kSkipped].end()) {
        out["context"][ctx::kSkipped].push_back(item);
      }
    }
  }
  out["context"][ctx::kLoadAvgEnd] = LoadAverage();
  out["context"][ctx::kWarnings] = report::ToJson(report::MachineWarnings(out["context"]));
  out["benchmarks"] = std::move(benchmarks);
  return out;
}

}  // namespace poolbench
