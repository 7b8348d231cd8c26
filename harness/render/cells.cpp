// The text of the report's facts and table cells, shared by the Markdown and the HTML page.
#include "render/cells.hpp"

#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "report/units.hpp"

namespace poolbench::render {
namespace {

using report::Json;

std::string ContextString(const Json& ctx, const char* key) {
  const auto it = ctx.find(key);
  if (it == ctx.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::string Num(double v) {
  const double a = v < 0 ? -v : v;
  char buf[32];
  std::snprintf(buf, sizeof buf, a >= 99.95 ? "%.0f" : a >= 9.995 ? "%.1f" : "%.2f", v);
  return buf;
}

std::string TimeText(const Result& r) {
  std::string s = FormatDuration(r.time_ns);
  if (r.cv) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " ±%.1f%%", *r.cv * 100);
    s += buf;
  }
  return s;
}

std::string GbpsText(const Result& r) { return r.gbps ? Num(*r.gbps) : "–"; }

std::string SpreadText(const Result& r) {
  if (!r.min_ns || !r.max_ns || r.time_ns <= 0) return "–";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%+.1f/%+.1f%%", (*r.min_ns / r.time_ns - 1) * 100,
                (*r.max_ns / r.time_ns - 1) * 100);
  return buf;
}

std::string BandwidthText(const Result& r) {
  if (!r.bandwidth_fraction) return "–";
  std::string s = Num(*r.bandwidth_fraction * 100) + "%";
  if (!r.bandwidth_level.empty()) s += " of " + r.bandwidth_level;
  return s;
}

std::string SpeedupText(const Result& r) { return r.speedup ? Num(*r.speedup) + "×" : "–"; }

std::string BestPeerText(const Result& r) {
  if (r.best_peer.empty()) return "–";
  if (r.best_peer_layout.empty() || r.best_peer_layout == r.layout) return r.best_peer;
  return r.best_peer + " (" + r.best_peer_layout + ")";
}

std::string VsBestPeerText(const Result& r) {
  return r.vs_best_peer ? Num(*r.vs_best_peer) + "×" : "–";
}

std::string Threads(int threads) {
  return std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

std::string WhereText(const ProblemResults& p) {
  std::map<int, std::string> levels;
  for (const auto* list : {&p.ranked, &p.unranked}) {
    for (const Result& r : *list) {
      if (!r.bandwidth_level.empty()) levels.emplace(r.threads, r.bandwidth_level);
    }
  }
  std::set<std::string> names;
  for (const auto& [threads, level] : levels) names.insert(level);
  if (names.empty()) return "";
  if (names.size() == 1) return "data in " + *names.begin();
  std::string out = "data in ";
  for (auto it = levels.begin(); it != levels.end(); ++it) {
    out += (it == levels.begin() ? "" : ", ") + it->second + " at " + Threads(it->first);
  }
  return out;
}

std::string DataText(const ProblemResults& p) {
  for (const auto* list : {&p.ranked, &p.unranked}) {
    for (const Result& r : *list) {
      if (!r.bytes_moved) continue;
      const std::string where = WhereText(p);
      return FormatBytes(*r.bytes_moved) + " moved per call" + (where.empty() ? "" : ", " + where) +
             ".";
    }
  }
  return "";
}

std::string RowDataText(const ProblemResults& p, int threads) {
  std::optional<int64_t> bytes;
  std::map<int, std::string> levels;
  for (const auto* list : {&p.ranked, &p.unranked}) {
    for (const Result& r : *list) {
      if (!bytes && r.bytes_moved) bytes = r.bytes_moved;
      if ((threads == 0 || r.threads == threads) && !r.bandwidth_level.empty()) {
        levels.emplace(r.threads, r.bandwidth_level);
      }
    }
  }
  std::set<std::string> names;
  for (const auto& [t, level] : levels) names.insert(level);
  std::string where;
  if (names.size() == 1) {
    where = *names.begin();
  } else {
    for (auto it = levels.begin(); it != levels.end(); ++it) {
      where += (it == levels.begin() ? "" : ", ") + it->second + " (" + Threads(it->first) + ")";
    }
  }
  if (!bytes) return where.empty() ? "" : "data in " + where;
  return FormatBytes(*bytes) + (where.empty() ? "" : " in " + where);
}

CellText MatrixCellText(const MatrixCell& c) {
  using State = MatrixCell::State;
  CellText t;
  switch (c.state) {
    case State::kRanked:
      t.main = FormatDuration(c.result.time_ns);
      if (c.result.speedup) t.speedup = SpeedupText(c.result);
      // The level is named once in the row (RowDataText), not in every cell.
      if (c.result.bandwidth_fraction) t.roofline = Num(*c.result.bandwidth_fraction * 100) + "%";
      break;
    case State::kUnranked:
      t.main = UnrankedLabel(c.result);
      t.note = c.result.error_message;
      break;
    case State::kSkipped:
      t.main = "skipped";
      t.note = c.reason;
      break;
    case State::kNotRun:
      t.main = "–";
      break;
  }
  if (c.threads_shown) t.threads = std::to_string(c.result.threads) + " thr";
  return t;
}

std::string MatrixNote() {
  return "Each cell: time per call, speed-up vs naive_loops, and the percentage of the measured "
         "bandwidth of the level the problem's data lives in (named under the problem: the "
         "roofline of a memory-bound operation). ★ marks the fastest strategy of each problem; "
         "(2 thr) the thread count of a time when the strategy ran at several. WRONG: failed the "
         "cross-check (never timed or ranked); CRASHED, TIMED OUT, ERROR: the run failed; "
         "skipped: the strategy does not support the problem; –: not run.";
}

std::string Ratio(double v) { return Num(v) + "×"; }

std::vector<Fact> ContextFacts(const Json& ctx) {
  namespace c = report::ctx;
  std::string machine = ContextString(ctx, c::kMachine);
  const std::string cpus = ContextString(ctx, "num_cpus");
  const std::string mhz = ContextString(ctx, "mhz_per_cpu");
  if (!cpus.empty())
    machine += " (" + cpus + " CPUs" + (mhz.empty() ? "" : ", " + mhz + " MHz") + ")";
  const std::vector<Fact> all = {
      {"machine", machine},
      {"host", ContextString(ctx, "host_name")},
      {"date", ContextString(ctx, "date")},
      {"compiler", ContextString(ctx, c::kCompiler)},
      {"flags", ContextString(ctx, c::kFlags), true},
      {"build type", ContextString(ctx, c::kBuildType)},
      {"git revision", ContextString(ctx, c::kGitRevision), true},
      {"OpenMP threads", ContextString(ctx, c::kOmpThreads)},
      {"shard", ContextString(ctx, c::kShard)},
  };
  std::vector<Fact> out;
  for (const Fact& f : all) {
    if (!f.value.empty()) out.push_back(f);
  }
  return out;
}

std::vector<MergedFrom> MergedFromList(const Json& ctx) {
  std::vector<MergedFrom> out;
  const auto it = ctx.find(report::ctx::kMergedFrom);
  if (it == ctx.end() || !it->is_array()) return out;
  for (const Json& m : *it) {
    const std::string host = ContextString(m, "host_name");
    const std::string shard = ContextString(m, "shard");
    std::string detail = host;
    if (!shard.empty()) detail += (host.empty() ? "" : ", ") + ("shard " + shard);
    out.push_back({ContextString(m, "file"), detail});
  }
  return out;
}

std::vector<SkippedGroup> SkippedGroups(const Json& ctx) {
  std::vector<SkippedGroup> out;
  const auto it = ctx.find(report::ctx::kSkipped);
  if (it == ctx.end() || !it->is_array()) return out;
  std::map<std::pair<std::string, std::string>, size_t> slot;
  for (const Json& s : *it) {
    const std::pair key{s.value("strategy", "?"), s.value("reason", "?")};
    const auto [at, fresh] = slot.try_emplace(key, out.size());
    if (fresh) out.push_back({key.first, key.second, {}});
    out[at->second].descriptors.push_back(s.value("descriptor", "?"));
  }
  return out;
}

size_t SkippedCount(const Json& ctx) {
  const auto it = ctx.find(report::ctx::kSkipped);
  return it == ctx.end() || !it->is_array() ? 0 : it->size();
}

std::string ResultsNote(bool with_peers) {
  std::string note =
      "Fastest first. Time is the mean over the repetitions (± its coefficient of variation); "
      "GB/s counts bytes read + bytes written; speed-up is naive_loops' time divided by this "
      "time. ";
  if (with_peers) {
    note +=
        "Best peer is the fastest peer library at the same thread count on the same problem in "
        "either layout (each side is compared in the layout it does best; the peer's layout is "
        "named when it differs), and vs best peer is its time divided by this time: above 1, "
        "faster than every peer. ";
  }
  return note + "Strategies that failed the cross-check are listed as WRONG and never ranked.";
}

}  // namespace poolbench::render
