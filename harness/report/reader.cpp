#include "report/reader.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <unordered_set>

#include "report/roofline.hpp"

namespace poolbench::report {
namespace {

// The JSON types and ranges a field may be required to have. Integers are bounded before anyone
// converts them: the readers hold counts in int (threads, repetitions) or add to them
// (family_index in merge), and a double out of an integer type's range is undefined behaviour to
// convert. kCount and kPositive are at most 2^53 (exact in a double, and far from overflowing
// an int64 when added); kSmall is an integer in [1, 2^31 - 1], for what is held in an int.
enum class Kind { kString, kNumber, kBoolean, kCount, kPositive, kArray, kObject, kSmall };

constexpr int64_t kMaxCount = int64_t{1} << 53;

bool IsCount(const Json& v, int64_t max) {
  if (!v.is_number_integer()) return false;
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(max);
  const int64_t x = v.get<int64_t>();
  return x >= 0 && x <= max;
}

bool Is(const Json& v, Kind kind) {
  switch (kind) {
    case Kind::kString:
      return v.is_string();
    case Kind::kNumber:
      return v.is_number() && std::isfinite(v.get<double>());
    case Kind::kBoolean:
      return v.is_boolean();
    case Kind::kCount:
      return IsCount(v, kMaxCount);
    case Kind::kPositive:
      return IsCount(v, kMaxCount) && v != 0;
    case Kind::kSmall:
      return IsCount(v, std::numeric_limits<int32_t>::max()) && v != 0;
    case Kind::kArray:
      return v.is_array();
    case Kind::kObject:
      return v.is_object();
  }
  return false;
}

const char* KindName(Kind kind) {
  static constexpr const char* kNames[] = {"a string",
                                           "a finite number",
                                           "a boolean",
                                           "an integer in [0, 2^53]",
                                           "an integer in [1, 2^53]",
                                           "an array",
                                           "an object",
                                           "an integer in [1, 2^31 - 1]"};
  return kNames[static_cast<int>(kind)];
}

// Where in which report: "run.json: benchmarks[3] (name)".
struct Place {
  const std::string& what;
  std::string at;

