// The text of the report's facts and table cells, shared by the Markdown and the HTML page.
#include "render/cells.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "report/units.hpp"

namespace poolbench::render {
namespace {

using report::Json;

std::string FactText(const Json& facts, const char* key) {
  const auto it = facts.find(key);
  if (it == facts.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::string Num(double v) {
  const double a = v < 0 ? -v : v;
  char buf[32];
  std::snprintf(buf, sizeof buf, a >= 99.95 ? "%.0f" : a >= 9.995 ? "%.1f" : "%.2f", v);
  return buf;
}

std::string TimeText(const Result& r) { return r.time_ns ? FormatDuration(*r.time_ns) : "–"; }

std::string GbpsText(const Result& r) { return r.gbps ? Num(*r.gbps) : "–"; }

std::string SpreadText(const Result& r) {
  if (r.samples.size() < 2 || !r.time_ns || *r.time_ns <= 0) return "–";
  const auto [min, max] = std::minmax_element(
      r.samples.begin(), r.samples.end(),
      [](const report::Sample& a, const report::Sample& b) { return a.real_ns < b.real_ns; });
  char buf[48];
  std::snprintf(buf, sizeof buf, "%+.1f/%+.1f%%", (min->real_ns / *r.time_ns - 1) * 100,
                (max->real_ns / *r.time_ns - 1) * 100);
  return buf;
}

std::string RooflineText(const Result& r) {
  if (r.roofline_under_measured) return "limit under-measured";
  return r.bandwidth_fraction ? Num(*r.bandwidth_fraction * 100) + "%" : "";
}

std::string BandwidthText(const Result& r) {
  if (r.roofline_under_measured) return RooflineText(r);
  if (!r.bandwidth_fraction) return "–";
  std::string s = Num(*r.bandwidth_fraction * 100) + "%";
  if (!r.bandwidth_level.empty()) s += " of " + r.bandwidth_level;
  return s;
}

std::string RatioText(const std::optional<report::Ratio>& r) {
  return r ? Num(r->value) + "×" : "–";
}

std::string RatioIntervalText(const std::optional<report::Ratio>& r) {
  if (!r) return "–";
  if (!r->interval) return RatioText(r);
  return RatioText(r) + " (" + Num(r->interval->lo) + "–" + Num(r->interval->hi) + ")";
}

std::string SpeedupText(const Result& r) { return RatioText(r.speedup); }

std::string IntervalText(const Result& r) {
  const report::Estimate& e = r.estimate;
  if (!e.interval || !e.time_ns || *e.time_ns <= 0) return "–";
  const double half = std::max(e.interval->hi / *e.time_ns - 1, 1 - e.interval->lo / *e.time_ns);
  char buf[48];
  std::snprintf(buf, sizeof buf, "±%.1f%%%s", half * 100, e.processes < 2 ? " (1 process)" : "");
  return buf;
}

std::string ProcessesText(const Result& r) {
  const report::Estimate& e = r.estimate;
  if (e.processes_run == 0) return "–";
  std::string out = std::to_string(e.processes) + "/" + std::to_string(e.processes_run);
  const auto percent = [](double log_sd) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f%%", std::expm1(log_sd) * 100);
    return std::string(buf);
  };
  if (e.spread_between) out += ", ±" + percent(*e.spread_between) + " between";
  if (e.spread_within) out += ", ±" + percent(*e.spread_within) + " within";
  return out;
}

std::string BestPeerText(const Result& r) {
  if (r.best_peer.empty()) return "–";
  if (r.best_peer_layout.empty() || r.best_peer_layout == r.layout) return r.best_peer;
  return r.best_peer + " (" + r.best_peer_layout + ")";
}

std::string VsBestPeerText(const Result& r) { return RatioIntervalText(r.vs_best_peer); }

std::string VsFastestText(const Result& r) { return RatioIntervalText(r.vs_fastest); }

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

// The Python strategies of the run and what their time includes; empty when there are none.
static std::string PythonText(const Json& facts) {
  const auto it = facts.find(report::ctx::kPython);
  if (it == facts.end() || !it->is_array() || it->empty()) return "";
  std::string names;
  for (const Json& s : *it) names += (names.empty() ? "" : ", ") + s.value("name", "?");
  return names + ": " + it->front().value("timing", "");
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
      t.main = TimeText(c.result);
      if (c.result.speedup) t.speedup = SpeedupText(c.result);
      // The level is named once in the row (RowDataText), not in every cell.
      t.roofline = RooflineText(c.result);
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
  return "Each cell: time per call (the median of the processes' medians), speed-up vs "
         "naive_loops, and the percentage of the measured bandwidth of the level the problem's "
         "data lives in (named under the problem: the roofline of a memory-bound operation). ★ "
         "marks a problem's winner: the fastest strategy, when its 95% interval tells it apart "
         "from every other; ☆ marks a tie: the fastest and each strategy that cannot be told "
         "apart from it. (2 thr) is the thread count of a time when the strategy ran at several. "
         "WRONG: failed the cross-check (never timed or ranked); CRASHED, TIMED OUT, ERROR: the "
         "run failed; DISTURBED: other work on the machine took the CPU from too many of its "
         "repetitions to rank it; skipped: the strategy does not support the problem; –: not "
         "run.";
}

std::string Ratio(double v) { return Num(v) + "×"; }

std::vector<Fact> ContextFacts(const report::Context& ctx) {
  namespace c = report::ctx;
  std::string machine = ctx.machine;
  const std::string mhz = FactText(ctx.facts, "mhz_per_cpu");
  if (ctx.num_cpus > 0) {
    machine += " (" + std::to_string(ctx.num_cpus) + " CPUs" +
               (mhz.empty() ? "" : ", " + mhz + " MHz") + ")";
  }
  const std::vector<Fact> all = {
      {"machine", machine},
      {"host", ctx.host_name},
      {"date", ctx.date},
      {"compiler", ctx.compiler},
      {"flags", ctx.flags, true},
      {"build type", ctx.build_type},
      {"git revision", ctx.git_revision, true},
      {"OpenMP threads", FactText(ctx.facts, c::kOmpThreads)},
      {"shard", ctx.shard.value_or("")},
      {"statistic", ctx.facts.contains(c::kStatistic) ? FactText(ctx.facts, c::kStatistic)
                                                      : "median of the repetitions (read from "
                                                        "a version 1 report)"},
      {"Python strategies", PythonText(ctx.facts)},
  };
  std::vector<Fact> out;
  for (const Fact& f : all) {
    if (!f.value.empty()) out.push_back(f);
  }
  return out;
}

std::vector<MergedFromLine> MergedFromList(const report::Context& ctx) {
  std::vector<MergedFromLine> out;
  for (const report::MergedFrom& m : ctx.merged_from) {
    const std::string host = m.host_name.value_or("");
    std::string detail = host;
    if (m.shard) detail += (host.empty() ? "" : ", ") + ("shard " + *m.shard);
    out.push_back({m.file, detail});
  }
  return out;
}

std::vector<SkippedGroup> SkippedGroups(const report::Context& ctx) {
  std::vector<SkippedGroup> out;
  std::map<std::pair<std::string, std::string>, size_t> slot;
  for (const report::Skip& s : ctx.skipped) {
    const std::pair key{s.strategy, s.reason};
    const auto [at, fresh] = slot.try_emplace(key, out.size());
    if (fresh) out.push_back({key.first, key.second, {}});
    out[at->second].descriptors.push_back(s.descriptor);
  }
  return out;
}

std::string IncompleteText(const report::Context& ctx) {
  if (!ctx.incomplete) return "";
  const report::Incomplete& i = *ctx.incomplete;
  return "The run was stopped by " + i.signal + " after " + std::to_string(i.problems_done) +
         " of " + std::to_string(i.problems) +
         " problems: the strategies and problems it did not reach are missing. Finish it with "
         "`poolbench bench --resume` and the same options (journal: " +
         i.journal + ").";
}

std::string ResultsNote(bool with_peers) {
  std::string note =
      "Fastest first. Time is the median of the processes' medians of their clean repetitions, "
      "with the half-width of its 95% interval; processes are those with a clean repetition of "
      "those that measured it, and the spread of their times between and within them; vs "
      "fastest is this time divided by the problem's fastest, with its 95% interval (an "
      "interval that holds 1 is a tie); GB/s counts bytes read + bytes written; speed-up is "
      "naive_loops' time divided by this time. ";
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
