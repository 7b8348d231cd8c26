// Fuzz target: the journal reader (harness/report/journal), which `bench --resume` trusts with
// the results of an interrupted run. Any text either reads as a journal whose records are what
// the benchmark runner resumes from (entries with a run_name, skipped pairs with a strategy and
// a descriptor), or throws JournalError.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "report/journal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace poolbench::report;
  const std::string text(reinterpret_cast<const char*>(data), size);
  JournalContents j;
  try {
    j = ParseJournal(text, "fuzz.journal");
  } catch (const JournalError&) {
    return 0;
  }
  if (j.valid_bytes > text.size()) std::abort();
  if (!SettingsDifferences(j.settings, j.settings).empty()) std::abort();
  if (j.report.is_null()) return 0;
  const Json& context = j.report.at("context");
  if (!context.is_object() || !context.at("skipped").is_array()) std::abort();
  for (const Json& e : j.report.at("benchmarks")) {
    if (!e.at("run_name").is_string()) std::abort();
  }
  for (const Json& s : context.at("skipped")) {
    if (!s.at("strategy").is_string() || !s.at("descriptor").is_string()) std::abort();
  }
  (void)j.report.dump();
  return 0;
}