  [[noreturn]] void Refuse(const std::string& why) const {
    throw ReportError(what + ": " + at + (at.empty() ? "" : " ") + why);
  }
};

enum class Presence { kOptional, kRequired };

// Checks that each of `keys` present in `object` is of `kind`, and with kRequired that it is
// present.
void CheckFields(const Json& object, const Place& place, Kind kind,
                 std::initializer_list<const char*> keys, Presence presence = Presence::kOptional) {
  for (const char* key : keys) {
    const auto it = object.find(key);
    if (it == object.end()) {
      if (presence == Presence::kRequired) {
        place.Refuse(std::string("lacks the field \"") + key + "\"");
      }
      continue;
    }
    if (!Is(*it, kind)) {
      place.Refuse(std::string("has \"") + key + "\": " + it->dump() + ", expected " +
                   KindName(kind));
    }
  }
}

void CheckOneOf(const Json& object, const Place& place, const char* key,
                std::initializer_list<const char*> values) {
  const auto it = object.find(key);
  if (it == object.end()) return;
  for (const char* v : values) {
    if (*it == v) return;
  }
  std::string allowed;
  for (const char* v : values)
    allowed += std::string(allowed.empty() ? "" : " or ") + "\"" + v + "\"";
  place.Refuse(std::string("has \"") + key + "\": " + it->dump() + ", expected " + allowed);
}

// Google Benchmark's fields, then poolbench's (all optional for a plain Google Benchmark report).
void CheckEntryFields(const Json& e, const Place& place) {
  CheckFields(e, place, Kind::kString, {"name", "run_name", "run_type", "time_unit"},
              Presence::kRequired);
  CheckFields(e, place, Kind::kNumber, {"real_time", "cpu_time"}, Presence::kRequired);
  CheckOneOf(e, place, "run_type", {"iteration", "aggregate"});
  CheckOneOf(e, place, "time_unit", {"ns", "us", "ms", "s"});
  CheckFields(e, place, Kind::kString,
              {"aggregate_name", "error_message", field::kStrategy, field::kDescriptor, field::kOp,
               field::kDirection, field::kDType, field::kLayout, field::kBandwidthLevel,
               field::kSignal, field::kRepro});
  CheckFields(e, place, Kind::kSmall, {"repetitions", "threads"});
  CheckFields(e, place, Kind::kPositive, {field::kBytes});
  CheckFields(e, place, Kind::kCount, {"repetition_index", "iterations", "family_index"});
  CheckFields(e, place, Kind::kNumber, {field::kGBps, field::kBandwidthFraction, field::kSpeedup});
  CheckFields(e, place, Kind::kBoolean, {"error_occurred"});
  CheckOneOf(e, place, field::kVerdict,
             {"pass", "FAIL", "crashed", "timed_out", "threw", "exited", "out_of_memory"});
}

constexpr double kMaxTimeNs = 1e18;

double UnitNs(const Json& unit) {
  if (unit == "s") return 1e9;
  if (unit == "ms") return 1e6;
  if (unit == "us") return 1e3;
  return 1;
}

void CheckEntry(const Json& e, const Place& place, Expect expect) {
  if (!e.is_object()) place.Refuse("is not an object");
  CheckEntryFields(e, place);
  if (e["real_time"].get<double>() < 0 || e["cpu_time"].get<double>() < 0) {
    place.Refuse("has a negative time");
  }
  // Readers convert times to nanoseconds; a time that overflows there is no time at all.
  for (const char* key : {"real_time", "cpu_time"}) {
    if (e[key].get<double>() * UnitNs(e["time_unit"]) > kMaxTimeNs) {
      place.Refuse(std::string("has \"") + key + "\": " + e[key].dump() + " " +
                   e["time_unit"].get<std::string>() + ", more than 10^18 ns (31 years)");
    }
  }
  if (expect == Expect::kPoolbench) {
    for (const char* key : {field::kStrategy, field::kDescriptor}) {
      if (!e.contains(key)) {
        place.Refuse(std::string("lacks the poolbench field \"") + key +
                     "\": not a report written by poolbench bench");
      }
    }
  }
  // Comparisons and speed-ups divide by the time of every repetition that ran.
  const bool ran = !e.value("error_occurred", false) && e.value(field::kVerdict, "pass") == "pass";
  if (ran && e["run_type"] == "iteration" && e["real_time"].get<double>() <= 0) {
    place.Refuse("has real_time " + e["real_time"].dump() +
                 ": a run without an error must have a positive time");
  }
}

}  // namespace

std::optional<std::pair<int, int>> ParseShard(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  int i = 0, n = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  const auto a = std::from_chars(begin, begin + slash, i);
  const auto b = std::from_chars(begin + slash + 1, end, n);
  if (a.ec != std::errc() || a.ptr != begin + slash || b.ec != std::errc() || b.ptr != end) {
    return std::nullopt;
  }
  if (i < 1 || n < i) return std::nullopt;
  return std::pair{i, n};
}

namespace {

void CheckContext(const Json& c, const std::string& what, Expect expect) {
  const Place place{what, "context"};
  CheckFields(c, place, Kind::kPositive, {ctx::kVersion},
              expect == Expect::kPoolbench ? Presence::kRequired : Presence::kOptional);
  CheckFields(c, place, Kind::kPositive, {ctx::kOmpThreads});
  CheckFields(c, place, Kind::kString,
              {ctx::kMachine, ctx::kCompiler, ctx::kFlags, ctx::kBuildType, ctx::kGitRevision,
               ctx::kShard});
  if (const auto it = c.find(ctx::kShard); it != c.end() && !ParseShard(it->get<std::string>())) {
    place.Refuse(std::string("has \"") + ctx::kShard + "\": " + it->dump() +
                 ", expected \"I/N\" with 1 <= I <= N < 2^31");
  }
  CheckFields(c, place, Kind::kArray,
              {ctx::kSkipped, ctx::kMergedFrom, ctx::kMissingPeers, ctx::kPeers});
  if (const auto it = c.find(ctx::kBandwidth); it != c.end()) {
    try {
      BandwidthFromJson(*it);
    } catch (const ReportError& e) {
      throw ReportError(what + ": " + e.what());
    }
  }
  // Lists of objects whose every field is a string.
  const auto list = [&](const char* key, std::initializer_list<const char*> keys) {
    if (!c.contains(key)) return;
    for (size_t i = 0; i < c[key].size(); ++i) {
      const Place at{what, std::string("context.") + key + "[" + std::to_string(i) + "]"};
      if (!c[key][i].is_object()) at.Refuse("is not an object");
      CheckFields(c[key][i], at, Kind::kString, keys, Presence::kRequired);
    }
  };
  list(ctx::kSkipped, {"strategy", "descriptor", "reason"});
  list(ctx::kMergedFrom, {"file"});
  list(ctx::kMissingPeers, {"name", "reason"});
  if (const auto it = c.find(ctx::kPeers); it != c.end()) {
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) {
        Place{what, std::string("context.") + ctx::kPeers + "[" + std::to_string(i) + "]"}.Refuse(
            "is not a string");
      }
    }
  }
}

