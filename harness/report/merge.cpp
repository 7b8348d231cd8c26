#include "report/merge.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "report/reader.hpp"

namespace poolbench::report {
namespace {

Json ValueOrNull(const Json& ctx, const char* key) {
  const auto it = ctx.find(key);
  return it == ctx.end() ? Json(nullptr) : *it;
}

// The format version, which the reader requires of a poolbench report.
Json Version(const MergeInput& in) { return in.report.at("context").at(ctx::kVersion); }

// Shards run on different machines are expected (that is why a suite is sharded), but a
// different build makes the halves incomparable, so the user hears about it.
void WarnOnDifferences(const std::vector<MergeInput>& inputs, std::vector<std::string>& out) {
  for (const char* key : {ctx::kGitRevision, ctx::kCompiler, ctx::kFlags, ctx::kBuildType}) {
    std::map<std::string, std::string> files_by_value;
    for (const MergeInput& in : inputs) {
      const Json v = ValueOrNull(in.report.at("context"), key);
      auto& files = files_by_value[v.is_string() ? v.get<std::string>() : v.dump()];
      files += (files.empty() ? "" : ", ") + in.file;
    }
    if (files_by_value.size() < 2) continue;
    std::string w = std::string("the reports differ in ") + key + ":";
    for (const auto& [value, files] : files_by_value) w += " \"" + value + "\" (" + files + ")";
    out.push_back(w + "; their results are not comparable with each other");
  }
}

// When every input is one shard "I/N" of the same N, says which shards are missing. The work is
// bounded by the shards present, not by N (a crafted "1/2000000000" costs nothing): at most
// kListedShards missing ones are named, and the rest counted.
void WarnOnMissingShards(const std::vector<MergeInput>& inputs, std::vector<std::string>& out) {
  constexpr size_t kListedShards = 20;
  std::set<int> seen;
  int total = -1;
  for (const MergeInput& in : inputs) {
    const Json s = ValueOrNull(in.report.at("context"), ctx::kShard);
    const auto shard = s.is_string() ? ParseShard(s.get<std::string>()) : std::nullopt;
    if (!shard) return;
    if (total != -1 && shard->second != total) return;
    total = shard->second;
    seen.insert(shard->first);
  }
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

void RequireOneVersion(const std::vector<MergeInput>& inputs) {
  const Json version = Version(inputs.front());
  for (const MergeInput& in : inputs) {
    if (Version(in) != version) {
      throw ReportError(in.file + " has " + ctx::kVersion + " " + Version(in).dump() + " but " +
                        inputs.front().file + " has " + version.dump() +
                        ": reports of different formats cannot be merged");
    }
  }
}

// The inputs' benchmarks in input order, with family_index renumbered so that the families of
// different inputs stay distinct. A name repeats within one report (every repetition of a run
// has the same name), so only a name seen in another input is a duplicate.
Json MergeBenchmarks(const std::vector<MergeInput>& inputs) {
  Json benchmarks = Json::array();
  std::unordered_map<std::string, size_t> owner;
  int64_t family_offset = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    int64_t families = 0;
    for (const Json& b : inputs[i].report.at("benchmarks")) {
      const std::string& name = b.at("name").get_ref<const std::string&>();
      const auto [it, inserted] = owner.try_emplace(name, i);
      if (!inserted && it->second != i) {
        throw ReportError("benchmark \"" + name + "\" is in both " + inputs[it->second].file +
                          " and " + inputs[i].file +
                          ": shards of one run are disjoint (was a shard given twice?)");
      }
      Json entry = b;
      if (const auto f = b.find("family_index"); f != b.end()) {
        // The reader bounds family_index to 2^53, but many inputs could still add up past
        // int64, so the sum is checked rather than left to overflow.
        const int64_t family = f->get<int64_t>();
        int64_t renumbered = 0, next = 0;
        if (__builtin_add_overflow(family, family_offset, &renumbered) ||
            __builtin_add_overflow(renumbered, 1, &next)) {
          throw ReportError(inputs[i].file + ": benchmark \"" + name + "\" has family_index " +
                            std::to_string(family) + ", too large to renumber after the " +
                            std::to_string(family_offset) + " families before it");
        }
        entry["family_index"] = renumbered;
        families = std::max(families, family + 1);
      }
      benchmarks.push_back(std::move(entry));
    }
    family_offset += families;
  }
  return benchmarks;
}

// Appends the list from[key] to `list`; false when `from` has no such list.
bool Append(Json& list, const Json& from, const char* key) {
  const auto it = from.find(key);
  if (it == from.end()) return false;
  list.insert(list.end(), it->begin(), it->end());
  return true;
}

// Where an input came from, for context.merged_from.
Json Origin(const MergeInput& in) {
  const Json& ctx = in.report.at("context");
  return {{"file", in.file},
          {"host_name", ValueOrNull(ctx, "host_name")},
          {"machine", ValueOrNull(ctx, ctx::kMachine)},
          {"shard", ValueOrNull(ctx, ctx::kShard)},
          {"git_revision", ValueOrNull(ctx, ctx::kGitRevision)},
          {"date", ValueOrNull(ctx, "date")}};
}

}  // namespace

MergeResult Merge(const std::vector<MergeInput>& inputs) {
  if (inputs.size() < 2) {
    throw ReportError("merge needs at least two reports, got " + std::to_string(inputs.size()));
  }
  RequireOneVersion(inputs);
  Json context = inputs.front().report.at("context");
  context.erase(ctx::kShard);
  context[ctx::kSkipped] = Json::array();
  context.erase(ctx::kPython);
  context[ctx::kMergedFrom] = Json::array();
  // Every shard's peers are peers of the whole run.
  std::set<std::string> peers;
  for (const MergeInput& in : inputs) {
    const Json& from = in.report.at("context");
    for (const Json& p : from.value(ctx::kPeers, Json::array())) peers.insert(p.get<std::string>());
    Append(context[ctx::kSkipped], from, ctx::kSkipped);
    // Python strategies of any input, once each: their timing note belongs to the whole run.
    for (const Json& py : from.value(ctx::kPython, Json::array())) {
      Json& all = context[ctx::kPython];
      if (std::find(all.begin(), all.end(), py) == all.end()) all.push_back(py);
    }
    // An input that is itself a merge contributes its own list.
    if (!Append(context[ctx::kMergedFrom], from, ctx::kMergedFrom)) {
      context[ctx::kMergedFrom].push_back(Origin(in));
    }
  }
  if (!peers.empty()) context[ctx::kPeers] = peers;
  MergeResult result;
  WarnOnDifferences(inputs, result.warnings);
  WarnOnMissingShards(inputs, result.warnings);
  result.report = {{"context", std::move(context)}, {"benchmarks", MergeBenchmarks(inputs)}};
  return result;
}

}  // namespace poolbench::report
