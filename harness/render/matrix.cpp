// The matrix of problems × strategies that opens every report: Summarise()'s results laid out
// so that a reader sees each problem's winner, how far each strategy is from it, and which
// strategies were wrong, crashed or skipped, without scrolling through per-problem tables.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "render/cells.hpp"
#include "render/render.hpp"

namespace poolbench::render {
namespace {

using State = MatrixCell::State;

// The reference first, then the other strategies by name, then the peers by name.
std::vector<std::string> Columns(const std::vector<ProblemResults>& problems,
                                 const std::vector<SkippedGroup>& skipped,
                                 const std::set<std::string>& peers) {
  std::set<std::string> names;
  for (const ProblemResults& p : problems) {
    for (const auto* list : {&p.ranked, &p.unranked}) {
      for (const Result& r : *list) names.insert(r.strategy);
    }
  }
  for (const SkippedGroup& g : skipped) names.insert(g.strategy);
  std::vector<std::string> out;
  auto rank = [&](const std::string& s) { return s == "naive_loops" ? 0 : peers.count(s) ? 2 : 1; };
  for (const std::string& s : names) out.push_back(s);
  std::stable_sort(out.begin(), out.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  return out;
}

// Every result of one problem by strategy.
std::map<std::string, std::vector<const Result*>> ByStrategy(const ProblemResults& p) {
  std::map<std::string, std::vector<const Result*>> out;
  for (const auto* list : {&p.ranked, &p.unranked}) {
    for (const Result& r : *list) out[r.strategy].push_back(&r);
  }
  return out;
}

// The cell of one strategy's results on one problem, at `threads` (0: the best over all).
MatrixCell CellOf(const std::vector<const Result*>& results, int threads) {
  MatrixCell cell;
  const Result* fastest = nullptr;
  const Result* failed = nullptr;
  const Result* disturbed = nullptr;
  std::set<int> counts;
  for (const Result* r : results) {
    if (threads != 0 && r->threads != threads) continue;
    counts.insert(r->threads);
    if (r->Failed()) {
      if (!failed || r->threads < failed->threads) failed = r;
    } else if (!r->Timed()) {
      if (!disturbed) disturbed = r;
    } else if (!fastest || *r->time_ns < *fastest->time_ns) {
      fastest = r;
    }
  }
  // A failure at any thread count outweighs a pass at another: the strategy is not correct. A
  // disturbed result says nothing about the strategy: its other thread counts still count.
  if (failed || (!fastest && disturbed)) {
    cell.state = State::kUnranked;
    cell.result = failed ? *failed : *disturbed;
  } else if (fastest) {
    cell.state = State::kRanked;
    cell.result = *fastest;
  }
  cell.threads_shown = threads == 0 && counts.size() > 1;
  return cell;
}

// The row's winner, or its tie: the fastest ranked cell and every cell that cannot be told apart
// from it. A row with a disturbed cell has neither: that strategy's time is not known.
void MarkWinners(std::vector<MatrixCell>& row) {
  const MatrixCell* fastest = nullptr;
  for (const MatrixCell& c : row) {
    if (c.state == State::kUnranked && !c.result.disturbed.empty()) return;
    if (c.state != State::kRanked) continue;
    if (!fastest || *c.result.time_ns < *fastest->result.time_ns) fastest = &c;
  }
  if (!fastest) return;
  std::vector<MatrixCell*> leaders;
  for (MatrixCell& c : row) {
    if (c.state != State::kRanked) continue;
    if (&c == fastest || !report::Separated(c.result.estimate, fastest->result.estimate)) {
      leaders.push_back(&c);
    }
  }
  for (MatrixCell* c : leaders) {
    c->winner = leaders.size() == 1;
    c->tied = leaders.size() > 1;
  }
}

Matrix Build(const std::vector<ProblemResults>& problems, const std::vector<std::string>& columns,
             const std::map<std::pair<std::string, std::string>, std::string>& skipped, int threads,
             const std::string& title) {
  Matrix m;
  m.title = title;
  m.threads = threads;
  m.strategies = columns;
  m.wins.assign(columns.size(), 0);
  m.ties.assign(columns.size(), 0);
  for (const ProblemResults& p : problems) {
    const auto results = ByStrategy(p);
    std::vector<MatrixCell> row;
    for (const std::string& s : columns) {
      const auto it = results.find(s);
      MatrixCell cell = it == results.end() ? MatrixCell{} : CellOf(it->second, threads);
      if (cell.state == State::kNotRun) {
        const auto skip = skipped.find({s, p.descriptor});
        if (skip != skipped.end()) {
          cell.state = State::kSkipped;
          cell.reason = skip->second;
        }
      }
      row.push_back(std::move(cell));
    }
    MarkWinners(row);
    for (size_t i = 0; i < row.size(); ++i) {
      m.wins[i] += row[i].winner;
      m.ties[i] += row[i].tied;
    }
    m.descriptors.push_back(p.descriptor);
    m.data.push_back(RowDataText(p, threads));
    m.cells.push_back(std::move(row));
  }
  return m;
}

}  // namespace

std::vector<Matrix> Matrices(const report::Run& run, const std::vector<ProblemResults>& problems) {
  const std::vector<SkippedGroup> groups = SkippedGroups(run.context);
  std::map<std::pair<std::string, std::string>, std::string> skipped;
  for (const SkippedGroup& g : groups) {
    for (const std::string& d : g.descriptors) skipped.emplace(std::pair{g.strategy, d}, g.reason);
  }
  const std::vector<std::string> columns =
      Columns(problems, groups, {run.context.peers.begin(), run.context.peers.end()});
  std::set<int> counts;
  for (const ProblemResults& p : problems) {
    for (const auto* list : {&p.ranked, &p.unranked}) {
      for (const Result& r : *list) counts.insert(r.threads);
    }
  }
  std::vector<Matrix> out;
  if (counts.size() > 1) {
    std::string title = "best of ";
    for (auto it = counts.begin(); it != counts.end(); ++it) {
      title += (it == counts.begin() ? "" : ", ") + std::to_string(*it);
    }
    out.push_back(Build(problems, columns, skipped, 0, title + " threads"));
  }
  for (int t : counts) out.push_back(Build(problems, columns, skipped, t, Threads(t)));
  if (out.empty()) out.push_back(Build(problems, columns, skipped, 1, Threads(1)));
  return out;
}

std::vector<Scaling> ThreadScaling(const std::vector<ProblemResults>& problems) {
  // strategy -> descriptor -> threads -> time, in Summarise()'s problem order.
  std::map<std::string, std::vector<std::pair<std::string, std::map<int, double>>>> times;
  for (const ProblemResults& p : problems) {
    std::map<std::string, std::map<int, double>> here;
    for (const Result& r : p.ranked) {
      if (*r.time_ns > 0) here[r.strategy][r.threads] = *r.time_ns;
    }
    for (auto& [strategy, per] : here) times[strategy].emplace_back(p.descriptor, per);
  }
  std::vector<Scaling> out;
  for (const std::string& strategy : Columns(problems, {}, {})) {
    const auto it = times.find(strategy);
    if (it == times.end()) continue;
    std::set<int> counts;
    for (const auto& [descriptor, per] : it->second) {
      for (const auto& [t, ns] : per) counts.insert(t);
    }
    if (counts.size() < 2) continue;
    const int base = *counts.begin();
    for (int t : counts) {
      if (t == base) continue;
      Scaling s{strategy, base, t, {}, 0, 0, 0};
      double log_sum = 0;
      for (const auto& [descriptor, per] : it->second) {
        const auto b = per.find(base), h = per.find(t);
        if (b == per.end() || h == per.end()) continue;
        const double speedup = b->second / h->second;
        s.speedups.emplace_back(descriptor, speedup);
        log_sum += std::log(speedup);
        s.min = s.speedups.size() == 1 ? speedup : std::min(s.min, speedup);
        s.max = std::max(s.max, speedup);
      }
      if (s.speedups.empty()) continue;
      s.geomean = std::exp(log_sum / static_cast<double>(s.speedups.size()));
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace poolbench::render
