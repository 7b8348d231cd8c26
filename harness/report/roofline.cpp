#include "report/roofline.hpp"

#include <cmath>
#include <cstdint>

#include "report/report.hpp"

namespace poolbench {
namespace {

const char* const kLevelKey = "level";
const char* const kCapacityKey = "capacity_bytes";
const char* const kBytesKey = "bytes";
const char* const kThreadsKey = "threads";
const char* const kGBpsKey = "read_write_gbps";

[[noreturn]] void Malformed(const std::string& where, const std::string& why) {
  throw report::ReportError(std::string("context.") + report::ctx::kBandwidth + where + ": " + why);
}

const report::Json& Field(const report::Json& entry, const std::string& where, const char* key) {
  if (!entry.contains(key)) Malformed(where, std::string("missing the field \"") + key + "\"");
  return entry[key];
}

// The names MeasureBandwidth gives, as reports/schema.json allows them: L1 to L9, DRAM.
bool IsLevelName(const report::Json& name) {
  if (!name.is_string()) return false;
  const std::string& s = name.get_ref<const std::string&>();
  return s == "DRAM" || (s.size() == 2 && s[0] == 'L' && s[1] >= '1' && s[1] <= '9');
}

int64_t IntField(const report::Json& entry, const std::string& where, const char* key,
                 int64_t min) {
  const report::Json& v = Field(entry, where, key);
  const std::string at = where + "." + key;
  if (!v.is_number_integer()) Malformed(at, "expected an integer, got " + report::Quote(v));
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX}) {
    Malformed(at, "out of range: " + report::Quote(v));
  }
  const int64_t x = v.get<int64_t>();
  if (x < min)
    Malformed(at, "must be at least " + std::to_string(min) + ", got " + report::Quote(v));
  return x;
}

}  // namespace

const BandwidthLevel* LevelFor(const std::vector<BandwidthLevel>& levels, int64_t bytes) {
  const BandwidthLevel* best = nullptr;     // the smallest cache that holds `bytes`
  const BandwidthLevel* dram = nullptr;     // the level without a capacity
  const BandwidthLevel* largest = nullptr;  // the largest cache, if there is no DRAM entry
  for (const BandwidthLevel& l : levels) {
    if (l.capacity_bytes <= 0) {
      if (!dram) dram = &l;
      continue;
    }
    if (!largest || l.capacity_bytes > largest->capacity_bytes) largest = &l;
    if (bytes <= l.capacity_bytes && (!best || l.capacity_bytes < best->capacity_bytes)) {
      best = &l;
    }
  }
  if (best) return best;
  return dram ? dram : largest;
}

report::Json ToJson(const std::vector<BandwidthLevel>& levels) {
  report::Json out = report::Json::array();
  for (const BandwidthLevel& l : levels) {
    out.push_back({{kLevelKey, l.level},
                   {kCapacityKey, l.capacity_bytes},
                   {kBytesKey, l.working_set_bytes},
                   {kThreadsKey, l.threads},
                   {kGBpsKey, l.gbps}});
  }
  return out;
}

std::vector<BandwidthLevel> BandwidthFromJson(const report::Json& j) {
  if (!j.is_array()) Malformed("", "expected an array of levels, got " + report::Quote(j));
  std::vector<BandwidthLevel> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const report::Json& e = j[i];
    std::string where(1, '[');
    where += std::to_string(i);
    where += ']';
    if (!e.is_object()) Malformed(where, "expected an object, got " + report::Quote(e));
    BandwidthLevel l;
    const report::Json& name = Field(e, where, kLevelKey);
    if (!IsLevelName(name)) {
      Malformed(where + "." + kLevelKey,
                "expected a level name (L1 to L9 or DRAM), got " + report::Quote(name));
    }
    l.level = name.get<std::string>();
    l.capacity_bytes = IntField(e, where, kCapacityKey, 0);
    l.working_set_bytes = IntField(e, where, kBytesKey, 1);
    const int64_t threads = IntField(e, where, kThreadsKey, 1);
    if (threads > kMaxBandwidthThreads) {
      Malformed(where + "." + kThreadsKey, "out of range: " + std::to_string(threads));
    }
    l.threads = static_cast<int>(threads);
    const report::Json& gbps = Field(e, where, kGBpsKey);
    if (!gbps.is_number() || !std::isfinite(gbps.get<double>()) || gbps.get<double>() <= 0) {
      Malformed(where + "." + kGBpsKey, "expected a positive number, got " + report::Quote(gbps));
    }
    l.gbps = gbps.get<double>();
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace poolbench
