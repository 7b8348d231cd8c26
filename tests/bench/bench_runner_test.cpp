// The benchmark runner's run, as its report is written: Google Benchmark's entries under
// poolbench's names with poolbench's fields, a wrong strategy as one untimed error entry, a
// report that the report reader accepts, each kernel prepared once, and a stopped run resumed.
#include "bench/bench_runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "poolbench/descriptor.hpp"
#include "poolbench/registry.hpp"
#include "report/reader.hpp"
#include "report/writer.hpp"

namespace poolbench {
namespace {

using report::Json;

// Max forward that writes zeros: wrong whenever an input is negative.
class WritesZeros final : public Strategy {
 public:
  std::string_view name() const override { return "writes_zeros"; }
  std::string_view description() const override { return "wrong on purpose"; }
  Support Supports(const Problem&) const override { return Support::Yes(); }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext&) const override {
    return MakeKernel([p](const Buffers& b) {
      std::memset(b.dst, 0, OutputElements(p) * SizeOf(p.dtype));
      if (b.indices) std::fill(b.indices, b.indices + OutputElements(p), 0);
    });
  }
};

// The report of a run, as bench writes it.
Json Written(const std::vector<const Strategy*>& strategies, const std::vector<Problem>& problems,
             const BenchConfig& cfg) {
  return report::ToJson(RunBench(strategies, problems, cfg));
}

BenchConfig Quick() {
  BenchConfig cfg;
  cfg.repetitions = 2;
  cfg.min_time = 0.001;
  cfg.bandwidth_seconds = 0;
  return cfg;
}

TEST(BenchRunner, AWrongStrategyIsOneUntimedErrorEntry) {
  const WritesZeros wrong;
  const Strategy& reference = *Registry::Global().Find("naive_loops");
  const Problem p = ParseDescriptor("max:fwd:f32:nchw:1x2x8x8:k2");
  const Json r = Written({&reference, &wrong}, {p}, Quick());
  EXPECT_NO_THROW(report::Validate(r, "bench", report::Expect::kPoolbench));

  std::vector<Json> wrong_entries;
  for (const Json& e : r["benchmarks"]) {
    if (e["strategy"] == "writes_zeros") wrong_entries.push_back(e);
  }
  ASSERT_EQ(wrong_entries.size(), 1u) << r.dump(1);
  const Json& e = wrong_entries[0];
  EXPECT_EQ(e["name"], "writes_zeros/max:fwd:f32:nchw:1x2x8x8:k2x2/threads:1");
  EXPECT_EQ(e["run_name"], e["name"]);
  EXPECT_EQ(e["verdict"], "FAIL");
  EXPECT_EQ(e["error_occurred"], true);
  EXPECT_EQ(e["error_message"].get<std::string>().rfind("wrong result: writes_zeros on", 0), 0u);
  EXPECT_EQ(e["iterations"], 0);
  EXPECT_EQ(e["real_time"], 0);
  EXPECT_FALSE(e.contains("gbps"));
}

TEST(BenchRunner, EntriesCarryPoolbenchNamesAndFields) {
  const Strategy& reference = *Registry::Global().Find("naive_loops");
  const Json r = Written({&reference}, {ParseDescriptor("avg:fwd:f64:nchw:1x1x6x6:k3")}, Quick());
  const std::string run = "naive_loops/avg:fwd:f64:nchw:1x1x6x6:k3x3/threads:1";
  std::vector<std::string> names;
  for (const Json& e : r["benchmarks"]) {
    names.push_back(e["name"]);
    EXPECT_EQ(e["run_name"], run);
    EXPECT_EQ(e["verdict"], "pass");
    EXPECT_EQ(e["bytes_moved"], (36 + 4) * 8);
  }
  EXPECT_EQ(names, (std::vector<std::string>{run, run, run + "_mean", run + "_median",
                                             run + "_stddev", run + "_cv"}));
  // Google Benchmark's own context, with poolbench's facts added.
  const Json& c = r["context"];
  for (const char* key : {"date", "host_name", "num_cpus", "caches", "library_build_type",
                          "machine", "compiler", "git_revision", "poolbench_report_version"}) {
    EXPECT_TRUE(c.contains(key)) << key;
  }
  EXPECT_EQ(c["executable"], "poolbench");
}

// Supports only forward problems: the other problems' pairs are skipped.
class ForwardOnly final : public Strategy {
 public:
  std::string_view name() const override { return "forward_only"; }
  std::string_view description() const override { return "skips backward problems"; }
  Support Supports(const Problem& p) const override {
    if (p.direction != Direction::kForward) return Support::No("forward only");
    return reference_.Supports(p);
  }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext& ctx) const override {
    return reference_.Prepare(p, ctx);
  }

