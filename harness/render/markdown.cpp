// The report as Markdown, for CI job summaries ($GITHUB_STEP_SUMMARY) and pull requests.
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "render/cells.hpp"
#include "render/render.hpp"
#include "report/markdown_cell.hpp"
#include "report/report.hpp"
#include "report/roofline.hpp"
#include "report/units.hpp"

namespace poolbench::render {
namespace {

using report::Json;

std::string Code(const std::string& text) {
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "`" + std::string&&.
  std::string out = "`";
  out += MarkdownCell(text);
  out += '`';
  return out;
}

// What a reader must know before reading any number: a partial report, and the conditions that
// make the timings doubtful.
void Banners(const report::Context& ctx, std::ostringstream& md) {
  if (const std::string incomplete = IncompleteText(ctx); !incomplete.empty()) {
    md << "> **Incomplete report.** " << MarkdownCell(incomplete) << "\n\n";
  }
  if (ctx.warnings.empty()) return;
  md << "> **Warnings about this run:**\n";
  for (const report::Warning& w : ctx.warnings) md << "> - " << MarkdownCell(w.message) << "\n";
  md << "\n";
}

void ContextTable(const report::Context& ctx, std::ostringstream& md) {
  md << "## Build and machine\n\n| | |\n| --- | --- |\n";
  for (const Fact& f : ContextFacts(ctx)) {
    md << "| " << f.label << " | " << (f.code ? Code(f.value) : MarkdownCell(f.value)) << " |\n";
  }
  const std::vector<MergedFromLine> merged = MergedFromList(ctx);
  if (!merged.empty()) {
    md << "| merged from | ";
    for (size_t i = 0; i < merged.size(); ++i) {
      md << (i ? ", " : "") << Code(merged[i].file);
      if (!merged[i].detail.empty()) md << " (" << MarkdownCell(merged[i].detail) << ")";
    }
    md << " |\n";
  }
  md << "\n";
}

// A matrix cell: the time in bold (with ★ for the row's winner), then speed-up and roofline on
// a second line; a failure's label in bold with its message left to the tables below.
std::string MatrixCellMarkdown(const MatrixCell& c) {
  const CellText t = MatrixCellText(c);
  std::string out;
  if (c.state == MatrixCell::State::kRanked || c.state == MatrixCell::State::kUnranked) {
    out = "**" + MarkdownCell(t.main) + "**";
  } else {
    out = MarkdownCell(t.main);
  }
  if (c.winner) out += " ★";
  if (c.tied) out += " ☆";
  if (!t.threads.empty()) out += " (" + t.threads + ")";
  std::string detail = t.speedup;
  if (!t.roofline.empty()) detail += (detail.empty() ? "" : " · ") + MarkdownCell(t.roofline);
  if (!detail.empty()) out += "<br>" + detail;
  return out;
}

void MatrixTable(const Matrix& m, std::ostringstream& md) {
  md << "| problem |";
  for (const std::string& s : m.strategies) md << " " << MarkdownCell(s) << " |";
  md << "\n| --- |";
  for (size_t i = 0; i < m.strategies.size(); ++i) md << " ---: |";
  md << "\n";
  for (size_t row = 0; row < m.descriptors.size(); ++row) {
    md << "| " << Code(m.descriptors[row]);
    if (!m.data[row].empty()) md << "<br>" << MarkdownCell(m.data[row]);
    md << " |";
    for (const MatrixCell& c : m.cells[row]) md << " " << MatrixCellMarkdown(c) << " |";
    md << "\n";
  }
  md << "| problems won ★ / tied ☆ |";
  for (size_t i = 0; i < m.wins.size(); ++i) md << " " << m.wins[i] << " / " << m.ties[i] << " |";
  md << "\n\n";
}

// The matrices (the first open, any others in <details>) and the thread scaling: what a reader
// looks for first, ahead of the facts and the per-problem tables.
void AtAGlance(const std::vector<Matrix>& matrices, const std::vector<Scaling>& scaling,
               std::ostringstream& md) {
  if (matrices.empty() || matrices.front().descriptors.empty()) return;
  md << "## At a glance: " << matrices.front().title << "\n\n";
  MatrixTable(matrices.front(), md);
  md << MatrixNote() << "\n\n";
  for (size_t i = 1; i < matrices.size(); ++i) {
    md << "<details><summary>Matrix at " << matrices[i].title << "</summary>\n\n";
    MatrixTable(matrices[i], md);
    md << "</details>\n\n";
  }
  if (scaling.empty()) return;
  md << "### Thread scaling\n\n"
        "Speed-up of each strategy from its lowest thread count to a higher one (time at the "
        "lower / time at the higher), over the problems where both passed: the geometric mean, "
        "and the range.\n\n"
        "| strategy | threads | geometric mean | min – max | problems |\n"
        "| --- | --- | ---: | ---: | ---: |\n";
  for (const Scaling& s : scaling) {
    md << "| " << MarkdownCell(s.strategy) << " | " << s.base_threads << " → " << s.threads << " | "
       << Ratio(s.geomean) << " | " << Ratio(s.min) << " – " << Ratio(s.max) << " | "
       << s.speedups.size() << " |\n";
  }
  md << "\n";
}

void BandwidthTable(const report::Context& ctx, std::ostringstream& md) {
  const std::vector<BandwidthLevel>& levels = ctx.bandwidth;
  if (levels.empty()) {
    md << "_No memory bandwidth was measured in this run._\n\n";
    return;
  }
  md << "## Measured memory bandwidth\n\n"
        "(bytes read + bytes written) per second of a streaming kernel whose working set sits in "
        "the level.\n\n"
        "| level | capacity | working set | threads | GB/s |\n"
        "| --- | ---: | ---: | ---: | ---: |\n";
  for (const BandwidthLevel& l : levels) {
    md << "| " << MarkdownCell(l.level) << " | "
       << (l.capacity_bytes > 0 ? FormatBytes(l.capacity_bytes) : "–") << " | "
       << FormatBytes(l.working_set_bytes) << " | " << l.threads << " | " << Num(l.gbps) << " |\n";
  }
  md << "\n";
}

void RankingTable(const std::vector<Result>& ranked, bool with_peers, std::ostringstream& md) {
  if (ranked.empty()) {
    md << "_No strategy passed the cross-check on this problem: nothing is ranked._\n\n";
    return;
  }
  md << "| # | strategy | threads | time | 95% interval | processes | vs fastest | GB/s | "
        "% of bandwidth | speed-up vs naive_loops |"
     << (with_peers ? " best peer | vs best peer |" : "")
     << "\n| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |"
     << (with_peers ? " --- | ---: |" : "") << "\n";
  int rank = 0;
  for (const Result& r : ranked) {
    md << "| " << ++rank << " | " << MarkdownCell(r.strategy) << " | " << r.threads << " | "
       << MarkdownCell(TimeText(r)) << " | " << IntervalText(r) << " | " << ProcessesText(r)
       << " | " << VsFastestText(r) << " | " << GbpsText(r) << " | "
       << MarkdownCell(BandwidthText(r)) << " | " << SpeedupText(r) << " |";
    if (with_peers)
      md << " " << MarkdownCell(BestPeerText(r)) << " | " << VsBestPeerText(r) << " |";
    md << "\n";
  }
  md << "\n";
}

void UnrankedList(const std::vector<Result>& unranked, std::ostringstream& md) {
  if (unranked.empty()) return;
  md << "Not ranked:\n\n";
  for (const Result& r : unranked) {
    md << "- **" << UnrankedLabel(r) << "** " << Code(r.strategy) << " (" << Threads(r.threads)
       << ")";
    const std::string& why = r.disturbed.empty() ? r.error_message : r.disturbed;
    if (!why.empty()) md << ": " << MarkdownCell(why);
    md << "\n";
  }
  md << "\n";
}

void ProblemTable(const ProblemResults& p, bool with_peers, std::ostringstream& md) {
  md << "### " << Code(p.descriptor) << "\n\n";
  if (const std::string data = DataText(p); !data.empty()) md << MarkdownCell(data) << "\n\n";
  md << "**" << MarkdownCell(VerdictText(p)) << "**\n\n";
  RankingTable(p.ranked, with_peers, md);
  UnrankedList(p.unranked, md);
}

void Skipped(const report::Context& ctx, std::ostringstream& md) {
  const size_t count = ctx.skipped.size();
  if (count == 0) return;
  md << "<details><summary>" << count << " strategy/problem pair" << (count == 1 ? "" : "s")
     << " skipped (the strategy does not support the problem)</summary>\n\n"
        "| strategy | reason | problems |\n| --- | --- | --- |\n";
  for (const SkippedGroup& g : SkippedGroups(ctx)) {
    md << "| " << MarkdownCell(g.strategy) << " | " << MarkdownCell(g.reason) << " | ";
    for (size_t i = 0; i < g.descriptors.size(); ++i)
      md << (i ? ", " : "") << Code(g.descriptors[i]);
    md << " |\n";
  }
  md << "\n</details>\n\n";
}

}  // namespace

std::string Markdown(const report::Run& run) {
  const std::vector<ProblemResults> problems = Summarise(run);
  const report::Context& ctx = run.context;
  std::ostringstream md;
  md << "# poolbench report\n\n";
  Banners(ctx, md);
  AtAGlance(Matrices(run, problems), ThreadScaling(problems), md);
  ContextTable(ctx, md);
  BandwidthTable(ctx, md);
  const bool with_peers = !ctx.peers.empty();
  md << "## Results\n\n" << ResultsNote(with_peers) << "\n\n";
  if (problems.empty()) md << "_The report has no results._\n\n";
  for (const ProblemResults& p : problems) ProblemTable(p, with_peers, md);
  Skipped(ctx, md);
  return md.str();
}

}  // namespace poolbench::render
