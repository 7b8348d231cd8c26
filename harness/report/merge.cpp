#include "report/merge.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "report/reader.hpp"

namespace poolbench::report {
namespace {

// The build and CPU facts that make two halves incomparable when they differ. Shards are often
// run on different hosts (that is why a suite is sharded), which is fine when the hosts are
// alike; a different CPU model or build is warned about, never refused, and the merged context
// keeps the first input's facts.
void WarnOnDifferences(const std::vector<MergeInput>& inputs, std::vector<std::string>& out) {
  // The facts compare refuses to set side by side (compare::kMachineFields): a machine of
  // another CPU count is another machine even with the same CPU model.
  using Fact = std::string (*)(const Context&);
  const std::pair<const char*, Fact> fields[] = {
      {ctx::kMachine, [](const Context& c) { return c.machine; }},
      {"num_cpus", [](const Context& c) { return std::to_string(c.num_cpus); }},
      {ctx::kGitRevision, [](const Context& c) { return c.git_revision; }},
      {ctx::kCompiler, [](const Context& c) { return c.compiler; }},
      {ctx::kFlags, [](const Context& c) { return c.flags; }},
      {ctx::kBuildType, [](const Context& c) { return c.build_type; }}};
  for (const auto& [key, fact] : fields) {
    std::map<std::string, std::string> files_by_value;
    for (const MergeInput& in : inputs) {
      auto& files = files_by_value[fact(in.run.context)];
      files += (files.empty() ? "" : ", ") + in.file;
    }
    if (files_by_value.size() < 2) continue;
    std::string w = std::string("the reports differ in ") + key + ":";
    for (const auto& [value, files] : files_by_value) w += " \"" + value + "\" (" + files + ")";
    out.push_back(w + "; the merged report names the first, and its halves are not comparable " +
                  "with each other");
  }
}

// Shards of one run share their count. Inputs that are not all shards are merged as they are.
void CheckShards(const std::vector<MergeInput>& inputs, std::vector<std::string>& out) {
  constexpr size_t kListedShards = 20;
  std::set<int> seen;
  const MergeInput* first = nullptr;
  int total = -1;
  for (const MergeInput& in : inputs) {
    const auto shard = in.run.context.shard ? ParseShard(*in.run.context.shard) : std::nullopt;
    if (!shard) return;
    if (total != -1 && shard->second != total) {
      throw ReportError(in.file + " is shard " + *in.run.context.shard + " but " + first->file +
                        " is shard " + *first->run.context.shard +
                        ": shards of one run are all I/N with the same N");
    }
    if (!first) first = &in;
    total = shard->second;
    seen.insert(shard->first);
  }
  // The work is bounded by the shards present, not by N (a crafted "1/2000000000" costs
  // nothing): at most kListedShards missing ones are named, and the rest counted.
  const int64_t missing = int64_t{total} - static_cast<int64_t>(seen.size());
  if (missing <= 0) return;
  std::string listed;
  size_t named = 0;
  for (int i = 1; i <= total && named < kListedShards; ++i) {
    if (seen.count(i)) continue;
    listed += (listed.empty() ? "" : ", ") + std::to_string(i);
    ++named;
  }
  if (static_cast<int64_t>(named) < missing) {
    listed += " and " + std::to_string(missing - static_cast<int64_t>(named)) + " more";
  }
  out.push_back("shard(s) " + listed + " of " + std::to_string(total) +
                " are not among the inputs: the merged report covers part of the suite");
}

// Where an input came from, for context.merged_from.
MergedFrom Origin(const MergeInput& in) {
  const Context& c = in.run.context;
  const auto opt = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  };
  return {in.file, opt(c.host_name), opt(c.machine), c.shard, opt(c.git_revision), opt(c.date)};
}

// Appends the items of facts[key] (a list) that `all` does not hold yet.
void Union(Json& all, const Json& facts, const char* key) {
  const auto it = facts.find(key);
  if (it == facts.end() || !it->is_array()) return;
  if (!all.is_array()) all = Json::array();
  for (const Json& item : *it) {
    if (std::find(all.begin(), all.end(), item) == all.end()) all.push_back(item);
  }
}

// The sum of the inputs' partial marks, or none when every input is complete.
std::optional<Incomplete> MergedIncomplete(const std::vector<MergeInput>& inputs,
                                           std::vector<std::string>& warnings) {
  std::optional<Incomplete> out;
  for (const MergeInput& in : inputs) {
    const std::optional<Incomplete>& i = in.run.context.incomplete;
    if (!i) continue;
    warnings.push_back(in.file + " is the partial report of an interrupted bench (" +
                       std::to_string(i->problems_done) + " of " + std::to_string(i->problems) +
                       " problems): the merged report is marked incomplete");
    if (!out) {
      out = *i;
      continue;
    }
    out->entries += i->entries;
    out->problems_done += i->problems_done;
    out->problems += i->problems;
  }
  return out;
}

}  // namespace

MergeResult Merge(const std::vector<MergeInput>& inputs) {
  if (inputs.size() < 2) {
    throw ReportError("merge needs at least two reports, got " + std::to_string(inputs.size()));
  }
  MergeResult result;
  WarnOnDifferences(inputs, result.warnings);
  CheckShards(inputs, result.warnings);
  Context& context = result.run.context;
  context = inputs.front().run.context;
  context.shard.reset();
  context.skipped.clear();
  context.merged_from.clear();
  context.facts.erase(ctx::kPython);
  std::set<std::string> peers;
  std::unordered_map<std::string, size_t> owner;  // result name -> input
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Context& from = inputs[i].run.context;
    peers.insert(from.peers.begin(), from.peers.end());
    context.skipped.insert(context.skipped.end(), from.skipped.begin(), from.skipped.end());
    Union(context.facts[ctx::kPython], from.facts, ctx::kPython);
    if (from.merged_from.empty()) {
      context.merged_from.push_back(Origin(inputs[i]));
    } else {
      context.merged_from.insert(context.merged_from.end(), from.merged_from.begin(),
                                 from.merged_from.end());
    }
    for (const Result& r : inputs[i].run.results) {
      const auto [it, fresh] = owner.try_emplace(r.name, i);
      if (!fresh) {
        throw ReportError("benchmark \"" + r.name + "\" is in both " + inputs[it->second].file +
                          " and " + inputs[i].file +
                          ": shards of one run are disjoint (was a shard given twice?)");
      }
      result.run.results.push_back(r);
    }
  }
  if (context.facts[ctx::kPython].empty()) context.facts.erase(ctx::kPython);
  context.peers.assign(peers.begin(), peers.end());
  context.incomplete = MergedIncomplete(inputs, result.warnings);
  Derive(result.run);
  return result;
}

}  // namespace poolbench::report
