// The report as CSV (RFC 4180), one row per (strategy, descriptor, threads), for spreadsheets
// and scripts. Numbers are plain (nanoseconds, GB/s, percent), not human units.
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

}  // namespace

std::string Csv(const report::Json& report) {
  std::ostringstream csv;
  // Lines end in CRLF, as RFC 4180 specifies and spreadsheets expect.
  csv << "descriptor,op,direction,dtype,layout,strategy,threads,rank,verdict,time_ns,cv_percent,"
         "bytes_moved,gbps,bandwidth_level,bandwidth_percent,speedup_vs_reference,best_peer,"
         "best_peer_layout,vs_best_peer,error_message"
         "\r\n";
  for (const ProblemResults& p : Summarise(report)) {
    int rank = 0;
    for (const auto* list : {&p.ranked, &p.unranked}) {
      for (const Result& r : *list) {
        // Unranked results have no time worth printing: a wrong strategy's time is never shown.
        const bool timed = r.ranked;
        csv << Field(r.descriptor) << ',' << Field(r.op) << ',' << Field(r.direction) << ','
            << Field(r.dtype) << ',' << Field(r.layout) << ',' << Field(r.strategy) << ','
            << r.threads << ',' << (timed ? std::to_string(++rank) : "") << ',' << Field(r.verdict)
            << ',' << (timed ? Number(r.time_ns, "%.1f") : "") << ','
            << (timed && r.cv ? Number(*r.cv * 100, "%.3g") : "") << ','
            << (r.bytes_moved ? std::to_string(*r.bytes_moved) : "") << ','
            << (timed ? Number(r.gbps, "%.6g") : "") << ',' << Field(r.bandwidth_level) << ','
            << (timed && r.bandwidth_fraction ? Number(*r.bandwidth_fraction * 100, "%.4g") : "")
            << ',' << (timed ? Number(r.speedup, "%.4g") : "") << ',' << Field(r.best_peer) << ','
            << Field(r.best_peer_layout) << ',' << (timed ? Number(r.vs_best_peer, "%.4g") : "")
            << ',' << Field(r.error_message) << "\r\n";
      }
    }
  }
  return csv.str();
}

}  // namespace poolbench::render
