// The benchmark runner's report: Google Benchmark's entries under poolbench's names with
// poolbench's fields, a wrong strategy as one untimed error entry, and a report that the
// report reader accepts.
#include "bench/bench_runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "poolbench/descriptor.hpp"
#include "poolbench/registry.hpp"
#include "report/reader.hpp"

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
  const Json r = RunBench({&reference, &wrong}, {p}, Quick());
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
  const Json r = RunBench({&reference}, {ParseDescriptor("avg:fwd:f64:nchw:1x1x6x6:k3")}, Quick());
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

}  // namespace
}  // namespace poolbench
