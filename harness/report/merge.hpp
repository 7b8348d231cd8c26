// Joining the reports of a sharded run (`poolbench bench --shard I/N` splits a suite by
// problem) into one report, so that CI can bench on several machines or jobs and still gate
// and render one result.
#pragma once

#include <string>
#include <vector>

#include "report/model.hpp"

namespace poolbench::report {

struct MergeInput {
  std::string file;  // names the input in errors and in context.merged_from
  Run run;           // read by report::Read(..., Expect::kPoolbench)
};

struct MergeResult {
  Run run;
  // Things worth telling the user that do not make the merge wrong: inputs built from
  // different revisions or compilers, measured on different machines, shards missing from an
  // I/N set, inputs that are partial reports.
  std::vector<std::string> warnings;
};

// The merged run: the first input's context, without its shard (the result is no longer one
// shard), with merged_from naming each input (an input that is itself a merge contributes its
// own list), the inputs' peers, Python strategies and skipped pairs joined, and an incomplete
// mark when any input has one (its counts summed), so that a partial report never passes for a
// complete one. Results are concatenated in input order and derived again. Throws ReportError
// for fewer than two inputs, a result present in two inputs (naming it and both files), or
// shards of different counts ("1/2" with "2/3").
MergeResult Merge(const std::vector<MergeInput>& inputs);

}  // namespace poolbench::report
