#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "report/units.hpp"

namespace poolbench::compare {

std::string_view ToString(Change v) {
  // In the order of the enumerators.
  static constexpr std::string_view kNames[] = {
      "wrong", "regression", "improvement", "same", "added", "removed", "fixed", "still wrong"};
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
  std::string message = c.base_label + " and " + c.head_label +
                        " come from different machines or builds, so their times are not "
                        "comparable (--force compares them anyway):";
  for (const ContextDifference& d : c.differences) {
    message += "\n  " + d.field + ": base " + d.base.dump() + ", new " + d.head.dump();
  }
  throw IncompatibleReports(message);
}

// The verdict of a benchmark that ran correctly in both reports.
void JudgeTimes(Row& row, const Options& opt) {
  const Side& base = *row.base;
  const Side& head = *row.head;
  row.ratio = head.median_ns / base.median_ns;
  row.test = MannWhitneyU(head.samples_ns, base.samples_ns);
  // With too few samples the test cannot call anything significant; the ratio then decides
  // alone, and the row says so whatever the verdict, so that nobody reads it as tested.
  row.ratio_only = MinimumPValue(base.samples_ns.size(), head.samples_ns.size()) >= opt.alpha;
  if (row.ratio_only) {
    row.note = "by ratio alone: " + std::to_string(base.samples_ns.size()) + " vs " +
               std::to_string(head.samples_ns.size()) + " samples cannot reach p < " +
               Printf("%g", opt.alpha);
  }
  const bool slower = *row.ratio > 1 + opt.threshold;
  const bool faster = *row.ratio < 1 - opt.threshold;
  if (!slower && !faster) {
    row.change = Change::kSame;
  } else if (row.ratio_only) {
    row.change = slower ? Change::kRegression : Change::kImprovement;
  } else if (row.test->p_value < opt.alpha) {
    row.change = slower ? Change::kRegression : Change::kImprovement;
  } else {
    row.change = Change::kSame;
    row.note = std::string(slower ? "slower" : "faster") + " by more than " +
               FormatPercent(opt.threshold) + ", but p ≥ " + Printf("%g", opt.alpha);
  }
}

void Judge(Row& row, const Options& opt) {
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
    JudgeTimes(row, opt);
  }
}

}  // namespace

Comparison Compare(const Json& base, const Json& head, const Options& options,
                   const std::string& base_label, const std::string& head_label) {
  if (!std::isfinite(options.threshold) || options.threshold < 0) {
    throw std::invalid_argument("threshold must be a fraction >= 0, e.g. 0.05 for 5%, not " +
                                Printf("%g", options.threshold));
  }
  if (!(options.alpha > 0 && options.alpha < 1)) {
    throw std::invalid_argument("alpha must be in (0, 1), not " + Printf("%g", options.alpha));
  }
  Comparison c;
  c.options = options;
  c.base_label = base_label;
  c.head_label = head_label;
  c.base_context = base.at("context");
  c.head_context = head.at("context");
  CheckContexts(c);

  Collected b = Collect(base, base_label);
  Collected h = Collect(head, head_label);
  // Two reports without one benchmark in common compare nothing: every row would be "added" or
  // "removed" and the comparison would pass without having tested a single time.
  if (std::none_of(h.order.begin(), h.order.end(),
                   [&](const std::string& name) { return b.sides.contains(name); })) {
    throw ReportError(base_label + " and " + head_label +
                      " have no benchmark in common (matched by run_name): nothing to compare");
  }
  auto make_row = [&](const std::string& name, const Collected& from) {
    Row row = from.meta.at(name);
    row.run_name = name;
    if (auto it = b.sides.find(name); it != b.sides.end()) row.base = it->second;
    if (auto it = h.sides.find(name); it != h.sides.end()) row.head = it->second;
    Judge(row, options);
    return row;
  };
  // New's order, then what only base has, in base's order.
  for (const std::string& name : h.order) c.rows.push_back(make_row(name, h));
  for (const std::string& name : b.order) {
    if (!h.sides.contains(name)) c.rows.push_back(make_row(name, b));
  }
  // What fails the comparison comes first, so a reader of a long table sees it at once:
  // wrong results first, then regressions; the order of the rest is the reports'.
  auto rank = [](const Row& r) { return IsFailure(r.change) ? static_cast<int>(r.change) : 99; };
  std::stable_sort(c.rows.begin(), c.rows.end(),
                   [&](const Row& x, const Row& y) { return rank(x) < rank(y); });
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
                     count(Change::kSame, "same", "same") + ", " +
                     count(Change::kAdded, "added", "added") + ", " +
                     count(Change::kRemoved, "removed", "removed");
  if (c.Count(Change::kFixed) > 0) line += ", " + count(Change::kFixed, "fixed", "fixed");
  if (c.Count(Change::kStillWrong) > 0) {
    line += ", " + count(Change::kStillWrong, "still wrong", "still wrong");
  }
  return line;
}

