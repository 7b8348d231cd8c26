#include "report/model.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "report/statistic.hpp"

namespace poolbench::report {
namespace {

// In the order of the enumerators.
constexpr std::string_view kVerdictNames[] = {"pass",  "FAIL",   "crashed",       "timed_out",
                                              "threw", "exited", "out_of_memory", "error"};

// The descriptor with its layout field left out, so that both layouts of a problem share a key.
std::string WithoutLayout(const Result& r) {
  std::string out;
  size_t start = 0;
  const std::string& d = r.descriptor;
  while (start <= d.size()) {
    const size_t end = std::min(d.find(':', start), d.size());
    const std::string_view token(d.data() + start, end - start);
    out += (!r.layout.empty() && token == r.layout) ? std::string_view("*") : token;
    if (end < d.size()) out += ':';
    start = end + 1;
  }
  return out;
}

void DeriveThroughput(Run& run) {
  std::map<int, std::vector<BandwidthLevel>> levels;  // by thread count
  for (const BandwidthLevel& l : run.context.bandwidth) levels[l.threads].push_back(l);
  for (Result& r : run.results) {
    if (!r.time_ns || *r.time_ns <= 0 || !r.bytes_moved) continue;
    r.gbps = static_cast<double>(*r.bytes_moved) / *r.time_ns;
    const auto it = levels.find(r.threads);
    if (it == levels.end()) continue;
    if (const BandwidthLevel* l = LevelFor(it->second, *r.bytes_moved)) {
      r.bandwidth_level = l->level;
      r.bandwidth_fraction = *r.gbps / l->gbps;
    }
  }
}

void DeriveSpeedups(Run& run, std::string_view reference) {
  std::map<std::string, double> reference_ns;  // by descriptor
  for (const Result& r : run.results) {
    if (r.strategy == reference && r.threads == 1 && r.Timed()) {
      reference_ns.emplace(r.descriptor, *r.time_ns);
    }
  }
  for (Result& r : run.results) {
    const auto it = reference_ns.find(r.descriptor);
    if (r.Timed() && *r.time_ns > 0 && it != reference_ns.end())
      r.speedup = it->second / *r.time_ns;
  }
}

void DerivePeers(Run& run) {
  const std::set<std::string> peers(run.context.peers.begin(), run.context.peers.end());
  std::map<std::pair<std::string, int>, const Result*> best;
  for (Result& r : run.results) {
    r.peer = peers.count(r.strategy) > 0;
    if (!r.peer || !r.Timed()) continue;
    const Result*& b = best[{WithoutLayout(r), r.threads}];
    if (!b || std::tie(*r.time_ns, r.strategy) < std::tie(*b->time_ns, b->strategy)) b = &r;
  }
  // Copied first: the pointers above point into the results being updated.
  std::map<std::pair<std::string, int>, std::tuple<std::string, std::string, double>> chosen;
  for (const auto& [key, r] : best)
    chosen.emplace(key, std::tuple{r->strategy, r->layout, *r->time_ns});
  for (Result& r : run.results) {
    const auto it = chosen.find({WithoutLayout(r), r.threads});
    if (!r.Timed() || *r.time_ns <= 0 || it == chosen.end()) continue;
    std::tie(r.best_peer, r.best_peer_layout, std::ignore) = it->second;
    r.vs_best_peer = std::get<2>(it->second) / *r.time_ns;
  }
}

void DeriveFastest(Run& run) {
  std::map<std::string, double> fastest;  // by descriptor, over every thread count
  for (const Result& r : run.results) {
    if (!r.Timed()) continue;
    auto [it, fresh] = fastest.emplace(r.descriptor, *r.time_ns);
    if (!fresh) it->second = std::min(it->second, *r.time_ns);
  }
  for (Result& r : run.results) {
    const auto it = fastest.find(r.descriptor);
    if (r.Timed() && it != fastest.end() && it->second > 0) r.vs_fastest = *r.time_ns / it->second;
  }
}

}  // namespace

std::string_view ToString(Verdict v) { return kVerdictNames[static_cast<size_t>(v)]; }

std::optional<Verdict> ParseVerdict(std::string_view s) {
  for (size_t i = 0; i < std::size(kVerdictNames); ++i) {
    if (kVerdictNames[i] == s) return static_cast<Verdict>(i);
  }
  return std::nullopt;
}

const Result* Run::Find(std::string_view name) const {
  for (const Result& r : results) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::string ResultName(std::string_view strategy, std::string_view descriptor, int threads) {
  std::string out(strategy);
  out += '/';
  out += descriptor;
  out += "/threads:";
  out += std::to_string(threads);
  return out;
}

void Derive(Run& run, std::string_view reference_strategy) {
  for (Result& r : run.results) {
    r.time_ns = Statistic(r);
    r.gbps.reset();
    r.bandwidth_level.clear();
    r.bandwidth_fraction.reset();
    r.speedup.reset();
    r.best_peer.clear();
    r.best_peer_layout.clear();
    r.vs_best_peer.reset();
    r.vs_fastest.reset();
  }
  DeriveThroughput(run);
  DeriveSpeedups(run, reference_strategy);
  DerivePeers(run);
  DeriveFastest(run);
}

}  // namespace poolbench::report
