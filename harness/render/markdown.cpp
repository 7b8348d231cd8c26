// The report as Markdown, for CI job summaries ($GITHUB_STEP_SUMMARY) and pull requests.
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "render/render.hpp"
#include "report/report.hpp"
#include "report/roofline.hpp"
#include "report/units.hpp"

namespace poolbench::render {
namespace {

using report::Json;

// Table cells must not break the table: a '|' ends the cell and a newline ends the row, and
// GitHub renders raw HTML, so error messages are escaped.
std::string Cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Code(const std::string& text) {
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "`" + std::string&&.
  std::string out = "`";
  out += Cell(text);
  out += '`';
  return out;
}

// Three significant digits, as the times are printed.
std::string Num(double v) {
  const double a = v < 0 ? -v : v;
  char buf[32];
  std::snprintf(buf, sizeof buf, a >= 99.95 ? "%.0f" : a >= 9.995 ? "%.1f" : "%.2f", v);
  return buf;
}

std::string ContextString(const Json& ctx, const char* key) {
  const auto it = ctx.find(key);
  if (it == ctx.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

void ContextTable(const Json& ctx, std::ostringstream& md) {
  namespace c = report::ctx;
  md << "# poolbench report\n\n| | |\n| --- | --- |\n";
  auto row = [&](const std::string& label, const std::string& value) {
    if (!value.empty()) md << "| " << label << " | " << value << " |\n";
  };
  std::string machine = Cell(ContextString(ctx, c::kMachine));
  const std::string cpus = ContextString(ctx, "num_cpus");
  const std::string mhz = ContextString(ctx, "mhz_per_cpu");
  if (!cpus.empty())
    machine += " (" + cpus + " CPUs" + (mhz.empty() ? "" : ", " + mhz + " MHz") + ")";
  row("machine", machine);
  row("host", Cell(ContextString(ctx, "host_name")));
  row("date", Cell(ContextString(ctx, "date")));
  row("compiler", Cell(ContextString(ctx, c::kCompiler)));
  if (const std::string f = ContextString(ctx, c::kFlags); !f.empty()) row("flags", Code(f));
  row("build type", Cell(ContextString(ctx, c::kBuildType)));
  if (const std::string g = ContextString(ctx, c::kGitRevision); !g.empty()) {
    row("git revision", Code(g));
  }
  row("OpenMP threads", Cell(ContextString(ctx, c::kOmpThreads)));
  row("shard", Cell(ContextString(ctx, c::kShard)));
  if (const auto it = ctx.find(report::ctx::kMergedFrom); it != ctx.end() && it->is_array()) {
    std::string from;
    for (const Json& m : *it) {
      if (!from.empty()) from += ", ";
      from += Code(ContextString(m, "file"));
      const std::string host = ContextString(m, "host_name");
      const std::string shard = ContextString(m, "shard");
      if (!host.empty() || !shard.empty()) {
        from += " (" + Cell(host) + (host.empty() || shard.empty() ? "" : ", ") +
                (shard.empty() ? "" : "shard " + Cell(shard)) + ")";
      }
    }
    row("merged from", from);
  }
  md << "\n";
}

void BandwidthTable(const Json& ctx, std::ostringstream& md) {
  const auto it = ctx.find(report::ctx::kBandwidth);
  const std::vector<BandwidthLevel> levels =
      it == ctx.end() ? std::vector<BandwidthLevel>{} : BandwidthFromJson(*it);
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
    md << "| " << Cell(l.level) << " | "
       << (l.capacity_bytes > 0 ? FormatBytes(l.capacity_bytes) : "–") << " | "
       << FormatBytes(l.working_set_bytes) << " | " << l.threads << " | " << Num(l.gbps) << " |\n";
  }
  md << "\n";
}

std::string TimeCell(const Result& r) {
  std::string s = FormatDuration(r.time_ns);
  if (r.cv) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " ±%.1f%%", *r.cv * 100);
    s += buf;
  }
  return s;
}

// How many bytes a call moves and the level the data lives in. The level can differ with the
// thread count (several cores' caches hold more), so it is given per thread count when it does.
void DataLine(const ProblemResults& p, std::ostringstream& md) {
  std::optional<int64_t> bytes;
  std::map<int, std::string> levels;
  for (const auto* list : {&p.ranked, &p.unranked}) {
    for (const Result& r : *list) {
      if (!bytes && r.bytes_moved) bytes = r.bytes_moved;
      if (!r.bandwidth_level.empty()) levels.emplace(r.threads, r.bandwidth_level);
    }
  }
  if (!bytes) return;
  md << FormatBytes(*bytes) << " moved per call";
  std::set<std::string> names;
  for (const auto& [threads, level] : levels) names.insert(level);
  if (names.size() == 1) {
    md << ", data in " << Cell(*names.begin());
  } else if (!names.empty()) {
    md << ", data in ";
    for (auto it = levels.begin(); it != levels.end(); ++it) {
      md << (it == levels.begin() ? "" : ", ") << Cell(it->second) << " at " << it->first
         << (it->first == 1 ? " thread" : " threads");
    }
  }
  md << ".\n\n";
}

void RankingTable(const std::vector<Result>& ranked, std::ostringstream& md) {
  if (ranked.empty()) {
    md << "_No strategy passed the cross-check on this problem: nothing is ranked._\n\n";
    return;
  }
  md << "| # | strategy | threads | time | GB/s | % of bandwidth | speed-up vs naive_loops |\n"
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n";
  int rank = 0;
  for (const Result& r : ranked) {
    md << "| " << ++rank << " | " << Cell(r.strategy) << " | " << r.threads << " | " << TimeCell(r)
       << " | " << (r.gbps ? Num(*r.gbps) : "–") << " | ";
    if (r.bandwidth_fraction) {
      md << Num(*r.bandwidth_fraction * 100) << "%";
      if (!r.bandwidth_level.empty()) md << " of " << Cell(r.bandwidth_level);
    } else {
      md << "–";
    }
    md << " | " << (r.speedup ? Num(*r.speedup) + "×" : "–") << " |\n";
  }
  md << "\n";
}

void UnrankedList(const std::vector<Result>& unranked, std::ostringstream& md) {
  if (unranked.empty()) return;
  md << "Not ranked:\n\n";
  for (const Result& r : unranked) {
    md << "- **" << UnrankedLabel(r) << "** " << Code(r.strategy) << " (" << r.threads
       << (r.threads == 1 ? " thread" : " threads") << ")";
    if (!r.error_message.empty()) md << ": " << Cell(r.error_message);
    md << "\n";
  }
  md << "\n";
}

void ProblemTable(const ProblemResults& p, std::ostringstream& md) {
  md << "### " << Code(p.descriptor) << "\n\n";
  DataLine(p, md);
  RankingTable(p.ranked, md);
  UnrankedList(p.unranked, md);
}

void Skipped(const Json& ctx, std::ostringstream& md) {
  const auto it = ctx.find(report::ctx::kSkipped);
  if (it == ctx.end() || !it->is_array() || it->empty()) return;
  // One row per (strategy, reason), listing its problems, in the order they first appear.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> problems;
  for (const Json& s : *it) {
    const std::pair key{s.value("strategy", "?"), s.value("reason", "?")};
    auto& list = problems[key];
    if (list.empty()) order.push_back(key);
    list.push_back(s.value("descriptor", "?"));
  }
  md << "<details><summary>" << it->size() << " strategy/problem pair"
     << (it->size() == 1 ? "" : "s")
     << " skipped (the strategy does not support the problem)</summary>\n\n"
        "| strategy | reason | problems |\n| --- | --- | --- |\n";
  for (const auto& key : order) {
    md << "| " << Cell(key.first) << " | " << Cell(key.second) << " | ";
    const auto& list = problems[key];
    for (size_t i = 0; i < list.size(); ++i) md << (i ? ", " : "") << Code(list[i]);
    md << " |\n";
  }
  md << "\n</details>\n\n";
}

}  // namespace

std::string Markdown(const report::Json& report) {
  const std::vector<ProblemResults> problems = Summarise(report);
  const Json& ctx = report.at("context");
  std::ostringstream md;
  ContextTable(ctx, md);
  BandwidthTable(ctx, md);
  md << "## Results\n\n"
        "Fastest first. Time is the mean over the repetitions (± its coefficient of variation); "
        "GB/s counts bytes read + bytes written; speed-up is naive_loops' time divided by this "
        "time. Strategies that failed the cross-check are listed "
        "as WRONG and never ranked.\n\n";
  if (problems.empty()) md << "_The report has no results._\n\n";
  for (const ProblemResults& p : problems) ProblemTable(p, md);
  Skipped(ctx, md);
  return md.str();
}

}  // namespace poolbench::render
