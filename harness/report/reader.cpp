#include "report/reader.hpp"

#include <charconv>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "io/input_file.hpp"
#include "poolbench/descriptor.hpp"
#include "report/schema.hpp"

namespace poolbench::report {
namespace {

constexpr double kMaxTimeNs = 1e18;

// Where in which report: "run.json: benchmarks[3] (name)".
struct Place {
  const std::string& what;
  std::string at;

  [[noreturn]] void Refuse(const std::string& why) const {
    throw ReportError(what + ": " + at + (at.empty() ? "" : " ") + why);
  }
};

double UnitNs(const std::string& unit) {
  if (unit == "s") return 1e9;
  if (unit == "ms") return 1e6;
  if (unit == "us") return 1e3;
  return 1;
}

double TimeNs(const Json& e, const char* key) {
  return e.at(key).get<double>() * UnitNs(e.at("time_unit").get<std::string>());
}

bool IsError(const Json& e) { return e.value("error_occurred", false); }

// The version a report says it has, refused before anything else is checked: a report of a
// newer format may mean something else by the same fields.
void CheckVersion(const Json& context, const std::string& what, Expect expect) {
  const auto it = context.find(ctx::kVersion);
  if (it == context.end()) {
    if (expect == Expect::kGoogleBenchmark) return;
    throw ReportError(what + ": context." + ctx::kVersion +
                      " is missing: not a report written by poolbench bench");
  }
  const bool known = it->is_number_integer() && *it >= kOldestVersion && *it <= kVersion;
  if (!known) {
    throw ReportError(
        what + ": report format version " + Quote(*it) + "; this poolbench reads " + "versions " +
        std::to_string(kOldestVersion) + " to " + std::to_string(kVersion) +
        (it->is_number() && *it > kVersion ? " (written by a newer poolbench?)" : ""));
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
  if (const auto it = e.find("repetition_index"); it != e.end()) key += Quote(*it);
  return key;
}

// What every entry of one run_name must agree on: they measured the same thing.
Json Identity(const Json& e) {
  Json id = Json::object();
  for (const char* key : {field::kStrategy, field::kDescriptor, "threads", field::kBytes}) {
    if (const auto it = e.find(key); it != e.end()) id[key] = *it;
  }
  return id;
}

// A poolbench entry names its problem three ways (run_name, descriptor, op/direction/dtype/
// layout): they must say the same, or a view would show one problem's time under another.
void CheckDescriptor(const Json& e, const Place& place) {
  const std::string& d = e[field::kDescriptor].get_ref<const std::string&>();
  Problem p;
  try {
    p = ParseDescriptor(d);
  } catch (const DescriptorError& error) {
    place.Refuse(std::string("has a bad descriptor: ") + error.what());
  }
  if (const std::string invalid = poolbench::Validate(p); !invalid.empty()) {
    place.Refuse("has descriptor \"" + d + "\" of an invalid problem: " + invalid);
  }
  if (FormatDescriptor(p) != d) {
    place.Refuse("has descriptor \"" + d + "\", which is not in canonical form (" +
                 FormatDescriptor(p) + ")");
  }
  // The canonical form starts OP:DIR:DTYPE:LAYOUT.
  size_t start = 0;
  for (const char* key : {field::kOp, field::kDirection, field::kDType, field::kLayout}) {
    const size_t end = d.find(':', start);
    const std::string token = d.substr(start, end - start);
    if (e[key] != token) {
      place.Refuse(std::string("has \"") + key + "\": " + Quote(e[key]) + " but its descriptor " +
                   d + " says \"" + token + "\"");
    }
    start = end + 1;
  }
  const std::string expected =
      ResultName(e[field::kStrategy].get<std::string>(), d, e["threads"].get<int>());
  if (e["run_name"] != expected) {
    place.Refuse("has run_name " + Quote(e["run_name"]) + " but is " + expected +
                 " by its strategy, descriptor and threads");
  }
}

void CheckEntry(const Json& e, const Place& place, bool poolbench) {
  // Readers convert times to nanoseconds; a time that overflows there is no time at all.
  for (const char* key : {"real_time", "cpu_time"}) {
    if (TimeNs(e, key) > kMaxTimeNs) {
      place.Refuse(std::string("has \"") + key + "\": " + Quote(e[key]) + " " +
                   e["time_unit"].get<std::string>() + ", more than 10^18 ns (31 years)");
    }
  }
  // Comparisons and speed-ups divide by the time of every repetition that ran.
  const bool ran = !IsError(e) && e.value(field::kVerdict, "pass") == "pass";
  if (ran && e["run_type"] == "iteration" && e["real_time"].get<double>() <= 0) {
    place.Refuse("has real_time " + Quote(e["real_time"]) +
                 ": a run without an error must have a positive time");
  }
  if (poolbench) CheckDescriptor(e, place);
}

void CheckContext(const Json& c, const std::string& what) {
  const Place place{what, "context"};
  if (const auto it = c.find(ctx::kShard); it != c.end() && !ParseShard(it->get<std::string>())) {
    place.Refuse(std::string("has \"") + ctx::kShard + "\": " + Quote(*it) +
                 ", expected \"I/N\" with 1 <= I <= N < 2^31");
  }
  if (const auto it = c.find(ctx::kBandwidth); it != c.end()) {
    try {
      BandwidthFromJson(*it);
    } catch (const ReportError& e) {
      throw ReportError(what + ": " + e.what());
    }
  }
}

std::string StringOr(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> OptionalString(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

Context ContextOf(const Json& c) {
  Context out;
  out.facts = c;
  out.version = c.value(ctx::kVersion, kVersion);
  out.machine = StringOr(c, ctx::kMachine);
  out.compiler = StringOr(c, ctx::kCompiler);
  out.flags = StringOr(c, ctx::kFlags);
  out.build_type = StringOr(c, ctx::kBuildType);
  out.git_revision = StringOr(c, ctx::kGitRevision);
  out.date = StringOr(c, "date");
  out.host_name = StringOr(c, "host_name");
  if (const auto it = c.find("num_cpus"); it != c.end() && it->is_number_integer()) {
    out.num_cpus = it->get<int>();
  }
  for (const Json& p : c.value(ctx::kPeers, Json::array())) out.peers.push_back(p);
  for (const Json& m : c.value(ctx::kMissingPeers, Json::array())) {
    out.missing_peers.push_back({m.at("name"), m.at("reason")});
  }
  if (const auto it = c.find(ctx::kBandwidth); it != c.end()) {
    out.bandwidth = BandwidthFromJson(*it);
  }
  for (const Json& s : c.value(ctx::kSkipped, Json::array())) {
    out.skipped.push_back({s.at(field::kStrategy), s.at(field::kDescriptor), s.at("reason")});
  }
  // Warnings are derived again from the facts, so that reports written before a kind of warning
  // existed get it too.
  out.warnings = MachineWarnings(c);
  out.shard = OptionalString(c, ctx::kShard);
  for (const Json& m : c.value(ctx::kMergedFrom, Json::array())) {
    out.merged_from.push_back({m.at("file"), OptionalString(m, "host_name"),
                               OptionalString(m, ctx::kMachine), OptionalString(m, ctx::kShard),
                               OptionalString(m, ctx::kGitRevision), OptionalString(m, "date")});
  }
  if (const auto it = c.find(ctx::kIncomplete); it != c.end()) {
    out.incomplete = Incomplete{it->at("signal"), it->at("entries"), it->at("problems_done"),
                                it->at("problems"), it->at("journal")};
  }
  if (const auto it = c.find(ctx::kSettings); it != c.end()) out.settings = *it;
  if (const auto it = c.find(ctx::kOrigins); it != c.end()) out.origins = *it;
  return out;
}

namespace {

// The fields every entry of a result carries, from its first entry.
Result Begin(const Json& e) {
  Result r;
  r.name = e.at("run_name");
  r.strategy = StringOr(e, field::kStrategy);
  r.descriptor = StringOr(e, field::kDescriptor);
  r.op = StringOr(e, field::kOp);
  r.direction = StringOr(e, field::kDirection);
  r.dtype = StringOr(e, field::kDType);
  r.layout = StringOr(e, field::kLayout);
  r.threads = e.value("threads", 1);
  if (const auto it = e.find(field::kBytes); it != e.end()) r.bytes_moved = it->get<int64_t>();
  return r;
}

std::optional<double> OptionalNumber(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

Interference InterferenceOf(const Json& j) {
  Interference i;
  i.wall_ns = j.value("wall_ns", 0.0);
  i.cpu_ns = j.value("cpu_ns", 0.0);
  i.involuntary_switches = j.value("involuntary_switches", int64_t{0});
  i.run_delay_ns = OptionalNumber(j, "run_delay_ns");
  i.steal_ns = OptionalNumber(j, "steal_ns");
  i.other_busy_cpus = OptionalNumber(j, "other_busy_cpus");
  i.unmeasured = StringOr(j, "unmeasured");
  return i;
}

// Adds one entry to its result: a repetition's sample, the failure that replaces the samples, or
// the median (else mean) aggregate the statistic falls back to.
void Add(Result& r, const Json& e, std::optional<double>& mean_ns) {
  const std::string verdict = StringOr(e, field::kVerdict);
  if (IsError(e) || (!verdict.empty() && verdict != "pass")) {
    if (!r.Failed()) {
      // An error entry whose verdict says nothing else (none, or "pass") is an error.
      const Verdict v = ParseVerdict(verdict).value_or(Verdict::kError);
      r.verdict = v == Verdict::kPass ? Verdict::kError : v;
      r.error_message = StringOr(e, "error_message");
      r.signal = StringOr(e, field::kSignal);
      r.repro = StringOr(e, field::kRepro);
    }
    return;
  }
  if (e.at("run_type") == "iteration") {
    Sample s;
    s.real_ns = TimeNs(e, "real_time");
    s.cpu_ns = TimeNs(e, "cpu_time");
    s.iterations = e.value("iterations", int64_t{0});
    s.process = e.value(field::kProcess, 0);
    s.disturbance = StringOr(e, field::kDisturbance);
    if (const auto it = e.find(field::kInterference); it != e.end()) {
      s.interference = InterferenceOf(*it);
    }
    r.samples.push_back(std::move(s));
    return;
  }
  const std::string aggregate = StringOr(e, "aggregate_name");
  if (aggregate == "median") r.aggregate_ns = TimeNs(e, "real_time");
  if (aggregate == "mean") mean_ns = TimeNs(e, "real_time");
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

void Validate(const Json& r, const std::string& what, Expect expect) {
  if (!r.is_object() || !r.contains("context") || !r["context"].is_object()) {
    throw ReportError(what +
                      ": is not a report: expected a JSON object with a \"context\" "
                      "object and a \"benchmarks\" array");
  }
  CheckVersion(r["context"], what, expect);
  const bool poolbench = r["context"].contains(ctx::kVersion);
  CheckSchema(r, what, poolbench ? Contract::kPoolbench : Contract::kGoogleBenchmark);
  CheckContext(r["context"], what);
  const Json& benchmarks = r["benchmarks"];
  std::unordered_set<std::string> seen;
  std::unordered_map<std::string, Json> identity;  // by run_name
  for (size_t i = 0; i < benchmarks.size(); ++i) {
    const Json& e = benchmarks[i];
    const Place place{
        what, "benchmarks[" + std::to_string(i) + "] (" + e["name"].get<std::string>() + ")"};
    CheckEntry(e, place, poolbench);
    // A repeated entry would count its samples twice in compare and its result twice in render.
    if (!seen.insert(EntryKey(e)).second) {
      place.Refuse(
          "repeats an earlier entry (same name, run_type, aggregate_name and "
          "repetition_index)");
    }
    const auto [it, fresh] = identity.try_emplace(e["run_name"].get<std::string>(), Identity(e));
    if (!fresh && it->second != Identity(e)) {
      place.Refuse("disagrees with an earlier entry of run " + Quote(e["run_name"]) + ": " +
                   Quote(Identity(e)) + " against " + Quote(it->second));
    }
  }
}

std::vector<Result> ResultsOf(const Json& benchmarks) {
  std::vector<Result> results;
  std::map<std::string, size_t> slot;
  std::vector<std::optional<double>> means;
  for (const Json& e : benchmarks) {
    const std::string& name = e.at("run_name").get_ref<const std::string&>();
    const auto [it, fresh] = slot.try_emplace(name, results.size());
    if (fresh) {
      results.push_back(Begin(e));
      means.emplace_back();
    }
    Add(results[it->second], e, means[it->second]);
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].aggregate_ns) results[i].aggregate_ns = means[i];
  }
  return results;
}

Run FromJson(const Json& report) {
  Run run;
  run.context = ContextOf(report.at("context"));
  run.results = ResultsOf(report.at("benchmarks"));
  Derive(run);
  return run;
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
  } catch (const Json::exception& e) {
    throw ReportError(what + ": not valid JSON: " + e.what());
  }
}

Json ReadJson(const std::string& path, Expect expect) {
  std::string text;
  try {
    text = ReadInputFile(path, kMaxReportBytes, "report");
  } catch (const InputFileError& e) {
    throw ReportError(e.what());
  }
  Json r = Parse(text, path);
  Validate(r, path, expect);
  return r;
}

Run Read(const std::string& path, Expect expect) { return FromJson(ReadJson(path, expect)); }

}  // namespace poolbench::report
