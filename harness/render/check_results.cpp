// `poolbench check`'s results as JSON (nlohmann_json) and JUnit XML (tinyxml2).
#include "render/check_results.hpp"

#include <tinyxml2.h>

#include <map>
#include <nlohmann/json.hpp>

namespace poolbench::render {
namespace {

struct Counts {
  int pass = 0, fail = 0, skipped = 0;
};

void Count(const CheckRecord& r, Counts& c) {
  if (r.verdict == "skipped") {
    ++c.skipped;
  } else if (IsCheckFailure(r)) {
    ++c.fail;
  } else {
    ++c.pass;
  }
}

// The strategies in the order they first ran, with their counts.
std::vector<std::pair<std::string, Counts>> ByStrategy(const CheckRun& run) {
  std::vector<std::pair<std::string, Counts>> out;
  std::map<std::string, size_t> slot;
  for (const CheckRecord& r : run.records) {
    const auto [it, fresh] = slot.try_emplace(r.strategy, out.size());
    if (fresh) out.push_back({r.strategy, {}});
    Count(r, out[it->second].second);
  }
  return out;
}

// XML 1.0 allows tab, line feed, carriage return and the characters from U+0020 on (less the
// surrogates and U+FFFE/U+FFFF); a message may hold anything a strategy printed. Bytes that are
// not valid UTF-8 become U+FFFD too.
std::string XmlSafe(const std::string& text) {
  static const std::string kReplacement = "\xEF\xBF\xBD";
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        out += kReplacement;
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const int length = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    bool valid = length > 0 && i + length <= text.size();
    uint32_t cp = length == 2 ? c & 0x1F : length == 3 ? c & 0x0F : c & 0x07;
    for (int k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      cp = (cp << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and the two non-characters are refused too.
    valid = valid && !(length == 3 && cp < 0x800) &&
            !(length == 4 && (cp < 0x10000 || cp > 0x10FFFF)) && !(cp >= 0xD800 && cp <= 0xDFFF) &&
            cp != 0xFFFE && cp != 0xFFFF;
    if (valid) {
      out.append(text, i, length);
      i += length;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

// The first line of a failure's message: what differed first.
std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

bool IsCheckFailure(const CheckRecord& r) { return r.verdict != "pass" && r.verdict != "skipped"; }

std::string CheckJson(const CheckRun& run) {
  nlohmann::ordered_json strategies = nlohmann::ordered_json::object(),
                         checks = nlohmann::ordered_json::array();
  Counts total;
  for (const auto& [name, c] : ByStrategy(run)) {
    strategies[name] = {{"pass", c.pass}, {"fail", c.fail}, {"skipped", c.skipped}};
  }
  for (const CheckRecord& r : run.records) {
    Count(r, total);
    checks.push_back({{"strategy", r.strategy},
                      {"problem", r.problem},
                      {"verdict", r.verdict},
                      {"message", r.message},
                      {"repro", r.repro}});
  }
  const nlohmann::ordered_json j = {{"seed", run.seed},         {"threads", run.threads},
                                    {"problems", run.problems}, {"passed", total.pass},
                                    {"failed", total.fail},     {"skipped", total.skipped},
                                    {"strategies", strategies}, {"checks", checks}};
  // Invalid UTF-8 in a message is replaced rather than thrown on: the file is always written.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string CheckJunit(const CheckRun& run) {
  tinyxml2::XMLDocument doc;
  doc.InsertEndChild(doc.NewDeclaration());
  tinyxml2::XMLElement* suites = doc.NewElement("testsuites");
  doc.InsertEndChild(suites);
  Counts total;
  std::map<std::string, tinyxml2::XMLElement*> suite_of;
  for (const auto& [name, c] : ByStrategy(run)) {
    tinyxml2::XMLElement* suite = suites->InsertNewChildElement("testsuite");
    suite->SetAttribute("name", XmlSafe(name).c_str());
    suite->SetAttribute("tests", c.pass + c.fail + c.skipped);
    suite->SetAttribute("failures", c.fail);
    suite->SetAttribute("errors", 0);
    suite->SetAttribute("skipped", c.skipped);
    suite_of[name] = suite;
  }
  for (const CheckRecord& r : run.records) {
    Count(r, total);
    tinyxml2::XMLElement* test = suite_of.at(r.strategy)->InsertNewChildElement("testcase");
    test->SetAttribute("classname", XmlSafe("poolbench.check." + r.strategy).c_str());
    test->SetAttribute("name", XmlSafe(r.problem).c_str());
    if (r.verdict == "skipped") {
      test->InsertNewChildElement("skipped")->SetAttribute("message", XmlSafe(r.message).c_str());
    } else if (IsCheckFailure(r)) {
      tinyxml2::XMLElement* failure = test->InsertNewChildElement("failure");
      failure->SetAttribute("message", XmlSafe(FirstLine(r.message)).c_str());
      failure->SetAttribute("type", XmlSafe(r.verdict).c_str());
      failure->SetText(XmlSafe(r.message + "\nrepro: " + r.repro).c_str());
    }
  }
  suites->SetAttribute("name", "poolbench check");
  suites->SetAttribute("tests", total.pass + total.fail + total.skipped);
  suites->SetAttribute("failures", total.fail);
  suites->SetAttribute("errors", 0);
  suites->SetAttribute("skipped", total.skipped);
  tinyxml2::XMLPrinter printer;
  doc.Print(&printer);
  return printer.CStr();
}

}  // namespace poolbench::render
