// The report as CSV (RFC 4180), one row per (strategy, descriptor, threads), for spreadsheets
// and scripts. Numbers are plain (nanoseconds, GB/s, percent), not human units.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "render/render.hpp"

namespace poolbench::render {
namespace {

// RFC 4180: a field with a comma, a double quote or a line break is enclosed in double quotes,
// and a double quote inside it is doubled.
std::string Field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Number(std::optional<double> v, const char* format) {
  if (!v) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, format, *v);
  return buf;
}

// The fastest and slowest repetition, when there are any.
std::pair<std::optional<double>, std::optional<double>> MinMax(const Result& r) {
  if (r.samples.empty()) return {};
  double lo = r.samples.front().real_ns, hi = lo;
  for (const report::Sample& s : r.samples)
    lo = std::min(lo, s.real_ns), hi = std::max(hi, s.real_ns);
  return {lo, hi};
}

}  // namespace

std::string Csv(const report::Run& run) {
  std::ostringstream csv;
  // Lines end in CRLF, as RFC 4180 specifies and spreadsheets expect.
  csv << "descriptor,op,direction,dtype,layout,strategy,threads,rank,verdict,time_ns,"
         "time_lo_ns,time_hi_ns,processes,clean_processes,repetitions,min_ns,max_ns,bytes_moved,"
         "gbps,bandwidth_level,bandwidth_percent,speedup_vs_reference,best_peer,"
         "best_peer_layout,vs_best_peer,vs_fastest,disturbed,error_message"
         "\r\n";
  const auto ratio = [](const std::optional<report::Ratio>& v) {
    return Number(v ? std::optional<double>(v->value) : std::nullopt, "%.4g");
  };
  for (const ProblemResults& p : Summarise(run)) {
    int rank = 0;
    for (const auto* list : {&p.ranked, &p.unranked}) {
      for (const Result& r : *list) {
        // Unranked results have no time worth printing: a wrong strategy's time is never shown,
        // nor a disturbed one's.
        const bool timed = r.Timed();
        const auto [min, max] = MinMax(r);
        const std::optional<report::Interval>& in = r.estimate.interval;
        csv << Field(r.descriptor) << ',' << Field(r.op) << ',' << Field(r.direction) << ','
            << Field(r.dtype) << ',' << Field(r.layout) << ',' << Field(r.strategy) << ','
            << r.threads << ',' << (timed ? std::to_string(++rank) : "") << ','
            << Field(std::string(report::ToString(r.verdict))) << ','
            << (timed ? Number(r.time_ns, "%.1f") : "") << ','
            << (timed && in ? Number(in->lo, "%.1f") : "") << ','
            << (timed && in ? Number(in->hi, "%.1f") : "") << ','
            << (r.estimate.processes_run ? std::to_string(r.estimate.processes_run) : "") << ','
            << (r.estimate.processes_run ? std::to_string(r.estimate.processes) : "") << ','
            << (timed ? std::to_string(r.samples.size()) : "") << ','
            << (timed ? Number(min, "%.1f") : "") << ',' << (timed ? Number(max, "%.1f") : "")
            << ',' << (r.bytes_moved ? std::to_string(*r.bytes_moved) : "") << ','
            << (timed ? Number(r.gbps, "%.6g") : "") << ',' << Field(r.bandwidth_level) << ','
            << (timed && r.bandwidth_fraction ? Number(*r.bandwidth_fraction * 100, "%.4g") : "")
            << ',' << (timed ? ratio(r.speedup) : "") << ',' << Field(r.best_peer) << ','
            << Field(r.best_peer_layout) << ',' << (timed ? ratio(r.vs_best_peer) : "") << ','
            << (timed ? ratio(r.vs_fastest) : "") << ',' << Field(r.disturbed) << ','
            << Field(r.error_message) << "\r\n";
      }
    }
  }
  return csv.str();
}

}  // namespace poolbench::render
