// The report model written as a report file: Google Benchmark's JSON format, so that its
// compare.py and CI benchmark actions read poolbench's reports, with poolbench's fields added.
// Each result becomes its repetitions (run_type "iteration"), and with several of them the
// aggregates Google Benchmark writes (mean, median, stddev, cv) computed over them; a failed
// result becomes one error entry. The derived fields (gbps, bandwidth_fraction,
// speedup_vs_reference) are written on each repetition, of its own time, and on the median, of
// the statistic.
#pragma once

#include <cstdint>
#include <string>

#include "report/model.hpp"

namespace poolbench::report {

// The entries of one result; `family` is its Google Benchmark family_index.
Json EntriesOf(const Result& result, int64_t family);

// The context as a report writes it: the facts, with the model's typed fields written over them.
Json ToJson(const Context& context);

// The whole report: the context and every result's entries, families numbered in order.
Json ToJson(const Run& run);

// Writes ToJson(run) to `path` atomically (io/atomic_file.hpp). Throws FileError.
void Save(const Run& run, const std::string& path);

}  // namespace poolbench::report
