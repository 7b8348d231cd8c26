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

#include "compare/strategy_gate.hpp"
#include "report/markdown_cell.hpp"
#include "report/units.hpp"

namespace poolbench::compare {

std::string_view ToString(Change v) {
  // In the order of the enumerators.
  static constexpr std::string_view kNames[] = {"wrong", "regression",  "improvement",
                                                "same",  "added",       "removed",
                                                "fixed", "still wrong", "within noise"};
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

namespace {

using report::Json;
using report::ReportError;

std::string Printf(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::string FormatP(double p) { return Printf(p >= 0.001 ? "%.3f" : "%.1e", p); }

std::string FormatPercent(double fraction) { return Printf("%g%%", fraction * 100); }

std::string FormatChange(double ratio) { return Printf("%+.1f%%", (ratio - 1) * 100); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

// One report's benchmarks, by run_name, in the order they first appear.
struct Collected {
  std::vector<std::string> order;
  std::map<std::string, Side> sides;
  std::map<std::string, Row> meta;  // strategy, descriptor, threads
};

// The strategy, descriptor and threads of a benchmark, from its first entry.
Row RowOf(const Json& entry) {
  Row meta;
  meta.strategy = entry.value(report::field::kStrategy, "");
  meta.descriptor = entry.value(report::field::kDescriptor, "");
  if (entry.contains("threads")) meta.threads = entry["threads"].get<int>();
  return meta;
}

// Adds one repetition to its benchmark's side: a time, or the failure that replaces it.
void AddRepetition(const Json& entry, Side& side) {
  const bool error = entry.value("error_occurred", false);
  const bool fail = entry.value(report::field::kVerdict, "") == "FAIL";
  if (!error && !fail) {
    side.samples_ns.push_back(report::RealTimeNs(entry));
    return;
  }
  if (!side.failed) {
    const std::string message = entry.value("error_message", "");
    side.error_message = !message.empty() ? message : fail ? "verdict FAIL" : "error_occurred";
  }
  side.failed = true;
}

// Collects a report validated by report::Read (every repetition that ran has a positive time).
Collected Collect(const Json& r, const std::string& label) {
  Collected out;
  const Json& benchmarks = r.at("benchmarks");
  for (const Json& entry : benchmarks) {
    if (entry.at("run_type") != "iteration") continue;
    const std::string run_name = entry.at("run_name");
    auto [it, is_new] = out.sides.try_emplace(run_name);
    if (is_new) {
      out.order.push_back(run_name);
      out.meta[run_name] = RowOf(entry);
    }
    AddRepetition(entry, it->second);
  }
  if (out.order.empty()) {
    throw ReportError(
        label + (benchmarks.empty()
                     ? ": has no benchmarks to compare"
                     : ": has no repetitions (run_type \"iteration\"), only aggregates; compare "
                       "tests the individual repetitions, so write the report without "
                       "--benchmark_report_aggregates_only"));
  }
  for (auto& [name, side] : out.sides) {
    if (!side.failed) side.median_ns = Median(side.samples_ns);
  }
  return out;
}

Json ContextField(const Json& context, const char* field) {
  return context.contains(field) ? context[field] : Json();
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
  auto object = [](const Json& context, const char* field) {
    return context.contains(field) && context[field].is_object() ? context[field] : Json::object();
  };
  const Json bs = object(c.base_context, report::ctx::kSettings);
  const Json hs = object(c.head_context, report::ctx::kSettings);
  std::map<std::string, int> keys;
  for (const auto& [k, v] : bs.items()) keys[k] |= 1;
  for (const auto& [k, v] : hs.items()) keys[k] |= 2;
  for (const auto& [k, sides] : keys) {
    const Json b = sides & 1 ? bs[k] : Json(), h = sides & 2 ? hs[k] : Json();
    if (b != h) c.settings_differences.push_back({k, b, h});
  }
  const Json bo = object(c.base_context, report::ctx::kOrigins);
  const Json ho = object(c.head_context, report::ctx::kOrigins);
  for (const auto& [name, origin] : ho.items()) {
    if (bo.contains(name) && bo[name] != origin) {
      c.settings_differences.push_back({"origin of " + name, bo[name], origin});
    }
  }
}

// Warnings of the runs of one side: one line per kind, with how many of the runs it concerns
// when there are several.
std::vector<std::string> SideWarnings(const std::vector<const Json*>& contexts) {
  std::vector<std::string> kinds;
  std::map<std::string, std::pair<size_t, std::string>> seen;  // kind: count, first message
  for (const Json* context : contexts) {
    for (const report::Warning& w : report::MachineWarnings(*context)) {
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
    if (!context->contains(report::ctx::kIncomplete)) continue;
    const Json& in = (*context)[report::ctx::kIncomplete];
    std::string what = "the partial report of an interrupted bench";
    if (in.is_object() && in.contains("problems_done") && in.contains("problems")) {
      what += " (" + in["problems_done"].dump() + " of " + in["problems"].dump() + " problems)";
    }
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

Comparison Start(const Json& base, const Json& head, const Options& options,
                 const std::string& base_label, const std::string& head_label) {
  CheckOptions(options);
  Comparison c;
  c.options = options;
  c.base_label = base_label;
  c.head_label = head_label;
  c.base_context = base.at("context");
  c.head_context = head.at("context");
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

Comparison Compare(const Json& base, const Json& head, const Options& options,
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

Comparison CompareRounds(const std::vector<Json>& base_rounds, const std::vector<Json>& head_rounds,
                         const Options& options, const std::string& base_label,
                         const std::string& head_label) {
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
  std::vector<const Json*> bc, hc;
  std::vector<Collected> b, h;
  for (size_t r = 0; r < rounds; ++r) {
    const std::string round = " round " + std::to_string(r + 1);
    b.push_back(Collect(base_rounds[r], base_label + round));
    h.push_back(Collect(head_rounds[r], head_label + round));
    bc.push_back(&base_rounds[r].at("context"));
    hc.push_back(&head_rounds[r].at("context"));
  }
  for (std::string& w : SideWarnings(bc)) c.base_warnings.push_back(std::move(w));
  for (std::string& w : SideWarnings(hc)) c.head_warnings.push_back(std::move(w));
  // One side of a benchmark over all rounds: every repetition, wrong when any round was wrong,
  // and the median of each round in which it ran.
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
      if (!s.failed) {
        medians[r] = s.median_ns;
        out->samples_ns.insert(out->samples_ns.end(), s.samples_ns.begin(), s.samples_ns.end());
      }
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

// ---- Output ----

std::string SummaryLine(const Comparison& c) {
  auto count = [&](Change v, const char* one, const char* many) {
    const size_t k = c.Count(v);
    return std::to_string(k) + " " + (k == 1 ? one : many);
  };
  std::string line = count(Change::kRegression, "regression", "regressions") + ", " +
                     count(Change::kWrong, "wrong result", "wrong results") + ", " +
                     count(Change::kImprovement, "improvement", "improvements") + ", " +
                     count(Change::kSame, "same", "same");
  if (c.rounds > 0 || c.Count(Change::kWithinNoise) > 0) {
    line += ", " + count(Change::kWithinNoise, "within noise", "within noise");
  }
  line += ", " + count(Change::kAdded, "added", "added") + ", " +
          count(Change::kRemoved, "removed", "removed");
  if (c.Count(Change::kFixed) > 0) line += ", " + count(Change::kFixed, "fixed", "fixed");
  if (c.Count(Change::kStillWrong) > 0) {
    line += ", " + count(Change::kStillWrong, "still wrong", "still wrong");
  }
  return line;
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

namespace {

std::string Describe(const std::string& label, const Json& context) {
  std::string out = "`" + label + "`";
  std::vector<std::string> facts;
  for (const char* key : {report::ctx::kGitRevision, "date", "host_name"}) {
    if (context.contains(key) && context[key].is_string()) facts.push_back(context[key]);
  }
  for (size_t i = 0; i < facts.size(); ++i) out += (i ? ", " : " (") + facts[i];
  return facts.empty() ? out : out + ")";
}

std::string MedianCell(const std::optional<Side>& side) {
  if (!side) return "—";
  if (side->failed) return "wrong";
  return FormatDuration(side->median_ns);
}

std::string SamplesCell(const Row& row) {
  auto n = [](const std::optional<Side>& s) {
    return s && !s->failed ? std::to_string(s->samples_ns.size()) : std::string("—");
  };
  return n(row.base) + " / " + n(row.head);
}

// Whether a row is shown in the Markdown without --all-rows: it changed, or it needs a look.
bool Changed(const Row& row) {
  return row.change != Change::kSame && row.change != Change::kWithinNoise;
}

const StrategyGate* GateOf(const Comparison& c, const std::string& strategy) {
  for (const StrategyGate& g : c.gates) {
    if (g.strategy == strategy) return &g;
  }
  return nullptr;
}

// The strategy gate's cell: "**regression** (adjusted p 0.0012, floor ±10.0%)".
std::string GateCell(const StrategyGate* g) {
  if (!g) return "—";
  std::string verdict(ToString(g->change));
  if (g->change != Change::kSame) verdict = "**" + verdict + "**";
  return verdict + " (adjusted p " + FormatP(g->p_adjusted) + ", floor ±" +
         Printf("%.1f%%", g->noise_floor * 100) + ")";
}

void StrategyTable(const Comparison& c, std::ostringstream& md) {
  const std::vector<StrategySummary> per = PerStrategy(c);
  if (per.empty()) return;
  const bool gated = !c.gates.empty();
  md << "| strategy | timed | regressions | improvements | wrong | geomean change |"
     << (gated ? " strategy as a whole |" : "") << "\n";
  md << "| --- | ---: | ---: | ---: | ---: | ---: |" << (gated ? " --- |" : "") << "\n";
  for (const StrategySummary& s : per) {
    md << "| " << MarkdownCell(s.strategy) << " | " << s.timed << " | " << s.regressions << " | "
       << s.improvements << " | " << s.wrong << " | "
       << (s.timed ? FormatChange(s.geomean_ratio) : std::string("—")) << " |";
    if (gated) md << " " << GateCell(GateOf(c, s.strategy)) << " |";
    md << "\n";
  }
  md << "\n";
}

void Method(const Comparison& c, std::ostringstream& md) {
  const Options& opt = c.options;
  if (c.rounds > 0) {
    md << "**Method:** base and new ran interleaved over " << c.rounds
       << " rounds (their bench processes alternating, and which side goes first alternating "
          "too), so that drift of the machine hits both alike. Per benchmark, each round's median "
          "of each side forms a "
          "pair; the change is the geometric mean of the paired ratios, tested with Student's t "
          "over the rounds' log ratios. ";
  } else {
    md << "**Method:** per benchmark the change of the median real time, tested with the "
          "two-sided Mann-Whitney U test over the repetitions (repetitions inside one process "
          "are not independent samples of what varies between runs: prefer `poolbench ab`). ";
  }
  md << "p-values are corrected across the "
     << std::count_if(c.rows.begin(), c.rows.end(),
                      [](const Row& r) { return r.p_adjusted.has_value(); })
     << " tested benchmarks with " << Describe(opt.correction)
     << "; a benchmark regresses (or "
        "improves) when its change exceeds ±"
     << FormatPercent(opt.threshold);
  if (c.rounds > 0) {
    md << " and its noise floor (" << opt.noise_k
       << " x the round-to-round spread of its log ratio; smaller changes are *within noise*)";
  }
  md << " and the corrected p < " << opt.alpha << ".";
  if (!c.gates.empty()) {
    md << " Each strategy as a whole is tested the same way, on the mean of its benchmarks' log "
          "ratios in each round (Holm across the "
       << c.gates.size()
       << " strategies, against its own noise floor): when a strategy changed as a whole, "
          "each of its benchmarks whose change exceeds ±"
       << FormatPercent(opt.threshold)
       << " in the same direction is flagged with it, even where its own test could not tell.";
  }
  md << " A wrong result in the new report fails the comparison like a regression.\n\n";
}

void Quote(std::ostringstream& md, const std::string& title,
           const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  md << "> **" << title << "**\n";
  for (const std::string& l : lines) md << "> - " << l << "\n";
  md << "\n";
}

// Machine fields that differ (compared with --force), settings that differ, warnings about the
// runs, and machine fields neither report has.
void ContextWarnings(const Comparison& c, std::ostringstream& md) {
  if (!c.differences.empty()) {
    md << "> **Warning:** compared with `--force`, but these reports come from different machines "
          "or builds, so their times may not be comparable:\n";
    for (const ContextDifference& d : c.differences) {
      md << "> - `" << d.field << "`: base " << d.base.dump() << ", new " << d.head.dump() << "\n";
    }
    md << "\n";
  }
  if (!c.settings_differences.empty()) {
    std::vector<std::string> lines;
    for (const ContextDifference& d : c.settings_differences) {
      lines.push_back("`" + d.field + "`: base " + d.base.dump() + ", new " + d.head.dump());
    }
    Quote(md, "Settings differ between base and new:", lines);
  }
  std::vector<std::string> warnings;
  for (const std::string& w : c.base_warnings) warnings.push_back("base: " + w);
  for (const std::string& w : c.head_warnings) warnings.push_back("new: " + w);
  Quote(md, "Measuring conditions:", warnings);
  if (!c.unchecked.empty()) {
    md << "> Not checked (absent from both reports): ";
    for (size_t i = 0; i < c.unchecked.size(); ++i) md << (i ? ", " : "") << c.unchecked[i];
    md << ".\n\n";
  }
}

std::string PCell(const std::optional<double>& p) { return p ? FormatP(*p) : "—"; }

void RowsTable(const Comparison& c, std::ostringstream& md) {
  const size_t shown =
      c.options.all_rows
          ? c.rows.size()
          : static_cast<size_t>(std::count_if(c.rows.begin(), c.rows.end(), Changed));
  if (c.options.all_rows) {
    md << "### All " << c.rows.size() << " benchmarks\n\n";
  } else {
    md << "### " << shown << " of " << c.rows.size()
       << " benchmarks changed (`--all-rows` lists every one)\n\n";
  }
  if (shown == 0) return;
  md << "| benchmark | runs (base / new) | base (median) | new (median) | change | noise floor | "
        "p-value | adjusted p | verdict |\n";
  md << "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n";
  for (const Row& row : c.rows) {
    if (!c.options.all_rows && !Changed(row)) continue;
    std::string verdict(ToString(row.change));
    if (IsFailure(row.change) || row.change == Change::kImprovement) {
      verdict = "**" + verdict + "**";
    }
    if (!row.note.empty()) verdict += " (" + row.note + ")";
    std::optional<double> p;
    if (row.paired && !row.ratio_only) p = row.paired->p_value;
    if (row.test && !row.paired) p = row.test->p_value;
    md << "| `" << MarkdownCell(row.run_name) << "` | " << SamplesCell(row) << " | "
       << MedianCell(row.base) << " | " << MedianCell(row.head) << " | "
       << (row.ratio ? FormatChange(*row.ratio) : "—") << " | "
       << (row.ratio ? "±" + Printf("%.1f%%", row.noise_floor * 100) : "—") << " | " << PCell(p)
       << " | " << PCell(row.p_adjusted) << " | " << MarkdownCell(verdict) << " |\n";
  }
  md << "\n";
}

}  // namespace

std::string ToMarkdown(const Comparison& c) {
  const Options& opt = c.options;
  std::ostringstream md;
  md << "## poolbench " << (c.rounds > 0 ? "ab" : "compare") << ": "
     << (c.Failed() ? "FAIL" : "pass") << "\n\n";
  md << "**Summary:** " << SummaryLine(c) << ".\n\n";
  StrategyTable(c, md);
  md << "**Base:** " << Describe(c.base_label, c.base_context) << "  \n**New:** "
     << Describe(c.head_label, c.head_context) << "\n\n";
  ContextWarnings(c, md);
  Method(c, md);
  RowsTable(c, md);
  if (std::any_of(c.rows.begin(), c.rows.end(), [](const Row& r) { return r.ratio_only; })) {
    md << "With few repetitions the U test cannot reach significance: n vs m samples give at best "
          "p = 2 / C(n+m, n), e.g. 0.1 for 3 vs 3. Rows decided *by ratio alone* had too few "
          "samples for p < "
       << opt.alpha
       << ", so the change of the medians alone decided them, and noise alone can exceed the "
          "threshold. Run `poolbench bench` with at least "
       << RepetitionsNeeded(opt.alpha) << " repetitions on both sides to have them tested.\n\n";
  }
  return md.str();
}

namespace {

// Verdicts as JSON values and keys: "still wrong" becomes "still_wrong".
std::string Key(Change v) {
  std::string s(ToString(v));
  std::replace(s.begin(), s.end(), ' ', '_');
  return s;
}

Json SideJson(const std::optional<Side>& side) {
  if (!side) return nullptr;
  Json j = {{"failed", side->failed}};
  if (side->failed) {
    j["error_message"] = side->error_message;
  } else {
    j["samples"] = side->samples_ns.size();
    j["median_ns"] = side->median_ns;
  }
  return j;
}

Json Differences(const std::vector<ContextDifference>& differences) {
  Json out = Json::array();
  for (const ContextDifference& d : differences) {
    out.push_back({{"field", d.field}, {"base", d.base}, {"new", d.head}});
  }
  return out;
}

}  // namespace

Json ToJson(const Comparison& c) {
  Json out;
  out["base"] = {{"file", c.base_label}};
  out["new"] = {{"file", c.head_label}};
  for (const char* key : {report::ctx::kGitRevision, "date", "host_name"}) {
    if (c.base_context.contains(key)) out["base"][key] = c.base_context[key];
    if (c.head_context.contains(key)) out["new"][key] = c.head_context[key];
  }
  out["base"]["warnings"] = c.base_warnings;
  out["new"]["warnings"] = c.head_warnings;
  out["method"] = c.rounds > 0 ? "paired_rounds" : "u_test";
  if (c.rounds > 0) {
    out["rounds"] = c.rounds;
    out["noise_k"] = c.options.noise_k;
  }
  out["threshold"] = c.options.threshold;
  out["alpha"] = c.options.alpha;
  out["correction"] = ToString(c.options.correction);
  out["forced"] = c.options.force;
  out["min_repetitions_for_alpha"] = RepetitionsNeeded(c.options.alpha);
  out["context_differences"] = Differences(c.differences);
  out["settings_differences"] = Differences(c.settings_differences);
  out["unchecked_context_fields"] = c.unchecked;
  Json rows = Json::array();
  for (const Row& row : c.rows) {
    Json j = {{"run_name", row.run_name}, {"verdict", Key(row.change)}};
    if (!row.strategy.empty()) j["strategy"] = row.strategy;
    if (!row.descriptor.empty()) j["descriptor"] = row.descriptor;
    if (row.threads) j["threads"] = *row.threads;
    j["base"] = SideJson(row.base);
    j["new"] = SideJson(row.head);
    if (row.ratio) {
      j["ratio"] = *row.ratio;
      j["change"] = *row.ratio - 1;
      j["noise_floor"] = row.noise_floor;
    }
    if (row.test) {
      j["u"] = row.test->u;
      j["p_value"] = row.test->p_value;
      j["test"] = row.test->exact ? "exact" : "normal";
      j["decided_by"] = row.ratio_only ? "ratio" : "u_test";
    }
    if (row.paired) {
      j["rounds"] = row.paired->rounds;
      j["p_value"] = row.paired->p_value;
      j["spread"] = row.paired->spread;
      j["test"] = "paired_t";
      j["decided_by"] = row.ratio_only ? "ratio" : "paired_t";
    }
    if (row.p_adjusted) j["p_adjusted"] = *row.p_adjusted;
    if (!row.note.empty()) j["note"] = row.note;
    rows.push_back(std::move(j));
  }
  out["benchmarks"] = std::move(rows);
  Json per = Json::array();
  for (const StrategySummary& s : PerStrategy(c)) {
    per.push_back({{"strategy", s.strategy},
                   {"timed", s.timed},
                   {"regressions", s.regressions},
                   {"improvements", s.improvements},
                   {"wrong", s.wrong},
                   {"geomean_ratio", s.geomean_ratio}});
    if (const StrategyGate* g = GateOf(c, s.strategy)) {
      per.back()["gate"] = {{"verdict", Key(g->change)},  {"benchmarks", g->benchmarks},
                            {"ratio", g->test.ratio},     {"spread", g->test.spread},
                            {"p_value", g->test.p_value}, {"p_adjusted", g->p_adjusted},
                            {"correction", "holm"},       {"noise_floor", g->noise_floor}};
    }
  }
  out["strategies"] = std::move(per);
  Json summary = Json::object();
  for (Change v : {Change::kRegression, Change::kWrong, Change::kImprovement, Change::kSame,
                   Change::kWithinNoise, Change::kAdded, Change::kRemoved, Change::kFixed,
                   Change::kStillWrong}) {
    summary[Key(v)] = c.Count(v);
  }
  out["summary"] = std::move(summary);
  out["failed"] = c.Failed();
  return out;
}

}  // namespace poolbench::compare
