// The Markdown of a comparison, for pull requests.
#include <algorithm>
#include <sstream>

#include "compare/format.hpp"
#include "render/comparison.hpp"
#include "report/markdown_cell.hpp"
#include "report/units.hpp"

namespace poolbench::render {

using namespace compare;  // the comparison's vocabulary: Change, Row, Side, Options...
using report::Json;

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
  if (c.Count(Change::kDisturbed) > 0) {
    line +=
        ", " + count(Change::kDisturbed, "disturbed (not compared)", "disturbed (not compared)");
  }
  if (c.Count(Change::kFixed) > 0) line += ", " + count(Change::kFixed, "fixed", "fixed");
  if (c.Count(Change::kStillWrong) > 0) {
    line += ", " + count(Change::kStillWrong, "still wrong", "still wrong");
  }
  return line;
}

namespace {

std::string DescribeSide(const std::string& label, const report::Context& context) {
  std::string out = "`" + label + "`";
  std::vector<std::string> facts;
  for (const std::string* fact : {&context.git_revision, &context.date, &context.host_name}) {
    if (!fact->empty()) facts.push_back(*fact);
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
    if (gated) md << " " << GateCell(c.Gate(s.strategy)) << " |";
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

std::string ComparisonMarkdown(const Comparison& c) {
  const Options& opt = c.options;
  std::ostringstream md;
  md << "## poolbench " << (c.rounds > 0 ? "ab" : "compare") << ": "
     << (c.Failed() ? "FAIL" : "pass") << "\n\n";
  md << "**Summary:** " << SummaryLine(c) << ".\n\n";
  StrategyTable(c, md);
  md << "**Base:** " << DescribeSide(c.base_label, c.base_context) << "  \n**New:** "
     << DescribeSide(c.head_label, c.head_context) << "\n\n";
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

}  // namespace poolbench::render
