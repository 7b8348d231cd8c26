#include "report/writer.hpp"

#include <cmath>
#include <numeric>

#include "report/statistic.hpp"

namespace poolbench::report {
namespace {

// The fields every entry of a result carries.
Json Identity(const Result& r) {
  Json e = {{"run_name", r.name}, {"threads", r.threads}};
  if (r.strategy.empty()) return e;  // a plain Google Benchmark result
  e[field::kStrategy] = r.strategy;
  e[field::kDescriptor] = r.descriptor;
  e[field::kOp] = r.op;
  e[field::kDirection] = r.direction;
  e[field::kDType] = r.dtype;
  e[field::kLayout] = r.layout;
  if (r.bytes_moved) e[field::kBytes] = *r.bytes_moved;
  e[field::kVerdict] = ToString(r.verdict);
  return e;
}

// The derived fields of one time of the result: `ns` is a repetition's time or the statistic.
void AddDerived(Json& e, const Result& r, double ns) {
  if (!r.time_ns || ns <= 0) return;
  const double scale = *r.time_ns / ns;  // this time's throughput against the statistic's
  if (r.gbps) e[field::kGBps] = *r.gbps * scale;
  if (r.bandwidth_fraction) {
    e[field::kBandwidthLevel] = r.bandwidth_level;
    e[field::kBandwidthFraction] = *r.bandwidth_fraction * scale;
  }
  if (r.speedup) e[field::kSpeedup] = r.speedup->value * scale;
}

Json InterferenceJson(const Interference& i) {
  Json j = {{"wall_ns", i.wall_ns},
            {"cpu_ns", i.cpu_ns},
            {"involuntary_switches", i.involuntary_switches}};
  if (i.run_delay_ns) j["run_delay_ns"] = *i.run_delay_ns;
  if (i.steal_ns) j["steal_ns"] = *i.steal_ns;
  if (i.other_busy_cpus) j["other_busy_cpus"] = *i.other_busy_cpus;
  if (!i.unmeasured.empty()) j["unmeasured"] = i.unmeasured;
  return j;
}

Json Failure(const Result& r, int64_t family) {
  Json e = Identity(r);
  e.update({{"name", r.name},
            {"family_index", family},
            {"per_family_instance_index", 0},
            {"run_type", "iteration"},
            {"repetitions", 1},
            {"repetition_index", 0},
            {"iterations", 0},
            {"real_time", 0},
            {"cpu_time", 0},
            {"time_unit", "ns"},
            {"error_occurred", true},
            {"error_message", r.error_message}});
  if (!r.signal.empty()) e[field::kSignal] = r.signal;
  if (!r.repro.empty()) e[field::kRepro] = r.repro;
  return e;
}

struct Moments {
  double mean_real = 0, mean_cpu = 0, sd_real = 0, sd_cpu = 0;
};

// Mean and sample standard deviation (n - 1) of the clean samples, as Google Benchmark computes
// its aggregates.
Moments MomentsOf(const std::vector<Sample>& all, bool keep_disturbed) {
  std::vector<Sample> samples;
  for (const Sample& s : all) {
    if (keep_disturbed || !s.Disturbed()) samples.push_back(s);
  }
  Moments m;
  if (samples.size() < 2) return m;
  const double n = static_cast<double>(samples.size());
  for (const Sample& s : samples) m.mean_real += s.real_ns / n, m.mean_cpu += s.cpu_ns / n;
  double vr = 0, vc = 0;
  for (const Sample& s : samples) {
    vr += (s.real_ns - m.mean_real) * (s.real_ns - m.mean_real);
    vc += (s.cpu_ns - m.mean_cpu) * (s.cpu_ns - m.mean_cpu);
  }
  m.sd_real = std::sqrt(vr / (n - 1));
  m.sd_cpu = std::sqrt(vc / (n - 1));
  return m;
}

Json Aggregate(const Result& r, int64_t family, const char* name, const char* unit, double real,
               double cpu) {
  Json e = Identity(r);
  e.update({{"name", r.name + "_" + name},
            {"family_index", family},
            {"per_family_instance_index", 0},
            {"run_type", "aggregate"},
            {"repetitions", r.samples.size()},
            {"aggregate_name", name},
            {"aggregate_unit", unit},
            {"iterations", r.samples.size()},
            {"real_time", real},
            {"cpu_time", cpu},
            {"time_unit", "ns"}});
  return e;
}

}  // namespace

Json EntriesOf(const Result& r, int64_t family) {
  Json out = Json::array();
  if (r.Failed()) {
    out.push_back(Failure(r, family));
    return out;
  }
  for (size_t i = 0; i < r.samples.size(); ++i) {
    const Sample& s = r.samples[i];
    Json e = Identity(r);
    e.update({{"name", r.name},
              {"family_index", family},
              {"per_family_instance_index", 0},
              {"run_type", "iteration"},
              {"repetitions", r.samples.size()},
              {"repetition_index", i},
              {"iterations", s.iterations},
              {"real_time", s.real_ns},
              {"cpu_time", s.cpu_ns},
              {"time_unit", "ns"},
              {field::kProcess, s.process}});
    if (s.interference) e[field::kInterference] = InterferenceJson(*s.interference);
    if (s.Disturbed()) {
      e[field::kDisturbance] = s.disturbance;
    } else {
      AddDerived(e, r, s.real_ns);
    }
    out.push_back(std::move(e));
  }
  // The aggregates of the repetitions the statistic is over; the median is the statistic
  // (statistic.hpp), which Derive() has computed.
  if (r.samples.size() > 1 && r.time_ns) {
    const Moments m = MomentsOf(r.samples, r.estimate.kept_disturbed);
    std::vector<double> cpu;
    for (const Sample& s : r.samples) {
      if (r.estimate.kept_disturbed || !s.Disturbed()) cpu.push_back(s.cpu_ns);
    }
    out.push_back(Aggregate(r, family, "mean", "time", m.mean_real, m.mean_cpu));
    Json median = Aggregate(r, family, "median", "time", *r.time_ns, Median(cpu).value_or(0));
    AddDerived(median, r, *r.time_ns);
    out.push_back(std::move(median));
    out.push_back(Aggregate(r, family, "stddev", "time", m.sd_real, m.sd_cpu));
    out.push_back(Aggregate(r, family, "cv", "percentage",
                            m.mean_real > 0 ? m.sd_real / m.mean_real : 0,
                            m.mean_cpu > 0 ? m.sd_cpu / m.mean_cpu : 0));
  }
  return out;
}

Json ToJson(const Context& c) {
  Json out = c.facts.is_object() ? c.facts : Json::object();
  out[ctx::kVersion] = kVersion;
  out[ctx::kStatistic] = kStatisticName;
  const auto set = [&](const char* key, bool present, Json value) {
    if (present) {
      out[key] = std::move(value);
    } else {
      out.erase(key);
    }
  };
  set(ctx::kPeers, !c.peers.empty(), c.peers);
  Json missing = Json::array();
  for (const MissingPeer& m : c.missing_peers)
    missing.push_back({{"name", m.name}, {"reason", m.reason}});
  out[ctx::kMissingPeers] = std::move(missing);
  out[ctx::kBandwidth] = poolbench::ToJson(c.bandwidth);
  Json skipped = Json::array();
  for (const Skip& s : c.skipped) {
    skipped.push_back(
        {{field::kStrategy, s.strategy}, {field::kDescriptor, s.descriptor}, {"reason", s.reason}});
  }
  out[ctx::kSkipped] = std::move(skipped);
  out[ctx::kWarnings] = ToJson(c.warnings);
  set(ctx::kShard, c.shard.has_value(), c.shard.value_or(""));
  Json merged = Json::array();
  const auto or_null = [](const std::optional<std::string>& v) { return v ? Json(*v) : Json(); };
  for (const MergedFrom& m : c.merged_from) {
    merged.push_back({{"file", m.file},
                      {"host_name", or_null(m.host_name)},
                      {ctx::kMachine, or_null(m.machine)},
                      {ctx::kShard, or_null(m.shard)},
                      {ctx::kGitRevision, or_null(m.git_revision)},
                      {"date", or_null(m.date)}});
  }
  set(ctx::kMergedFrom, !merged.empty(), merged);
  if (c.incomplete) {
    const Incomplete& i = *c.incomplete;
    out[ctx::kIncomplete] = {{"signal", i.signal},
                             {"entries", i.entries},
                             {"problems_done", i.problems_done},
                             {"problems", i.problems},
                             {"journal", i.journal}};
  } else {
    out.erase(ctx::kIncomplete);
  }
  set(ctx::kSettings, !c.settings.empty(), c.settings);
  set(ctx::kOrigins, !c.origins.empty(), c.origins);
  return out;
}

Json ToJson(const Run& run) {
  Json benchmarks = Json::array();
  int64_t family = 0;
  for (const Result& r : run.results) {
    for (Json& e : EntriesOf(r, family)) benchmarks.push_back(std::move(e));
    ++family;
  }
  return {{"context", ToJson(run.context)}, {"benchmarks", std::move(benchmarks)}};
}

void Save(const Run& run, const std::string& path) { Save(ToJson(run), path); }

}  // namespace poolbench::report
