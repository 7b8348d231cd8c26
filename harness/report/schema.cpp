#include "report/schema.hpp"

#include <memory>
#include <vector>

#include "report/report.hpp"

// GCC 12 reports a -Wrestrict false positive inside valijson's JSON-pointer code once it is
// inlined into this file's functions (std::string::replace with a length it cannot bound; GCC
// bug 105329), so the warning is off for the whole file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "poolbench_report_schema.hpp"

namespace poolbench::report {
namespace {

// The schema for a contract: the whole file, or the file with its root replaced by a
// reference to the Google Benchmark definition (draft-07 ignores a $ref's siblings, so the
// root's own keywords are dropped).
Json SchemaDocument(Contract contract) {
  Json doc = Json::parse(kSchemaText);
  if (contract == Contract::kPoolbench) return doc;
  return {{"$schema", doc.at("$schema")},
          {"$ref", "#/definitions/google_benchmark_report"},
          {"definitions", doc.at("definitions")}};
}

const Json& DocumentOf(Contract contract) {
  static const Json poolbench = SchemaDocument(Contract::kPoolbench);
  static const Json google = SchemaDocument(Contract::kGoogleBenchmark);
  return contract == Contract::kPoolbench ? poolbench : google;
}

const valijson::Schema& SchemaOf(Contract contract) {
  // Parsed once per contract; valijson's Schema is immutable once built.
  static const auto parse = [](Contract c) {
    auto schema = std::make_unique<valijson::Schema>();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(DocumentOf(c));
    parser.populateSchema(adapter, *schema);
    return schema;
  };
  static const std::unique_ptr<valijson::Schema> poolbench = parse(Contract::kPoolbench);
  static const std::unique_ptr<valijson::Schema> google = parse(Contract::kGoogleBenchmark);
  return contract == Contract::kPoolbench ? *poolbench : *google;
}

// The path of valijson's context ["<root>", "[benchmarks]", "[3]", "[real_time]"]: its keys and
// indices.
std::vector<std::string> PathOf(const std::vector<std::string>& context) {
  std::vector<std::string> out;
  for (const std::string& part : context) {
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      out.push_back(part.substr(1, part.size() - 2));
    }
  }
  return out;
}

bool IsIndex(const std::string& key) {
  return !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
}

// The subschema that `path` leads to from the schema's root, following local $refs, properties,
// additionalProperties and items; null when the path leads through anything else.
const Json* SubschemaAt(const Json& doc, const std::vector<std::string>& path) {
  const auto follow = [&](const Json* s) {
    for (int hops = 0; s && s->is_object() && s->contains("$ref") && hops < 8; ++hops) {
      const std::string ref = (*s)["$ref"];
      if (ref.rfind("#/", 0) != 0) return static_cast<const Json*>(nullptr);
      const Json::json_pointer pointer(ref.substr(1));
      s = doc.contains(pointer) ? &doc[pointer] : nullptr;
    }
    return s;
  };
  const Json* s = follow(&doc);
  for (const std::string& key : path) {
    if (!s || !s->is_object()) return nullptr;
    if (IsIndex(key) && s->contains("items")) {
      s = follow(&(*s)["items"]);
    } else if (s->contains("properties") && (*s)["properties"].contains(key)) {
      s = follow(&(*s)["properties"][key]);
    } else if (s->contains("additionalProperties") && (*s)["additionalProperties"].is_object()) {
      s = follow(&(*s)["additionalProperties"]);
    } else {
      return nullptr;
    }
  }
  return s;
}

// What the schema expects where a value's type or value was refused: "expected a number",
// "expected one of "ns", "us""; empty when the schema does not say it plainly there.
std::string Expected(const Json& doc, const std::vector<std::string>& path) {
  const Json* s = SubschemaAt(doc, path);
  if (!s || !s->is_object()) return "";
  if (s->contains("enum")) {
    std::string list;
    for (const Json& v : (*s)["enum"]) list += (list.empty() ? "" : ", ") + v.dump();
    return "expected one of " + list;
  }
  if (s->contains("type")) {
    std::string types;
    const Json& t = (*s)["type"];
    for (const Json& one : t.is_array() ? t : Json::array({t})) {
      types += (types.empty() ? "" : " or ") + one.get<std::string>();
    }
    return "expected " + types;
  }
  return "";
}

// valijson's context ["<root>", "[benchmarks]", "[3]", "[real_time]"] as
// "benchmarks[3].real_time", the entry's name when the path is inside one, and the value there.
std::string Where(const Json& report, const std::vector<std::string>& context) {
  std::string path;
  const Json* at = &report;
  std::string entry_name;
  for (const std::string& part : context) {
    if (part.size() < 2 || part.front() != '[' || part.back() != ']') continue;
    const std::string key = part.substr(1, part.size() - 2);
    const bool index = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
    path += index ? "[" + key + "]" : (path.empty() ? "" : ".") + key;
    if (!at) continue;
    if (index && at->is_array() && std::stoull(key) < at->size()) {
      at = &(*at)[std::stoull(key)];
    } else if (!index && at->is_object() && at->contains(key)) {
      at = &(*at)[key];
    } else {
      at = nullptr;
    }
    if (at && path.rfind("benchmarks[", 0) == 0 && entry_name.empty() && at->is_object()) {
      const auto name = at->find("name");
      if (name != at->end() && name->is_string()) entry_name = name->get<std::string>();
    }
  }
  if (path.empty()) path = "the report";
  if (!entry_name.empty()) path += " (" + entry_name + ")";
  if (at && !at->is_object() && !at->is_array()) path += " is " + Brief(*at);
  return path;
}

}  // namespace

void CheckSchema(const Json& report, const std::string& what, Contract contract) {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(report);
  if (validator.validate(SchemaOf(contract), target, &results)) return;
  // valijson reports the innermost violation first, then each enclosing value that failed
  // because of it: the first is the one that names the problem.
  valijson::ValidationResults::Error first;
  results.popError(first);
  // valijson prints every bound with six decimals: 9007199254740992.000000.
  std::string why = first.description;
  for (size_t at; (at = why.find(".000000")) != std::string::npos;) why.erase(at, 7);
  if (!why.empty() && why.back() == '.') why.pop_back();
  // Two of valijson's messages do not say what was expected; the schema does.
  if (why.rfind("Value type not permitted", 0) == 0 ||
      why.rfind("Failed to match against any enum", 0) == 0) {
    if (std::string expected = Expected(DocumentOf(contract), PathOf(first.context));
        !expected.empty()) {
      why = expected;
    }
  }
  throw ReportError(what + ": " + Where(report, first.context) + ": " + why +
                    (contract == Contract::kPoolbench ? " (reports/schema.json)" : ""));
}

}  // namespace poolbench::report
