#include "report/reader.hpp"

#include <cmath>
#include <fstream>
#include <initializer_list>

#include "report/roofline.hpp"

namespace poolbench::report {
namespace {

// The JSON types and ranges a field may be required to have.
enum class Kind { kString, kNumber, kBoolean, kCount, kPositive, kArray, kObject };

bool Is(const Json& v, Kind kind) {
  switch (kind) {
    case Kind::kString:
      return v.is_string();
    case Kind::kNumber:
      return v.is_number() && std::isfinite(v.get<double>());
    case Kind::kBoolean:
      return v.is_boolean();
    case Kind::kCount:
      return v.is_number_integer() && (v.is_number_unsigned() || v.get<int64_t>() >= 0);
    case Kind::kPositive:
      return Is(v, Kind::kCount) && v != 0;
    case Kind::kArray:
      return v.is_array();
    case Kind::kObject:
      return v.is_object();
  }
  return false;
}

const char* KindName(Kind kind) {
  static constexpr const char* kNames[] = {"a string",        "a finite number", "a boolean",
                                           "an integer >= 0", "an integer >= 1", "an array",
                                           "an object"};
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
  CheckFields(e, place, Kind::kPositive, {"repetitions", "threads", field::kBytes});
  CheckFields(e, place, Kind::kCount, {"repetition_index", "iterations", "family_index"});
  CheckFields(e, place, Kind::kNumber, {field::kGBps, field::kBandwidthFraction, field::kSpeedup});
  CheckFields(e, place, Kind::kBoolean, {"error_occurred"});
  CheckOneOf(e, place, field::kVerdict,
             {"pass", "FAIL", "crashed", "timed_out", "threw", "exited", "out_of_memory"});
}

void CheckEntry(const Json& e, const Place& place, Expect expect) {
  if (!e.is_object()) place.Refuse("is not an object");
  CheckEntryFields(e, place);
  if (e["real_time"].get<double>() < 0 || e["cpu_time"].get<double>() < 0) {
    place.Refuse("has a negative time");
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

void CheckContext(const Json& c, const std::string& what, Expect expect) {
  const Place place{what, "context"};
  CheckFields(c, place, Kind::kPositive, {ctx::kVersion},
              expect == Expect::kPoolbench ? Presence::kRequired : Presence::kOptional);
  CheckFields(c, place, Kind::kPositive, {ctx::kOmpThreads});
  CheckFields(c, place, Kind::kString,
              {ctx::kMachine, ctx::kCompiler, ctx::kFlags, ctx::kBuildType, ctx::kGitRevision,
               ctx::kShard});
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
  for (size_t i = 0; i < benchmarks.size(); ++i) {
    const Json& e = benchmarks[i];
    std::string at = "benchmarks[" + std::to_string(i) + "]";
    if (e.is_object() && e.contains("name") && e["name"].is_string()) {
      at += " (" + e["name"].get<std::string>() + ")";
    }
    CheckEntry(e, Place{what, at}, expect);
  }
}

Json Read(const std::string& path, Expect expect) {
  std::ifstream in(path);
  if (!in) throw ReportError(path + ": cannot open report");
  Json r;
  try {
    r = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw ReportError(path + ": not valid JSON: " + e.what());
  }
  Validate(r, path, expect);
  return r;
}

}  // namespace poolbench::report
