// The summary the HTML page is drawn from: Summarise()'s decisions and the Markdown's texts, as
// JSON for scripts/plot_report.py, which only lays them out and draws charts.
#include <set>

#include "render/cells.hpp"
#include "render/colours.hpp"
#include "render/render.hpp"
#include "report/units.hpp"

namespace poolbench::render {
namespace {

using report::Json;

Json OrNull(const std::optional<double>& v) { return v ? Json(*v) : Json(); }
Json OrNull(const std::optional<report::Ratio>& v) { return v ? Json(v->value) : Json(); }

Json RankedJson(const Result& r) {
  return {{"strategy", r.strategy},
          {"colour", StrategyColour(r.strategy)},
          {"threads", r.threads},
          {"layout", r.layout},
          {"peer", r.peer},
          {"time_ns", OrNull(r.time_ns)},
          {"bytes_moved", r.bytes_moved ? Json(*r.bytes_moved) : Json()},
          {"gbps", OrNull(r.gbps)},
          {"bandwidth_level", r.bandwidth_level},
          {"bandwidth_fraction", OrNull(r.bandwidth_fraction)},
          {"roofline_under_measured", r.roofline_under_measured},
          {"best_peer", r.best_peer},
          {"vs_best_peer", OrNull(r.vs_best_peer)},
          {"vs_fastest", OrNull(r.vs_fastest)},
          {"cells",
           {{"time", TimeText(r)},
            {"interval", IntervalText(r)},
            {"processes", ProcessesText(r)},
            {"spread", SpreadText(r)},
            {"vs_fastest", VsFastestText(r)},
            {"gbps", GbpsText(r)},
            {"bandwidth", BandwidthText(r)},
            {"speedup", SpeedupText(r)},
            {"best_peer", BestPeerText(r)},
            {"vs_best_peer", VsBestPeerText(r)}}}};
}

Json UnrankedJson(const Result& r) {
  return {{"strategy", r.strategy},
          {"threads", r.threads},
          {"threads_text", Threads(r.threads)},
          {"label", UnrankedLabel(r)},
          {"disturbed", !r.disturbed.empty()},
          {"message", r.disturbed.empty() ? r.error_message : r.disturbed}};
}

Json ProblemJson(const ProblemResults& p) {
  Json levels = Json::array();
  std::map<int, std::string> by_threads;
  for (const auto* list : {&p.ranked, &p.unranked}) {
    for (const Result& r : *list) {
      if (!r.bandwidth_level.empty()) by_threads.emplace(r.threads, r.bandwidth_level);
    }
  }
  for (const auto& [threads, level] : by_threads) {
    levels.push_back({{"threads", threads}, {"level", level}});
  }
  Json ranked = Json::array(), unranked = Json::array();
  for (const Result& r : p.ranked) ranked.push_back(RankedJson(r));
  for (const Result& r : p.unranked) unranked.push_back(UnrankedJson(r));
  return {{"descriptor", p.descriptor}, {"data", DataText(p)}, {"where", WhereText(p)},
          {"verdict", VerdictText(p)},  {"levels", levels},    {"ranked", ranked},
          {"unranked", unranked}};
}

const char* StateName(MatrixCell::State s) {
  switch (s) {
    case MatrixCell::State::kRanked:
      return "ranked";
    case MatrixCell::State::kUnranked:
      return "unranked";
    case MatrixCell::State::kSkipped:
      return "skipped";
    case MatrixCell::State::kNotRun:
      break;
  }
  return "not_run";
}

Json MatrixJson(const Matrix& m, const std::set<std::string>& peers) {
  Json strategies = Json::array(), rows = Json::array();
  for (const std::string& s : m.strategies) {
    strategies.push_back(
        {{"name", s}, {"colour", StrategyColour(s)}, {"peer", peers.count(s) > 0}});
  }
  for (size_t i = 0; i < m.descriptors.size(); ++i) {
    double best = 0;
    for (const MatrixCell& c : m.cells[i]) {
      if ((c.winner || c.tied) && (best == 0 || *c.result.time_ns < best)) best = *c.result.time_ns;
    }
    Json cells = Json::array();
    for (const MatrixCell& c : m.cells[i]) {
      const CellText t = MatrixCellText(c);
      // The winner's time over this cell's: 1 for the winner, towards 0 for the slowest.
      const bool timed = c.state == MatrixCell::State::kRanked && *c.result.time_ns > 0;
      cells.push_back({{"state", StateName(c.state)},
                       {"winner", c.winner},
                       {"tied", c.tied},
                       {"vs_winner", timed && best > 0 ? Json(best / *c.result.time_ns) : Json()},
                       {"main", t.main},
                       {"speedup", t.speedup},
                       {"roofline", t.roofline},
                       {"threads", t.threads},
                       {"note", t.note}});
    }
    rows.push_back({{"descriptor", m.descriptors[i]}, {"data", m.data[i]}, {"cells", cells}});
  }
  return {{"title", m.title}, {"threads", m.threads}, {"strategies", strategies},
          {"rows", rows},     {"wins", m.wins},       {"ties", m.ties}};
}

Json ScalingJson(const Scaling& s) {
  Json points = Json::array();
  for (const auto& [descriptor, speedup] : s.speedups) {
    points.push_back({{"descriptor", descriptor}, {"speedup", speedup}});
  }
  return {{"strategy", s.strategy},
          {"colour", StrategyColour(s.strategy)},
          {"base_threads", s.base_threads},
          {"threads", s.threads},
          {"geomean", s.geomean},
          {"geomean_text", Ratio(s.geomean)},
          {"range_text", Ratio(s.min) + " – " + Ratio(s.max)},
          {"points", points}};
}

}  // namespace

Json SummaryJson(const report::Run& run) {
  const report::Context& ctx = run.context;
  Json facts = Json::array(), merged = Json::array(), bandwidth = Json::array();
  for (const Fact& f : ContextFacts(ctx)) {
    facts.push_back({{"label", f.label}, {"value", f.value}, {"code", f.code}});
  }
  for (const MergedFromLine& m : MergedFromList(ctx)) {
    merged.push_back({{"file", m.file}, {"detail", m.detail}});
  }
  for (const BandwidthLevel& l : ctx.bandwidth) {
    bandwidth.push_back({{"level", l.level},
                         {"capacity_bytes", l.capacity_bytes},
                         {"threads", l.threads},
                         {"gbps", l.gbps},
                         {"capacity", l.capacity_bytes > 0 ? FormatBytes(l.capacity_bytes) : "–"},
                         {"working_set", FormatBytes(l.working_set_bytes)},
                         {"gbps_text", Num(l.gbps)}});
  }
  Json problems = Json::array(), skipped = Json::array(), warnings = Json::array();
  const std::vector<ProblemResults> summary = Summarise(run);
  for (const ProblemResults& p : summary) problems.push_back(ProblemJson(p));
  const std::set<std::string> peer_set(ctx.peers.begin(), ctx.peers.end());
  Json matrices = Json::array(), scaling = Json::array(), colours = Json::object();
  for (const Matrix& m : Matrices(run, summary)) {
    matrices.push_back(MatrixJson(m, peer_set));
    for (const std::string& s : m.strategies) colours[s] = StrategyColour(s);
  }
  for (const Scaling& s : ThreadScaling(summary)) scaling.push_back(ScalingJson(s));
  for (const SkippedGroup& g : SkippedGroups(ctx)) {
    skipped.push_back(
        {{"strategy", g.strategy}, {"reason", g.reason}, {"descriptors", g.descriptors}});
  }
  for (const report::Warning& w : ctx.warnings) warnings.push_back(w.message);
  return {{"title", ctx.machine},        {"incomplete", IncompleteText(ctx)},
          {"warnings", warnings},        {"facts", facts},
          {"merged_from", merged},       {"bandwidth", bandwidth},
          {"peers", ctx.peers},          {"results_note", ResultsNote(!ctx.peers.empty())},
          {"matrix_note", MatrixNote()}, {"matrices", matrices},
          {"scaling", scaling},          {"colours", colours},
          {"problems", problems},        {"skipped_count", ctx.skipped.size()},
          {"skipped", skipped}};
}

}  // namespace poolbench::render