 private:
  const Strategy& reference_ = *Registry::Global().Find("naive_loops");
};

std::vector<Problem> ThreeProblems() {
  return {ParseDescriptor("max:fwd:f32:nchw:1x1x8x8:k2"),
          ParseDescriptor("avg:bwd:f32:nchw:1x1x6x6:k3"),
          ParseDescriptor("max:fwd:f64:nchw:1x2x5x5:k2")};
}

// The names of a report's samples (its iteration entries), in order.
std::vector<std::string> Names(const Json& benchmarks) {
  std::vector<std::string> names;
  for (const Json& e : benchmarks) {
    if (e.value("run_type", "") != "aggregate") names.push_back(e["name"]);
  }
  return names;
}

// The journal's view of a run: the context first, then every result once, as it is final.
struct Recorder {
  Json context;
  std::vector<Json> records;
  size_t results_before_context = 0;

  void Attach(BenchConfig& cfg) {
    cfg.on_context = [this](const Json& c) { context = c; };
    cfg.on_result = [this](const Json& r) {
      if (context.is_null()) ++results_before_context;
      records.push_back(r);
    };
  }
  // The report the records make, as the journal rebuilds it.
  Json Report() const {
    Json r = {{"context", context}, {"benchmarks", Json::array()}};
    for (const Json& record : records) {
      if (record.contains("skipped")) r["context"]["skipped"].push_back(record["skipped"]);
      for (const Json& e : record.value("benchmarks", Json::array())) r["benchmarks"].push_back(e);
    }
    return r;
  }
};

TEST(BenchRunner, EveryResultIsHandedOverOnceAsItIsFinal) {
  const ForwardOnly forward;
  const Strategy& reference = *Registry::Global().Find("naive_loops");
  BenchConfig cfg = Quick();
  Recorder recorder;
  recorder.Attach(cfg);
  const Json r = Written({&reference, &forward}, ThreeProblems(), cfg);
  EXPECT_EQ(recorder.results_before_context, 0u);
  // Five benchmarks (reference on three problems, forward_only on two) and one skipped pair.
  ASSERT_EQ(recorder.records.size(), 6u);
  for (const Json& record : recorder.records) {
    ASSERT_EQ(record.size(), 1u) << record.dump();
    if (!record.contains("benchmarks")) continue;
    // One result per record: its samples (the report's aggregates are computed from them).
    const Json& entries = record["benchmarks"];
    ASSERT_EQ(entries.size(), static_cast<size_t>(cfg.repetitions * cfg.processes))
        << record.dump();
    for (const Json& e : entries) {
      EXPECT_EQ(e["run_name"], entries[0]["run_name"]);
      EXPECT_EQ(e["run_type"], "iteration");
    }
  }
  // Together the records are the run: the same results with the same samples.
  EXPECT_NO_THROW(report::Validate(recorder.Report(), "records", report::Expect::kPoolbench));
  const report::Run records = report::FromJson(recorder.Report());
  const report::Run run = report::FromJson(r);
  ASSERT_EQ(records.results.size(), run.results.size());
  for (size_t i = 0; i < run.results.size(); ++i) {
    EXPECT_EQ(records.results[i].name, run.results[i].name);
    EXPECT_EQ(records.results[i].time_ns, run.results[i].time_ns);
  }
  EXPECT_EQ(recorder.Report()["context"]["skipped"], r["context"]["skipped"]);
}

