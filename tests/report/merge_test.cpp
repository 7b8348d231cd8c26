// Joining shard reports: disjoint shards merge into the whole, and the merge refuses what would
// make a wrong report (a benchmark in two inputs, shards of different counts, one input) and
// keeps what a reader must know (a partial input, a different machine or build).
#include "report/merge.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "render/render.hpp"
#include "report/reader.hpp"
#include "report/writer.hpp"

namespace poolbench::report {
namespace {

const std::string kSample = POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json";
const std::string kVgg = "max:fwd:f32:nchw:1x64x56x56:k2x2";

// The sample report split by problem as `bench --shard I/2` would: the second problem in
// shard 2, the others in shard 1.
struct Shards {
  Json whole, first, second;
};

Shards Split() {
  Shards s;
  s.whole = ReadJson(kSample, Expect::kPoolbench);
  s.first = s.second = s.whole;
  s.first["benchmarks"] = s.second["benchmarks"] = Json::array();
  for (const Json& e : s.whole["benchmarks"]) {
    (e["descriptor"] == kVgg ? s.second : s.first)["benchmarks"].push_back(e);
  }
  s.first["context"]["shard"] = "1/2";
  s.second["context"]["shard"] = "2/2";
  s.second["context"]["host_name"] = "ci-2";
  s.second["context"]["skipped"] = {
      {{"strategy", "strided_view"}, {"descriptor", kVgg}, {"reason", "made up for the test"}}};
  return s;
}

// A merge input from a report built as JSON.
MergeInput In(const std::string& file, const Json& report) { return {file, FromJson(report)}; }

// The merged report as it is written.
Json Written(const MergeResult& m) { return ToJson(m.run); }

std::string Message(const std::vector<MergeInput>& inputs) {
  try {
    Merge(inputs);
  } catch (const ReportError& e) {
    return e.what();
  }
  ADD_FAILURE() << "the merge was accepted";
  return "";
}

TEST(Merge, DisjointShardsJoinIntoTheWhole) {
  const Shards s = Split();
  const MergeResult m = Merge({In("a.json", s.first), In("b.json", s.second)});
  const Json merged = Written(m);
  EXPECT_NO_THROW(Validate(merged, "merged", Expect::kPoolbench));
  EXPECT_TRUE(m.warnings.empty()) << m.warnings.front();
  EXPECT_EQ(m.run.results.size(), FromJson(s.whole).results.size());
  EXPECT_FALSE(m.run.context.incomplete);

  const Json& ctx = merged["context"];
  EXPECT_FALSE(ctx.contains("shard")) << "a merged report is no longer one shard";
  EXPECT_EQ(ctx["host_name"], "ci-1") << "the first report's context";
  ASSERT_EQ(ctx["merged_from"].size(), 2u);
  EXPECT_EQ(ctx["merged_from"][0], (Json{{"file", "a.json"},
                                         {"host_name", "ci-1"},
                                         {"machine", "Intel(R) Xeon(R) Processor"},
                                         {"shard", "1/2"},
                                         {"git_revision", "59af938"},
                                         {"date", "2026-11-22T03:30:00+00:00"}}));
  EXPECT_EQ(ctx["merged_from"][1]["file"], "b.json");
  EXPECT_EQ(ctx["merged_from"][1]["host_name"], "ci-2");
  EXPECT_EQ(ctx["merged_from"][1]["shard"], "2/2");
  ASSERT_EQ(ctx["skipped"].size(), 2u) << "the skipped lists are concatenated";
  EXPECT_EQ(ctx["skipped"][1]["strategy"], "strided_view");

  // The merged report ranks exactly as the unsharded one (problems in merge order).
  auto ranking = [](const Json& r) {
    std::set<std::string> out;
    for (const auto& p : render::Summarise(FromJson(r))) {
      std::string line = p.descriptor + ":";
      for (const auto& x : p.ranked) line += " " + x.strategy + "@" + std::to_string(x.threads);
      for (const auto& x : p.unranked) line += " !" + x.strategy;
      out.insert(line);
    }
    return out;
  };
  EXPECT_EQ(ranking(merged), ranking(s.whole));
}

// A Python strategy's timing note is a fact of the whole run, whichever input brought it.
TEST(Merge, PythonStrategiesOfEveryInputAreListedOnce) {
  Shards s = Split();
  const Json numpy = {{"name", "numpy_reshape"}, {"file", "a.py"}, {"timing", "includes the call"}};
  const Json numba = {{"name", "numba_loops"}, {"file", "b.py"}, {"timing", "includes the call"}};
  s.first["context"]["python_strategies"] = {numpy};
  s.second["context"]["python_strategies"] = {numpy, numba};
  const Json m = Written(Merge({In("a.json", s.first), In("b.json", s.second)}));
  EXPECT_NO_THROW(Validate(m, "merged", Expect::kPoolbench));
  EXPECT_EQ(m["context"]["python_strategies"], Json({numpy, numba}));
  // Without Python strategies in any input, the merge adds no list.
  const Shards plain = Split();
  EXPECT_FALSE(
      Written(Merge({In("a.json", plain.first), In("b.json", plain.second)}))["context"].contains(
          "python_strategies"));
}

TEST(Merge, FamilyIndicesStayDistinctAcrossShards) {
  Shards s = Split();
  // Each shard numbers its benchmark families from 0, as Google Benchmark does per run.
  for (Json* shard : {&s.first, &s.second}) {
    std::map<std::string, int> families;
    for (Json& e : (*shard)["benchmarks"]) {
      if (!e.contains("family_index")) continue;
      e["family_index"] = families.emplace(e["run_name"], families.size()).first->second;
    }
  }
  const Json merged = Written(Merge({In("a.json", s.first), In("b.json", s.second)}));
  std::map<int64_t, std::string> run_of_family;
  for (const Json& e : merged["benchmarks"]) {
    if (!e.contains("family_index")) continue;
    const auto [it, fresh] = run_of_family.emplace(e["family_index"], e["run_name"]);
    EXPECT_EQ(it->second, e["run_name"]) << "family " << it->first << " holds two runs";
  }
  EXPECT_EQ(run_of_family.size(), 11u);
}

TEST(Merge, ABenchmarkInTwoInputsIsRefusedNamingItAndBothFiles) {
  const Shards s = Split();
  const std::string m =
      Message({In("a.json", s.first), In("b.json", s.second), In("c.json", s.first)});
  EXPECT_NE(m.find("benchmark \"naive_loops/max:fwd:f32:nchw:1x64x112x112:k3x3:s2x2:p1x1/"
                   "threads:1\" is in both a.json and c.json"),
            std::string::npos)
      << m;
}

TEST(Merge, RepeatedNamesWithinOneInputAreRepetitionsNotDuplicates) {
  const Shards s = Split();
  // Every repetition of a run has the same name; that is not a reason to refuse.
  EXPECT_NO_THROW(Merge({In("a.json", s.first), In("b.json", s.second)}));
}

TEST(Merge, NeedsAtLeastTwoInputs) {
  const Shards s = Split();
  EXPECT_NE(Message({In("a.json", s.first)}).find("at least two reports, got 1"),
            std::string::npos);
  EXPECT_NE(Message({}).find("got 0"), std::string::npos);
}

TEST(Merge, ReportsOfBothFormatVersionsMergeIntoTheCurrentOne) {
  Shards s = Split();
  s.second["context"]["poolbench_report_version"] = 2;
  const Json merged = Written(Merge({In("a.json", s.first), In("b.json", s.second)}));
  EXPECT_EQ(merged["context"]["poolbench_report_version"], kVersion);
  EXPECT_NO_THROW(Validate(merged, "merged", Expect::kPoolbench));
}

TEST(Merge, RefusesShardsOfDifferentCounts) {
  Shards s = Split();
  s.second["context"]["shard"] = "2/3";
  const std::string m = Message({In("a.json", s.first), In("b.json", s.second)});
  EXPECT_NE(m.find("b.json is shard 2/3 but a.json is shard 1/2"), std::string::npos) << m;
}

TEST(Merge, APartialInputMakesThePartialMarkOfTheMerge) {
  Shards s = Split();
  s.second["context"]["incomplete"] = {{"signal", "SIGINT"},
                                       {"entries", 3},
                                       {"problems_done", 1},
                                       {"problems", 2},
                                       {"journal", "b.json.journal"}};
  const MergeResult m = Merge({In("a.json", s.first), In("b.json", s.second)});
  ASSERT_TRUE(m.run.context.incomplete);
  EXPECT_EQ(m.run.context.incomplete->problems_done, 1);
  EXPECT_EQ(m.run.context.incomplete->signal, "SIGINT");
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_NE(m.warnings[0].find("b.json is the partial report of an interrupted bench"),
            std::string::npos)
      << m.warnings[0];
  // Written, read back and merged again, the mark stays.
  const Json written = Written(m);
  EXPECT_TRUE(written["context"].contains("incomplete"));
  EXPECT_TRUE(FromJson(written).context.incomplete);
}

TEST(Merge, WarnsAboutShardsMeasuredOnDifferentMachines) {
  Shards s = Split();
  s.second["context"]["machine"] = "AMD EPYC 9R14";
  const MergeResult m = Merge({In("a.json", s.first), In("b.json", s.second)});
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_NE(m.warnings[0].find("the reports differ in machine: \"AMD EPYC 9R14\" (b.json)"),
            std::string::npos)
      << m.warnings[0];
}

// The same CPU model with another core count is another machine too: compare refuses it, so
// merge must not join it without a word.
TEST(Merge, WarnsAboutShardsMeasuredWithDifferentCpuCounts) {
  Shards s = Split();
  s.second["context"]["num_cpus"] = 96;
  const MergeResult m = Merge({In("a.json", s.first), In("b.json", s.second)});
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_NE(m.warnings[0].find("the reports differ in num_cpus: \"2\" (a.json) \"96\" (b.json)"),
            std::string::npos)
      << m.warnings[0];
}

TEST(Merge, WarnsAboutDifferentBuildsAndMissingShards) {
  Shards s = Split();
  s.second["context"]["git_revision"] = "0123456";
  s.second["context"]["shard"] = "3/3";
  s.first["context"]["shard"] = "1/3";
  const MergeResult m = Merge({In("a.json", s.first), In("b.json", s.second)});
  ASSERT_EQ(m.warnings.size(), 2u);
  EXPECT_NE(m.warnings[0].find("git_revision: \"0123456\" (b.json) \"59af938\" (a.json)"),
            std::string::npos)
      << m.warnings[0];
  EXPECT_NE(m.warnings[1].find("shard(s) 2 of 3"), std::string::npos) << m.warnings[1];
}

// A crafted shard count costs what the shards present cost: the warning names the first missing
// ones and counts the rest instead of listing two billion of them.
TEST(Merge, AHugeShardCountIsBoundedByTheShardsPresent) {
  Shards s = Split();
  s.first["context"]["shard"] = "1/2000000000";
  s.second["context"]["shard"] = "3/2000000000";
  const MergeResult m = Merge({In("a.json", s.first), In("b.json", s.second)});
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_NE(m.warnings[0].find("shard(s) 2, 4, 5,"), std::string::npos) << m.warnings[0];
  EXPECT_NE(m.warnings[0].find("22 and 1999999978 more of 2000000000"), std::string::npos)
      << m.warnings[0];
  EXPECT_LT(m.warnings[0].size(), 300u);
}

TEST(Merge, AMergedInputContributesItsOwnSources) {
  Shards s = Split();
  Json third = s.first;
  third["benchmarks"] = Json::array();
  Json e = s.first["benchmarks"][0];
  e["name"] = e["run_name"] = "extra/" + e["descriptor"].get<std::string>() + "/threads:1";
  e["strategy"] = "extra";
  third["benchmarks"].push_back(e);
  third["context"]["shard"] = "3/3";
  const Json ab = Written(Merge({In("a.json", s.first), In("b.json", s.second)}));
  const Json abc = Written(Merge({In("ab.json", ab), In("c.json", third)}));
  ASSERT_EQ(abc["context"]["merged_from"].size(), 3u);
  EXPECT_EQ(abc["context"]["merged_from"][0]["file"], "a.json");
  EXPECT_EQ(abc["context"]["merged_from"][2]["file"], "c.json");
}

}  // namespace
}  // namespace poolbench::report