// What tells one entry from another: Google Benchmark writes each repetition of a run under one
// name with its own repetition_index, and each aggregate under its own name.
std::string EntryKey(const Json& e) {
  std::string key = e["name"].get<std::string>();
  key += '\0';
  key += e["run_type"].get<std::string>();
  key += '\0';
  if (const auto it = e.find("aggregate_name"); it != e.end()) key += it->get<std::string>();
  key += '\0';
  if (const auto it = e.find("repetition_index"); it != e.end()) key += it->dump();
  return key;
}

}  // namespace

void Validate(const Json& r, const std::string& what, Expect expect) {
  const Place top{what, ""};
  if (!r.is_object()) {
    top.Refuse("is not a JSON object (expected {\"context\": ..., \"benchmarks\": [...]})");
  }
  if (!r.contains("context") || !r["context"].is_object()) {
    top.Refuse("lacks the \"context\" object");
  }
  if (!r.contains("benchmarks") || !r["benchmarks"].is_array()) {
    top.Refuse("lacks the \"benchmarks\" array");
  }
  if (expect == Expect::kPoolbench && !r["context"].contains(ctx::kVersion)) {
    top.Refuse(std::string("context.") + ctx::kVersion +
               " is missing: not a report written by poolbench bench");
  }
  CheckContext(r["context"], what, expect);
  const Json& benchmarks = r["benchmarks"];
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < benchmarks.size(); ++i) {
    const Json& e = benchmarks[i];
    std::string at = "benchmarks[" + std::to_string(i) + "]";
    if (e.is_object() && e.contains("name") && e["name"].is_string()) {
      at += " (" + e["name"].get<std::string>() + ")";
    }
    const Place place{what, at};
    CheckEntry(e, place, expect);
    // A repeated entry would count its samples twice in compare and its group twice in render.
    if (!seen.insert(EntryKey(e)).second) {
      place.Refuse(
          "repeats an earlier entry (same name, run_type, aggregate_name and "
          "repetition_index)");
    }
  }
}

namespace {

// A SAX pass that only follows the nesting depth and stops at the first value nested deeper
// than kMaxDepth. (nlohmann::json's parser callback would do the same in one pass, but its DOM
// builder with callbacks grows superlinearly with the length of an array.)
class DepthLimit : public nlohmann::json_sax<Json> {
 public:
  bool too_deep = false;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return Enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return Leave(); }
  bool start_array(std::size_t) override { return Enter(); }
  bool end_array() override { return Leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  int depth_ = 0;
  bool Enter() {
    too_deep = ++depth_ > kMaxDepth;
    return !too_deep;
  }
  bool Leave() {
    --depth_;
    return true;
  }
};

}  // namespace

bool TooDeep(const std::string& text) {
  DepthLimit limit;
  Json::sax_parse(text, &limit);
  return limit.too_deep;
}

Json Parse(const std::string& text, const std::string& what) {
  // The parser keeps its own stack on the heap, but dump(), copies and every reader recurse into
  // nested values on the machine stack: a context nested 100,000 deep would overflow it. The
  // depth is checked first, in a pass that builds nothing.
  if (TooDeep(text)) {
    throw ReportError(what + ": nested deeper than " + std::to_string(kMaxDepth) +
                      " levels; a report is a few levels deep");
  }
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw ReportError(what + ": not valid JSON: " + e.what());
  }
}

Json Read(const std::string& path, Expect expect) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ReportError(path + ": is a directory, not a report");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReportError(path + ": cannot open report");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ReportError(path + ": cannot read report");
  Json r = Parse(text.str(), path);
  Validate(r, path, expect);
  return r;
}

}  // namespace poolbench::report