namespace {

// Text inside a Markdown table cell: a '|' would end the cell and a newline the row.
std::string Cell(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|') {
      out += "\\|";
    } else if (ch == '\n' || ch == '\r') {
      out += ' ';
    } else {
      out += ch;
    }
  }
  return out;
}

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

// Machine fields that differ (compared with --force) or that neither report has.
void ContextWarnings(const Comparison& c, std::ostringstream& md) {
  if (!c.differences.empty()) {
    md << "> **Warning:** compared with `--force`, but these reports come from different machines "
          "or builds, so their times may not be comparable:\n";
    for (const ContextDifference& d : c.differences) {
      md << "> - `" << d.field << "`: base " << d.base.dump() << ", new " << d.head.dump() << "\n";
    }
    md << "\n";
  }
  if (!c.unchecked.empty()) {
    md << "> Not checked (absent from both reports): ";
    for (size_t i = 0; i < c.unchecked.size(); ++i) md << (i ? ", " : "") << c.unchecked[i];
    md << ".\n\n";
  }
}

void RowsTable(const Comparison& c, std::ostringstream& md) {
  md << "| benchmark | runs (base / new) | base (median) | new (median) | change | p-value | "
        "verdict |\n";
  md << "| --- | ---: | ---: | ---: | ---: | ---: | --- |\n";
  for (const Row& row : c.rows) {
    std::string verdict(ToString(row.change));
    if (IsFailure(row.change) || row.change == Change::kImprovement) {
      verdict = "**" + verdict + "**";
    }
    if (!row.note.empty()) verdict += " (" + row.note + ")";
    md << "| `" << Cell(row.run_name) << "` | " << SamplesCell(row) << " | " << MedianCell(row.base)
       << " | " << MedianCell(row.head) << " | " << (row.ratio ? FormatChange(*row.ratio) : "—")
       << " | " << (row.test ? FormatP(row.test->p_value) : "—") << " | " << Cell(verdict)
       << " |\n";
  }
  md << "\n";
}

}  // namespace

std::string ToMarkdown(const Comparison& c) {
  const Options& opt = c.options;
  std::ostringstream md;
  md << "## poolbench compare\n\n";
  md << "**Base:** " << Describe(c.base_label, c.base_context) << "  \n**New:** "
     << Describe(c.head_label, c.head_context) << "\n\n";
  md << "A benchmark regresses (or improves) when its median real time changes by more than ±"
     << FormatPercent(opt.threshold)
     << " and the two-sided Mann-Whitney U test over its repetitions gives p < " << opt.alpha
     << ". A wrong result in the new report fails the comparison like a regression.\n\n";
  ContextWarnings(c, md);
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
  md << "**Summary:** " << SummaryLine(c) << ".\n";
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

}  // namespace

Json ToJson(const Comparison& c) {
  Json out;
  out["base"] = {{"file", c.base_label}};
  out["new"] = {{"file", c.head_label}};
  for (const char* key : {report::ctx::kGitRevision, "date", "host_name"}) {
    if (c.base_context.contains(key)) out["base"][key] = c.base_context[key];
    if (c.head_context.contains(key)) out["new"][key] = c.head_context[key];
  }
  out["threshold"] = c.options.threshold;
  out["alpha"] = c.options.alpha;
  out["forced"] = c.options.force;
  out["min_repetitions_for_alpha"] = RepetitionsNeeded(c.options.alpha);
  out["context_differences"] = Json::array();
  for (const ContextDifference& d : c.differences) {
    out["context_differences"].push_back({{"field", d.field}, {"base", d.base}, {"new", d.head}});
  }
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
    }
    if (row.test) {
      j["u"] = row.test->u;
      j["p_value"] = row.test->p_value;
      j["test"] = row.test->exact ? "exact" : "normal";
      j["decided_by"] = row.ratio_only ? "ratio" : "u_test";
    }
    if (!row.note.empty()) j["note"] = row.note;
    rows.push_back(std::move(j));
  }
  out["benchmarks"] = std::move(rows);
  Json summary = Json::object();
  for (Change v : {Change::kRegression, Change::kWrong, Change::kImprovement, Change::kSame,
                   Change::kAdded, Change::kRemoved, Change::kFixed, Change::kStillWrong}) {
    summary[Key(v)] = c.Count(v);
  }
  out["summary"] = std::move(summary);
  out["failed"] = c.Failed();
  return out;
}

}  // namespace poolbench::compare
