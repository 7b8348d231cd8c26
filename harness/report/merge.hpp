// Joining the reports of a sharded run (`poolbench bench --shard I/N` splits a suite by
// problem) into one report, so that CI can bench on several machines or jobs and still gate
// and render one result.
#pragma once

#include <string>
#include <vector>

#include "report/report.hpp"

namespace poolbench::report {

struct MergeInput {
  std::string file;  // names the input in errors and in context.merged_from
  Json report;       // read by report::Read(..., Expect::kPoolbench)
};

struct MergeResult {
  Json report;
  // Things worth telling the user that do not make the merge wrong: inputs built from
  // different revisions or compilers, or shards missing from an I/N set.
  std::vector<std::string> warnings;
};

// The merged report: the first input's context, without its "shard" (the result is no longer
// one shard), plus "merged_from": [{file, host_name, machine, shard, git_revision, date}] for
// each input (an input that is itself a merge contributes its own merged_from list), and the
// inputs' "skipped" lists concatenated. Benchmarks are concatenated in input order, their
// family_index renumbered so that families stay distinct. Throws ReportError for fewer than
// two inputs, an input without context.poolbench_report_version, differing versions, or a
// benchmark name present in two inputs (naming the name and both files).
MergeResult Merge(const std::vector<MergeInput>& inputs);

}  // namespace poolbench::report
