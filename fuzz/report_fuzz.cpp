// Fuzz target: the report reader (harness/report/reader). Any text either parses and validates,
// in which case every reader of a report (render's summary, Markdown and CSV, compare against
// itself) works on it without crashing, or throws ReportError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compare/compare.hpp"
#include "render/render.hpp"
#include "report/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace poolbench;
  const std::string text(reinterpret_cast<const char*>(data), size);
  report::Json r;
  try {
    r = report::Parse(text, "fuzz.json");
    report::Validate(r, "fuzz.json", report::Expect::kGoogleBenchmark);
  } catch (const report::ReportError&) {
    return 0;
  }
  try {
    (void)compare::ToMarkdown(compare::Compare(r, r, {}));
  } catch (const report::ReportError&) {
  }
  try {
    report::Validate(r, "fuzz.json", report::Expect::kPoolbench);
  } catch (const report::ReportError&) {
    return 0;
  }
  (void)render::Markdown(r);
  (void)render::Csv(r);
  (void)report::Text(r);
  return 0;
}
