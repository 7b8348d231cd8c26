// Fuzz target: the report reader (harness/report/reader). Any text either parses and validates,
// in which case the model it reads into serves every view (render's summary, Markdown and CSV,
// compare against itself, the writer and a second read of what it wrote), or throws ReportError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compare/compare.hpp"
#include "render/comparison.hpp"
#include "render/render.hpp"
#include "report/reader.hpp"
#include "report/writer.hpp"

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
  const report::Run run = report::FromJson(r);
  try {
    (void)render::ComparisonMarkdown(compare::Compare(run, run, {}));
  } catch (const report::ReportError&) {
  }
  if (!r["context"].contains(report::ctx::kVersion)) return 0;
  (void)render::Markdown(run);
  (void)render::Csv(run);
  // What the writer writes of a valid report is a valid report.
  const report::Json written = report::ToJson(run);
  report::Validate(written, "written", report::Expect::kPoolbench);
  return 0;
}
