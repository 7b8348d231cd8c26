#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "compare/format.hpp"
#include "compare/strategy_gate.hpp"
#include "report/statistic.hpp"

namespace poolbench::compare {

std::string_view ToString(Change v) {
  // In the order of the enumerators.
  static constexpr std::string_view kNames[] = {
      "wrong",   "regression", "improvement", "same",         "added",
      "removed", "fixed",      "still wrong", "within noise", "disturbed"};
  return kNames[static_cast<size_t>(v)];
}

bool IsFailure(Change v) { return v == Change::kWrong || v == Change::kRegression; }

size_t Comparison::Count(Change v) const {
  return static_cast<size_t>(
      std::count_if(rows.begin(), rows.end(), [v](const Row& r) { return r.change == v; }));
}

bool Comparison::Failed() const {
  return std::any_of(rows.begin(), rows.end(), [](const Row& r) { return IsFailure(r.change); });
}

const StrategyGate* Comparison::Gate(const std::string& strategy) const {
  for (const StrategyGate& g : gates) {
    if (g.strategy == strategy) return &g;
  }
  return nullptr;
}

namespace {

using report::Json;
using report::ReportError;

double Median(std::vector<double> v) { return report::Median(std::move(v)).value_or(0); }

// One report's benchmarks, by run_name, in the order they first appear.
struct Collected {
  std::vector<std::string> order;
  std::map<std::string, Side> sides;
  std::map<std::string, Row> meta;  // strategy, descriptor, threads
};

// Collects a run's results: each one's samples and statistic, or its failure.
Collected Collect(const report::Run& run, const std::string& label) {
  Collected out;
  for (const report::Result& r : run.results) {
    if (!out.sides.try_emplace(r.name).second) continue;
    out.order.push_back(r.name);
    Row& meta = out.meta[r.name];
    meta.strategy = r.strategy;
    meta.descriptor = r.descriptor;
    meta.threads = r.threads;
    Side& side = out.sides[r.name];
    if (r.Failed()) {
      side.failed = true;
      side.error_message = !r.error_message.empty() ? r.error_message
                                                    : "verdict " + std::string(ToString(r.verdict));
      continue;
    }
    if (!r.disturbed.empty()) {
      side.disturbed = r.disturbed;
      continue;
    }
    side.samples_ns = report::CleanTimes(r, report::KeepsDisturbed(run.context));
    if (side.samples_ns.empty()) {
      throw ReportError(
          label + ": " + r.name +
          " has no repetitions (run_type \"iteration\"), only aggregates; compare tests the "
          "individual repetitions, so write the report without "
          "--benchmark_report_aggregates_only");
    }
    side.median_ns = *r.time_ns;
  }
  if (out.order.empty()) throw ReportError(label + ": has no benchmarks to compare");
  return out;
}

Json ContextField(const report::Context& context, const char* field) {
  return context.facts.contains(field) ? context.facts[field] : Json();
}

[[noreturn]] void ThrowIncompatible(const Comparison& c);

void CheckContexts(Comparison& c) {
  for (const char* field : kMachineFields) {
    Json b = ContextField(c.base_context, field), h = ContextField(c.head_context, field);
    if (b.is_null() && h.is_null()) {
      c.unchecked.push_back(field);
    } else if (b != h) {
      c.differences.push_back({field, std::move(b), std::move(h)});
    }
  }
  if (c.differences.empty() || c.options.force) return;
  ThrowIncompatible(c);
}

// Run settings and strategy origins that differ: listed, never refused.
void CheckSettings(Comparison& c) {
  const Json& bs = c.base_context.settings;
  const Json& hs = c.head_context.settings;
  std::map<std::string, int> keys;
  for (const auto& [k, v] : bs.items()) keys[k] |= 1;
  for (const auto& [k, v] : hs.items()) keys[k] |= 2;
  for (const auto& [k, sides] : keys) {
    const Json b = sides & 1 ? bs[k] : Json(), h = sides & 2 ? hs[k] : Json();
    if (b != h) c.settings_differences.push_back({k, b, h});
  }
  const Json& bo = c.base_context.origins;
  const Json& ho = c.head_context.origins;
  for (const auto& [name, origin] : ho.items()) {
    if (bo.contains(name) && bo[name] != origin) {
      c.settings_differences.push_back({"origin of " + name, bo[name], origin});
    }
  }
}

// Warnings of the runs of one side: one line per kind, with how many of the runs it concerns
// when there are several.
std::vector<std::string> SideWarnings(const std::vector<const report::Context*>& contexts) {
  std::vector<std::string> kinds;
  std::map<std::string, std::pair<size_t, std::string>> seen;  // kind: count, first message
  for (const report::Context* context : contexts) {
    for (const report::Warning& w : context->warnings) {
      // Each round of a comparison is one process by design: not worth a warning there.
      if (w.kind == "one_process") continue;
      auto [it, is_new] = seen.try_emplace(w.kind, 0, w.message);
      if (is_new) kinds.push_back(w.kind);
      ++it->second.first;
    }
  }
  std::vector<std::string> out;
  for (const std::string& kind : kinds) {
    const auto& [count, message] = seen[kind];
    out.push_back(contexts.size() > 1
                      ? message + " (in " + std::to_string(count) + " of " +
                            std::to_string(contexts.size()) + " runs; shown: the first)"
                      : message);
  }
  return out;
}

[[noreturn]] void ThrowIncompatible(const Comparison& c) {
  std::string message = c.base_label + " and " + c.head_label +
                        " come from different machines or builds, so their times are not "
                        "comparable (--force compares them anyway):";
  for (const ContextDifference& d : c.differences) {
    message += "\n  " + d.field + ": base " + d.base.dump() + ", new " + d.head.dump();
  }
  throw IncompatibleReports(message);
}

// The statistics of a benchmark that ran correctly in both reports; Decide gives the verdict
// once every row's p-value is known.
void MeasureTimes(Row& row, const Options& opt) {
  const Side& base = *row.base;
  const Side& head = *row.head;
  row.ratio = head.median_ns / base.median_ns;
  row.test = MannWhitneyU(head.samples_ns, base.samples_ns);
  row.noise_floor = opt.threshold;
  // With too few samples the test cannot call anything significant; the ratio then decides
  // alone, and the row says so whatever the verdict, so that nobody reads it as tested.
  row.ratio_only = MinimumPValue(base.samples_ns.size(), head.samples_ns.size()) >= opt.alpha;
  if (row.ratio_only) {
    row.note = "by ratio alone: " + std::to_string(base.samples_ns.size()) + " vs " +
               std::to_string(head.samples_ns.size()) + " samples cannot reach p < " +
               Printf("%g", opt.alpha);
  }
}

// The verdicts of rows that are not timed on both sides.
bool JudgeUntimed(Row& row) {
  if (!row.base) {
    row.change = row.head->failed ? Change::kWrong : Change::kAdded;
    if (row.head->failed) row.note = "new benchmark, wrong: " + row.head->error_message;
  } else if (!row.head) {
    row.change = Change::kRemoved;
  } else if (row.head->failed) {
    row.change = row.base->failed ? Change::kStillWrong : Change::kWrong;
    row.note = row.head->error_message;
  } else if (row.base->failed) {
    row.change = Change::kFixed;
    row.note = "base was wrong: " + row.base->error_message;
  } else if (!row.base->disturbed.empty() || !row.head->disturbed.empty()) {
    // Never "same": the truth is that it could not be told.
    row.change = Change::kDisturbed;
    row.note = "could not tell: " + (!row.head->disturbed.empty() ? "new " + row.head->disturbed
                                                                  : "base " + row.base->disturbed);
  } else {
    return false;
  }
  return true;
}

std::optional<double> RawP(const Row& row) {
  if (row.ratio_only) return std::nullopt;
  if (row.paired) return row.paired->p_value;
  if (row.test) return row.test->p_value;
  return std::nullopt;
}

// Corrects the p-values across the tested rows, then gives each timed row its verdict: beyond
// the threshold, beyond the noise floor, and significant after the correction.
void Decide(Comparison& c) {
  const Options& opt = c.options;
  std::vector<double> p;
  std::vector<Row*> tested;
  for (Row& row : c.rows) {
    if (!row.ratio) continue;
    if (auto raw = RawP(row)) {
      p.push_back(*raw);
      tested.push_back(&row);
    }
  }
  const std::vector<double> adjusted = Adjust(p, opt.correction);
  for (size_t i = 0; i < tested.size(); ++i) tested[i]->p_adjusted = adjusted[i];
  for (Row& row : c.rows) {
    if (!row.ratio) continue;
    const double r = *row.ratio;
    const bool slower = r > 1 + opt.threshold, faster = r < 1 - opt.threshold;
    const bool beyond_floor = r > 1 + row.noise_floor || r < 1 - row.noise_floor;
    const std::string direction = slower ? "slower" : "faster";
    if (!slower && !faster) {
      row.change = Change::kSame;
    } else if (!beyond_floor) {
      row.change = Change::kWithinNoise;
      row.note = direction + " by " + FormatChange(r) + ", within the noise floor ±" +
                 Printf("%.1f%%", row.noise_floor * 100) + " (" + Printf("%g", opt.noise_k) +
                 " x round-to-round spread " + Printf("%.1f%%", row.paired->spread * 100) + ")";
    } else if (row.ratio_only) {
      row.change = slower ? Change::kRegression : Change::kImprovement;
    } else if (row.p_adjusted && *row.p_adjusted < opt.alpha) {
      row.change = slower ? Change::kRegression : Change::kImprovement;
    } else {
      row.change = Change::kSame;
      row.note = direction + " by more than " + FormatPercent(row.noise_floor) + ", but " +
                 (opt.correction == Correction::kNone ? "p" : "adjusted p") + " ≥ " +
                 Printf("%g", opt.alpha);
    }
  }
}

// What fails the comparison comes first, so a reader of a long table sees it at once: wrong
// results first, then regressions; the order of the rest is the reports'.
void Order(Comparison& c) {
  auto rank = [](const Row& r) { return IsFailure(r.change) ? static_cast<int>(r.change) : 99; };
  std::stable_sort(c.rows.begin(), c.rows.end(),
                   [&](const Row& x, const Row& y) { return rank(x) < rank(y); });
}

// A partial report of an interrupted bench lacks benchmarks that would count as removed (or
// added), and the comparison would pass without having timed them: refused without --force,
// and with it, said in the warnings of its side.
void CheckComplete(Comparison& c) {
  for (auto [context, label, warnings] :
       {std::tuple{&c.base_context, &c.base_label, &c.base_warnings},
        std::tuple{&c.head_context, &c.head_label, &c.head_warnings}}) {
    if (!context->incomplete) continue;
    const report::Incomplete& in = *context->incomplete;
    const std::string what = "the partial report of an interrupted bench (" +
                             std::to_string(in.problems_done) + " of " +
                             std::to_string(in.problems) + " problems)";
    if (!c.options.force) {
      throw ReportError(*label + " is " + what +
                        ": the benchmarks it lacks would count as removed or added. Finish it "
                        "with `poolbench bench --resume` and the same options, or compare it "
                        "anyway with --force");
    }
    warnings->insert(warnings->begin(), "incomplete: " + what + ", compared with --force");
  }
}

void CheckOptions(const Options& options) {
  if (!std::isfinite(options.threshold) || options.threshold < 0) {
    throw std::invalid_argument("threshold must be a fraction >= 0, e.g. 0.05 for 5%, not " +
                                Printf("%g", options.threshold));
  }
  if (!(options.alpha > 0 && options.alpha < 1)) {
    throw std::invalid_argument("alpha must be in (0, 1), not " + Printf("%g", options.alpha));
  }
  if (!std::isfinite(options.noise_k) || options.noise_k < 0) {
    throw std::invalid_argument("noise_k must be >= 0, not " + Printf("%g", options.noise_k));
  }
}

Comparison Start(const report::Run& base, const report::Run& head, const Options& options,
                 const std::string& base_label, const std::string& head_label) {
  CheckOptions(options);
  Comparison c;
  c.options = options;
  c.base_label = base_label;
  c.head_label = head_label;
  c.base_context = base.context;
  c.head_context = head.context;
  CheckContexts(c);
  CheckSettings(c);
  CheckComplete(c);
  return c;
}

// Rows in new's order, then those only base has, in base's order.
template <class MakeRow>
void AddRows(Comparison& c, const std::vector<std::string>& head_order,
             const std::vector<std::string>& base_order, MakeRow make_row) {
  std::set<std::string> in_head(head_order.begin(), head_order.end());
  for (const std::string& name : head_order) c.rows.push_back(make_row(name));
  for (const std::string& name : base_order) {
    if (!in_head.contains(name)) c.rows.push_back(make_row(name));
  }
}

}  // namespace

Comparison Compare(const report::Run& base, const report::Run& head, const Options& options,
                   const std::string& base_label, const std::string& head_label) {
  Comparison c = Start(base, head, options, base_label, head_label);
  for (std::string& w : SideWarnings({&c.base_context})) c.base_warnings.push_back(std::move(w));
  for (std::string& w : SideWarnings({&c.head_context})) c.head_warnings.push_back(std::move(w));
  Collected b = Collect(base, base_label);
  Collected h = Collect(head, head_label);
  // Two reports without one benchmark in common compare nothing: every row would be "added" or
  // "removed" and the comparison would pass without having tested a single time.
  if (std::none_of(h.order.begin(), h.order.end(),
                   [&](const std::string& name) { return b.sides.contains(name); })) {
    throw ReportError(base_label + " and " + head_label +
                      " have no benchmark in common (matched by run_name): nothing to compare");
  }
  AddRows(c, h.order, b.order, [&](const std::string& name) {
    Row row = h.meta.contains(name) ? h.meta.at(name) : b.meta.at(name);
    row.run_name = name;
    if (auto it = b.sides.find(name); it != b.sides.end()) row.base = it->second;
    if (auto it = h.sides.find(name); it != h.sides.end()) row.head = it->second;
    if (!JudgeUntimed(row)) MeasureTimes(row, options);
    return row;
  });
  Decide(c);
  Order(c);
  return c;
}

Comparison CompareRounds(const std::vector<report::Run>& base_rounds,
                         const std::vector<report::Run>& head_rounds, const Options& options,
                         const std::string& base_label, const std::string& head_label) {
  if (base_rounds.size() != head_rounds.size() || base_rounds.size() < 2) {
    throw std::invalid_argument(
        "a round comparison needs the same number of rounds, at least 2, "
        "on both sides; got " +
        std::to_string(base_rounds.size()) + " base and " + std::to_string(head_rounds.size()) +
        " new");
  }
  const size_t rounds = base_rounds.size();
  Comparison c = Start(base_rounds[0], head_rounds[0], options, base_label, head_label);
  c.rounds = rounds;
  std::vector<const report::Context*> bc, hc;
  std::vector<Collected> b, h;
  for (size_t r = 0; r < rounds; ++r) {
    const std::string round = " round " + std::to_string(r + 1);
    b.push_back(Collect(base_rounds[r], base_label + round));
    h.push_back(Collect(head_rounds[r], head_label + round));
    bc.push_back(&base_rounds[r].context);
    hc.push_back(&head_rounds[r].context);
  }
  for (std::string& w : SideWarnings(bc)) c.base_warnings.push_back(std::move(w));
  for (std::string& w : SideWarnings(hc)) c.head_warnings.push_back(std::move(w));
  // One side of a benchmark over all rounds: every clean repetition, wrong when any round was
  // wrong, the median of each round in which it ran cleanly, and disturbed only when it never
  // did.
  auto side_of = [&](const std::vector<Collected>& side, const std::string& name,
                     std::vector<std::optional<double>>& medians) -> std::optional<Side> {
    std::optional<Side> out;
    medians.assign(rounds, std::nullopt);
    for (size_t r = 0; r < rounds; ++r) {
      auto it = side[r].sides.find(name);
      if (it == side[r].sides.end()) continue;
      if (!out) out.emplace();
      const Side& s = it->second;
      if (s.failed && !out->failed) {
        out->failed = true;
        out->error_message = s.error_message;
      }
      if (!s.disturbed.empty()) {
        if (out->disturbed.empty()) out->disturbed = s.disturbed;
        continue;
      }
      if (!s.failed) {
        medians[r] = s.median_ns;
        out->samples_ns.insert(out->samples_ns.end(), s.samples_ns.begin(), s.samples_ns.end());
      }
    }
    if (out && std::any_of(medians.begin(), medians.end(), [](auto m) { return m.has_value(); })) {
      out->disturbed.clear();
    }
    return out;
  };
  std::vector<std::string> head_order, base_order;
  std::map<std::string, Row> meta;
  for (auto [side, order] : {std::pair{&h, &head_order}, std::pair{&b, &base_order}}) {
    std::set<std::string> seen;
    for (const Collected& col : *side) {
      for (const std::string& name : col.order) {
        if (seen.insert(name).second) order->push_back(name);
        meta.try_emplace(name, col.meta.at(name));
      }
    }
  }
  AddRows(c, head_order, base_order, [&](const std::string& name) {
    Row row = meta.at(name);
    row.run_name = name;
    std::vector<std::optional<double>> bm, hm;
    row.base = side_of(b, name, bm);
    row.head = side_of(h, name, hm);
    if (JudgeUntimed(row)) return row;
    std::vector<double> pb, ph;
    row.round_log_ratios.assign(rounds, std::nullopt);
    for (size_t r = 0; r < rounds; ++r) {
      if (bm[r] && hm[r]) {
        pb.push_back(*bm[r]);
        ph.push_back(*hm[r]);
        row.round_log_ratios[r] = std::log(*hm[r] / *bm[r]);
      }
    }
    if (pb.empty()) {
      row.base->median_ns = Median(row.base->samples_ns);
      row.head->median_ns = Median(row.head->samples_ns);
      row.note = "not compared: never ran on both sides in the same round";
      return row;
    }
    row.base->median_ns = Median(pb);
    row.head->median_ns = Median(ph);
    row.paired = PairedLogRatioTest(pb, ph);
    row.ratio = row.paired->ratio;
    row.noise_floor = std::max(options.threshold, std::expm1(options.noise_k * row.paired->spread));
    if (pb.size() < 2) {
      row.ratio_only = true;
      row.note =
          "by ratio alone: ran in both sides of only " + std::to_string(pb.size()) + " round";
    } else if (pb.size() < rounds) {
      row.note = "paired over the " + std::to_string(pb.size()) + " rounds it ran in on both sides";
    }
    return row;
  });
  Decide(c);
  c.gates = GateStrategies(c.rows, options, rounds);
  Order(c);
  return c;
}

std::vector<StrategySummary> PerStrategy(const Comparison& c) {
  std::vector<StrategySummary> out;
  std::map<std::string, size_t> index;
  std::map<std::string, double> log_sum;
  for (const Row& row : c.rows) {
    const std::string name = row.strategy.empty() ? "(unnamed)" : row.strategy;
    auto [it, is_new] = index.try_emplace(name, out.size());
    if (is_new) out.push_back({name});
    StrategySummary& s = out[it->second];
    if (row.change == Change::kRegression) ++s.regressions;
    if (row.change == Change::kImprovement) ++s.improvements;
    if (row.change == Change::kWrong) ++s.wrong;
    if (row.ratio) {
      ++s.timed;
      log_sum[name] += std::log(*row.ratio);
    }
  }
  for (StrategySummary& s : out) {
    if (s.timed > 0) s.geomean_ratio = std::exp(log_sum[s.strategy] / static_cast<double>(s.timed));
  }
  std::sort(out.begin(), out.end(), [](const StrategySummary& x, const StrategySummary& y) {
    return x.strategy < y.strategy;
  });
  return out;
}

}  // namespace poolbench::compare
