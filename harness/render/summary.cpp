// Summarising a report's entries into ranked results per problem: the one selection and ranking
// rule, shared by every renderer and by bench's console summary.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "render/render.hpp"

namespace poolbench::render {
namespace {

using report::Json;
namespace field = report::field;

std::string StringOr(const Json& e, const char* key, const std::string& fallback = "") {
  const auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::optional<double> NumberOf(const Json& e, const char* key) {
  const auto it = e.find(key);
  if (it == e.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

bool IsError(const Json& e) {
  const auto it = e.find("error_occurred");
  return it != e.end() && it->is_boolean() && it->get<bool>();
}

// The poolbench fields that describe the problem and the result's throughput, read from the
// entry that represents the group (the mean aggregate or an iteration entry).
void ReadFields(const Json& e, Result& r) {
  r.op = StringOr(e, field::kOp);
  r.direction = StringOr(e, field::kDirection);
  r.dtype = StringOr(e, field::kDType);
  r.layout = StringOr(e, field::kLayout);
  if (auto b = NumberOf(e, field::kBytes)) r.bytes_moved = static_cast<int64_t>(*b);
  r.gbps = NumberOf(e, field::kGBps);
  r.bandwidth_fraction = NumberOf(e, field::kBandwidthFraction);
  r.bandwidth_level = StringOr(e, field::kBandwidthLevel);
  r.speedup = NumberOf(e, field::kSpeedup);
}

struct Group {
  Result result;
  const Json* mean = nullptr;
  const Json* cv = nullptr;
  std::vector<const Json*> iterations;
  const Json* error = nullptr;
  std::string verdict;
};

void Finish(Group& g) {
  Result& r = g.result;
  r.verdict = g.verdict;
  if (g.error) r.error_message = StringOr(*g.error, "error_message", "(no message)");
  r.ranked = g.error == nullptr && g.verdict == "pass";
  // A group with only other statistics (a median, a stddev) has no time to rank by.
  if (r.ranked && !g.mean && g.iterations.empty()) {
    r.ranked = false;
    r.error_message = "no time: neither a mean aggregate nor an iteration entry";
  }
  // Every entry of a group describes the same problem; the one whose numbers are used also
  // gives the fields (an error entry has only the problem's).
  const Json* rep = g.mean ? g.mean : !g.iterations.empty() ? g.iterations.front() : g.error;
  if (rep) ReadFields(*rep, r);
  if (!r.ranked) return;
  if (g.iterations.size() > 1) {
    for (const Json* e : g.iterations) {
      const double ns = report::RealTimeNs(*e);
      r.min_ns = r.min_ns ? std::min(*r.min_ns, ns) : ns;
      r.max_ns = r.max_ns ? std::max(*r.max_ns, ns) : ns;
    }
  }
  if (g.mean) {
    r.time_ns = report::RealTimeNs(*g.mean);
    r.repetitions = g.mean->value("repetitions", 1);
    // Google Benchmark writes the coefficient of variation as a fraction in real_time.
    if (g.cv) r.cv = NumberOf(*g.cv, "real_time");
    return;
  }
  // Without aggregates (a single repetition, or a report written with the aggregates left
  // out), the time is the mean of the iterations; the throughput fields scale inversely.
  double sum = 0;
  for (const Json* e : g.iterations) sum += report::RealTimeNs(*e);
  r.repetitions = static_cast<int>(g.iterations.size());
  r.time_ns = sum / r.repetitions;
  const double first = report::RealTimeNs(*g.iterations.front());
  if (first > 0 && r.time_ns > 0) {
    const double scale = first / r.time_ns;
    for (auto* v : {&r.gbps, &r.bandwidth_fraction, &r.speedup}) {
      if (*v) **v *= scale;
    }
  }
}

// The groups of a report's entries by (descriptor, strategy, threads), in the order they first
// appear.
struct Groups {
  using Key = std::tuple<std::string, std::string, int>;
  std::map<Key, Group> by_key;
  std::vector<Key> order;

  Group& Of(const Json& e) {
    const Key key{e[field::kDescriptor], e[field::kStrategy], e.value("threads", 1)};
    auto [it, inserted] = by_key.try_emplace(key);
    Group& g = it->second;
    if (inserted) {
      order.push_back(key);
      std::tie(g.result.descriptor, g.result.strategy, g.result.threads) = key;
    }
    return g;
  }
};

void AddEntry(Group& g, const Json& e) {
  // A single FAIL anywhere in the group makes the whole result wrong.
  const std::string verdict = StringOr(e, field::kVerdict);
  if (g.verdict != "FAIL" && !verdict.empty()) g.verdict = verdict;
  if (IsError(e)) {
    if (!g.error) g.error = &e;
    return;
  }
  if (StringOr(e, "run_type") != "aggregate") {
    g.iterations.push_back(&e);
    return;
  }
  const std::string name = StringOr(e, "aggregate_name");
  if (name == "mean") g.mean = &e;
  if (name == "cv") g.cv = &e;
}

// The descriptor with its layout field left out, so that both layouts of a problem share a key.
std::string WithoutLayout(const std::string& descriptor) {
  std::string out;
  size_t start = 0;
  while (start <= descriptor.size()) {
    const size_t end = std::min(descriptor.find(':', start), descriptor.size());
    const std::string token = descriptor.substr(start, end - start);
    out += (token == "nchw" || token == "nhwc") ? "*" : token;
    if (end < descriptor.size()) out += ':';
    start = end + 1;
  }
  return out;
}

// Sets every ranked result's best peer: the fastest ranked peer at the same thread count on the
// same problem in either layout.
void CompareWithPeers(std::vector<ProblemResults>& problems, const std::set<std::string>& peers) {
  if (peers.empty()) return;
  std::map<std::pair<std::string, int>, const Result*> best;
  for (const ProblemResults& p : problems) {
    for (const Result& r : p.ranked) {
      if (!r.peer || r.time_ns <= 0) continue;
      const Result*& b = best[{WithoutLayout(r.descriptor), r.threads}];
      if (!b || std::tie(r.time_ns, r.strategy) < std::tie(b->time_ns, b->strategy)) b = &r;
    }
  }
  // Copied first: the pointers above point into the results being updated.
  std::map<std::pair<std::string, int>, Result> chosen;
  for (const auto& [key, r] : best) chosen.emplace(key, *r);
  for (ProblemResults& p : problems) {
    for (Result& r : p.ranked) {
      const auto it = chosen.find({WithoutLayout(r.descriptor), r.threads});
      if (it == chosen.end() || r.time_ns <= 0) continue;
      r.best_peer = it->second.strategy;
      r.best_peer_layout = it->second.layout;
      r.vs_best_peer = it->second.time_ns / r.time_ns;
    }
  }
}

}  // namespace

std::vector<std::string> Peers(const report::Json& report) {
  std::vector<std::string> out;
  const Json& ctx = report.at("context");
  const auto it = ctx.find(report::ctx::kPeers);
  if (it == ctx.end() || !it->is_array()) return out;
  for (const Json& p : *it) {
    if (p.is_string()) out.push_back(p.get<std::string>());
  }
  return out;
}

std::string UnrankedLabel(const Result& r) {
  if (r.verdict == "FAIL") return "WRONG";
  // Verdicts other than pass and FAIL (a crashed or timed-out run) name themselves.
  if (!r.verdict.empty() && r.verdict != "pass") {
    std::string label;
    for (char c : r.verdict) {
      label += c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return label;
  }
  if (!r.error_message.empty()) return "ERROR";
  return "UNVERIFIED";
}

std::vector<ProblemResults> Summarise(const report::Json& report) {
  Groups groups;
  for (const Json& e : report.at("benchmarks")) AddEntry(groups.Of(e), e);
  const std::vector<std::string> peer_list = Peers(report);
  const std::set<std::string> peers(peer_list.begin(), peer_list.end());
  std::vector<ProblemResults> out;
  std::map<std::string, size_t> slot;
  for (const Groups::Key& key : groups.order) {
    Group& g = groups.by_key[key];
    Finish(g);
    g.result.peer = peers.count(g.result.strategy) > 0;
    const auto [it, fresh] = slot.try_emplace(g.result.descriptor, out.size());
    if (fresh) out.push_back({g.result.descriptor, {}, {}});
    ProblemResults& p = out[it->second];
    (g.result.ranked ? p.ranked : p.unranked).push_back(std::move(g.result));
  }
  for (ProblemResults& p : out) {
    std::stable_sort(p.ranked.begin(), p.ranked.end(), [](const Result& a, const Result& b) {
      return std::tie(a.time_ns, a.strategy, a.threads) <
             std::tie(b.time_ns, b.strategy, b.threads);
    });
  }
  CompareWithPeers(out, peers);
  return out;
}

}  // namespace poolbench::render
