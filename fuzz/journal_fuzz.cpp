// Fuzz target: the journal reader (harness/report/journal), which `bench --resume` trusts with
// the results of an interrupted run. Any text either reads as a journal whose records make a
// valid report (entries with a run_name, skipped pairs with a strategy and a descriptor, every
// value report::Validate asks for) that writes back as JSON, or throws JournalError.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "report/journal.hpp"
#include "report/report.hpp"
#include "report/writer.hpp"

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
  if (!j.run) return 0;
  // What the runner resumes from: results with their names, skipped pairs with theirs.
  for (const Result& r : j.run->results) {
    if (r.name.empty()) std::abort();
  }
  (void)Text(ToJson(*j.run));
  return 0;
}
