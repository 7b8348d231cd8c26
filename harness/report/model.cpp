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

// `other`'s time / r's time, with its interval; exactly 1, without one, when `other` is r itself
// (a result is not uncertain about how it compares with itself).
std::optional<Ratio> RatioTo(const Result& r, const std::pair<std::string, Estimate>& other) {
  if (other.first == r.name) return Ratio{1, std::nullopt};
  return RatioOf(other.second, r.estimate);
}

void DeriveThroughput(Run& run) {
  std::map<int, std::vector<BandwidthLevel>> levels;  // by thread count
  for (const BandwidthLevel& l : run.context.bandwidth) levels[l.threads].push_back(l);
  for (Result& r : run.results) {
    if (!r.Timed() || *r.time_ns <= 0 || !r.bytes_moved) continue;
    r.gbps = static_cast<double>(*r.bytes_moved) / *r.time_ns;
    const auto it = levels.find(r.threads);
    if (it == levels.end()) continue;
    if (const BandwidthLevel* l = LevelFor(it->second, *r.bytes_moved)) {
      r.bandwidth_level = l->level;
      const double fraction = *r.gbps / l->gbps;
      if (fraction > kPlausibleRooflineFraction) {
        r.roofline_under_measured = true;
      } else {
        r.bandwidth_fraction = fraction;
      }
    }
  }
}

void DeriveSpeedups(Run& run, std::string_view reference) {
  std::map<std::string, std::pair<std::string, Estimate>> references;  // by descriptor
  for (const Result& r : run.results) {
    if (r.strategy == reference && r.threads == 1 && r.Timed()) {
      references.emplace(r.descriptor, std::pair{r.name, r.estimate});
    }
  }
  for (Result& r : run.results) {
    const auto it = references.find(r.descriptor);
    if (r.Timed() && it != references.end()) r.speedup = RatioTo(r, it->second);
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
  struct Chosen {
    std::string strategy, layout, name;
    Estimate estimate;
  };
  std::map<std::pair<std::string, int>, Chosen> chosen;
  for (const auto& [key, r] : best)
    chosen.emplace(key, Chosen{r->strategy, r->layout, r->name, r->estimate});
  for (Result& r : run.results) {
    const auto it = chosen.find({WithoutLayout(r), r.threads});
    if (!r.Timed() || it == chosen.end()) continue;
    r.best_peer = it->second.strategy;
    r.best_peer_layout = it->second.layout;
    r.vs_best_peer = RatioTo(r, {it->second.name, it->second.estimate});
  }
}

void DeriveFastest(Run& run) {
  // By descriptor, over every thread count: the fastest's name and estimate.
  std::map<std::string, std::pair<std::string, Estimate>> fastest;
  for (const Result& r : run.results) {
    if (!r.Timed()) continue;
    auto [it, fresh] = fastest.emplace(r.descriptor, std::pair{r.name, r.estimate});
    if (!fresh && *r.time_ns < *it->second.second.time_ns) it->second = {r.name, r.estimate};
  }
  for (Result& r : run.results) {
    const auto it = fastest.find(r.descriptor);
    if (!r.Timed() || it == fastest.end()) continue;
    // The ratio the other way round: this time over the fastest's.
    if (const std::optional<Ratio> inverse = RatioTo(r, it->second)) {
      Ratio ratio{1 / inverse->value, std::nullopt};
      if (inverse->interval)
        ratio.interval = Interval{1 / inverse->interval->hi, 1 / inverse->interval->lo};
      r.vs_fastest = ratio;
    }
  }
}

// A strategy that was selected but skipped every problem has no row anywhere: it would vanish
// from the report without a word. One warning each, with its skip reasons counted.
std::vector<Warning> RanOnNothingWarnings(const Run& run) {
  std::vector<Warning> out;
  for (const auto& [strategy, counts] : RanOnNothing(run)) {
    int total = 0;
    std::string why;
    for (const auto& [reason, n] : counts) {
      total += n;
      why += (why.empty() ? "" : "; ") + std::to_string(n) + ": " + reason;
    }
    out.push_back({"ran_on_nothing", strategy + " ran on no problem: it skipped all " +
                                         std::to_string(total) + " (" + why + ")"});
  }
  return out;
}

// The warnings the results give, after the machine's (report/warnings.hpp): results other work
// disturbed, interference that could not be measured, intervals over one process only,
// strategies that ran on nothing.
void DeriveWarnings(Run& run) {
  std::vector<Warning>& out = run.context.warnings;
  std::erase_if(out, [](const Warning& w) { return IsResultsWarning(w.kind); });
  size_t disturbed = 0, correct = 0, one_process = 0, kept = 0, repetitions = 0, over = 0;
  std::string unmeasured;
  for (const Result& r : run.results) {
    if (r.Failed()) continue;
    ++correct;
    if (!r.disturbed.empty()) ++disturbed;
    if (r.Timed() && r.estimate.processes < 2 && !r.samples.empty()) ++one_process;
    over += r.roofline_under_measured;
    for (const Sample& s : r.samples) {
      ++repetitions;
      kept += s.Disturbed();
      if (s.interference && !s.interference->unmeasured.empty())
        unmeasured = s.interference->unmeasured;
    }
  }
  if (KeepsDisturbed(run.context) && kept > 0) {
    out.push_back({"kept_disturbed",
                   std::to_string(kept) + " of " + std::to_string(repetitions) +
                       " repetitions were disturbed by other work on the machine and kept in the "
                       "statistic (bench --keep-disturbed): the times are of the machine's load "
                       "as much as of the code"});
  }
  if (disturbed > 0) {
    out.push_back({"disturbed", std::to_string(disturbed) + " of " + std::to_string(correct) +
                                    " correct results were disturbed by other work on the "
                                    "machine in too many of their processes: they are not "
                                    "ranked, and the report keeps each repetition's evidence"});
  }
  if (!unmeasured.empty()) {
    out.push_back({"interference_unmeasured",
                   "interference could not be measured fully on this machine (" + unmeasured +
                       "): a repetition disturbed that way counts as clean"});
  }
  if (over > 0) {
    out.push_back({"roofline_under_measured",
                   std::to_string(over) + " of " + std::to_string(correct) +
                       " correct results moved their bytes faster than the measured bandwidth of "
                       "their level allows: the bandwidth was measured low (under other load, or "
                       "at another moment), so their fractions of the roofline are not shown"});
  }
  for (const Warning& w : RanOnNothingWarnings(run)) out.push_back(w);
  if (one_process > 0) {
    out.push_back({"one_process", std::to_string(one_process) +
                                      " results were measured in one process only: their "
                                      "intervals are over its repetitions and say nothing of "
                                      "the variation between processes (bench --processes 3)"});
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

std::map<std::string, std::map<std::string, int>> RanOnNothing(const Run& run) {
  std::map<std::string, std::map<std::string, int>> reasons;
  for (const Skip& s : run.context.skipped) ++reasons[s.strategy][s.reason];
  for (const Result& r : run.results) reasons.erase(r.strategy);
  return reasons;
}

void Derive(Run& run, std::string_view reference_strategy) {
  const bool keep = KeepsDisturbed(run.context);
  for (Result& r : run.results) {
    r.estimate = EstimateOf(r, keep);
    r.time_ns = r.estimate.time_ns;
    r.disturbed = DisturbedReason(r, r.estimate);
    r.gbps.reset();
    r.bandwidth_level.clear();
    r.bandwidth_fraction.reset();
    r.roofline_under_measured = false;
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
  DeriveWarnings(run);
}

}  // namespace poolbench::report