// A run stopped after its first problem and resumed from what it handed over ends with the
// entries of an uninterrupted run, in the same order, measuring nothing twice.
TEST(BenchRunner, AStoppedRunResumedHasTheEntriesOfAnUninterruptedOne) {
  const ForwardOnly forward;
  const Strategy& reference = *Registry::Global().Find("naive_loops");
  const std::vector<const Strategy*> strategies = {&reference, &forward};
  const Json whole = Written(strategies, ThreeProblems(), Quick());

  BenchConfig first = Quick();
  Recorder done;
  done.Attach(first);
  size_t begun = 0;
  first.on_problem = [&](size_t, size_t, const std::string&) { ++begun; };
  first.stop = [&] { return begun == 2; };
  const Json partial = Written(strategies, ThreeProblems(), first);
  EXPECT_EQ(begun, 2u);
  EXPECT_EQ(Names(partial["benchmarks"]), Names(done.Report()["benchmarks"]));
  EXPECT_LT(partial["benchmarks"].size(), whole["benchmarks"].size());

  const Json earlier = done.Report();
  const report::Run earlier_run = report::FromJson(earlier);
  BenchConfig rest = Quick();
  rest.resume = &earlier_run;
  Recorder resumed;
  resumed.Attach(rest);
  const Json complete = Written(strategies, ThreeProblems(), rest);
  EXPECT_EQ(Names(complete["benchmarks"]), Names(whole["benchmarks"]));
  EXPECT_EQ(complete["context"]["skipped"], whole["context"]["skipped"]);
  EXPECT_EQ(complete["context"]["date"], earlier["context"]["date"]) << "the context is kept";
  // Only the third problem was measured (two benchmarks), and nothing was skipped again.
  ASSERT_EQ(resumed.records.size(), 2u);
  for (const Json& record : resumed.records) {
    EXPECT_EQ(record["benchmarks"][0]["descriptor"], FormatDescriptor(ThreeProblems()[2]));
  }
  EXPECT_NO_THROW(report::Validate(complete, "resumed", report::Expect::kPoolbench));
}

// Resumed after a benchmark of a problem whose other benchmarks are done, and stopped again at
// once: what the earlier part finished is still all in the report.
TEST(BenchRunner, AResumedRunStoppedAtOnceKeepsWhatWasDone) {
  const Strategy& reference = *Registry::Global().Find("naive_loops");
  BenchConfig first = Quick();
  Recorder done;
  done.Attach(first);
  const Json whole = Written({&reference}, ThreeProblems(), first);
  const report::Run earlier = report::FromJson(done.Report());
  BenchConfig again = Quick();
  again.resume = &earlier;
  again.stop = [] { return true; };
  Recorder none;
  none.Attach(again);
  const Json r = Written({&reference}, ThreeProblems(), again);
  EXPECT_EQ(Names(r["benchmarks"]), Names(whole["benchmarks"]));
  EXPECT_TRUE(none.records.empty());
}

// Counts Prepare per thread count; runs as the reference does.
class CountsPrepares final : public Strategy {
 public:
  explicit CountsPrepares(std::map<int, int>& prepares) : prepares_(prepares) {}
  std::string_view name() const override { return "counts_prepares"; }
  std::string_view description() const override { return "the reference, counting Prepare"; }
  Support Supports(const Problem& p) const override { return reference_.Supports(p); }
  int MaxThreads() const override { return 2; }
  std::unique_ptr<Kernel> Prepare(const Problem& p, const ExecContext& ctx) const override {
    ++prepares_[ctx.threads];
    return reference_.Prepare(p, ExecContext{1});
  }

 private:
  std::map<int, int>& prepares_;
  const Strategy& reference_ = *Registry::Global().Find("naive_loops");
};

// Google Benchmark calls a benchmark's body again for each iteration-count probe and each
// repetition: the kernel is prepared once per (problem, thread count) all the same. (The
// cross-check prepares its own kernels, at the largest thread count only.)
TEST(BenchRunner, AKernelIsPreparedOncePerProblemAndThreadCount) {
  std::map<int, int> prepares;
  const CountsPrepares counting(prepares);
  BenchConfig cfg = Quick();
  cfg.repetitions = 3;
  cfg.threads = {1, 2};
  const report::Run r =
      RunBench({&counting}, {ParseDescriptor("max:fwd:f32:nchw:1x2x8x8:k2")}, cfg);
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].samples.size(), 3u);
  EXPECT_EQ(prepares[1], 1) << "prepared again for a probe or a repetition";
  EXPECT_GE(prepares[2], 1);
}

}  // namespace
}  // namespace poolbench
