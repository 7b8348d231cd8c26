// The benchmark runner: verifies each (strategy, problem) against the reference, then times the
// correct ones with Google Benchmark (registered at run time, one problem at a time so only one
// problem's buffers are alive), and returns the run as the report model (report/model.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "isolate/worker.hpp"
#include "poolbench/problem.hpp"
#include "poolbench/strategy.hpp"
#include "report/model.hpp"

namespace poolbench {

struct BenchConfig {
  std::vector<int> threads = {1};  // OpenMP thread counts for threaded strategies
  int repetitions = 1;             // per process
  // Worker processes each result is measured in, round-robin across the strategies of a
  // problem (report/statistic.hpp: processes are the independent draws).
  int processes = 1;
  // Extra rounds, at most, for results that other work disturbed in some of their processes.
  int retries = 0;
  // Count disturbed repetitions in the statistic (they are still marked, and warned about).
  bool keep_disturbed = false;
  double min_time = 0.1;  // seconds per repetition (Google Benchmark's MinTime)
  uint64_t seed = 1;      // inputs of the verification and of the timed runs
  // Seconds per cache level for the bandwidth measurement recorded in the report; 0 skips it
  // (then the report has no bandwidth fractions).
  double bandwidth_seconds = 0.1;
  std::string shard;  // "I/N", recorded in the context when the run is one shard of a suite
  // What was selected ({suite, problems, strategy} as given on the command line), recorded in
  // the context's bench_settings with the fields above.
  report::Json selection = report::Json::object();
  // Called before each problem with (index, count, descriptor), e.g. to show progress.
  std::function<void(size_t, size_t, const std::string&)> on_problem;
  // Where strategies run: in this process (the default of the library, for tests) or in worker
  // processes, one (strategy, problem) entry per task (the default of `poolbench bench`). A
  // strategy that crashes, hangs, throws, exits or runs out of memory gets an error entry with
  // that verdict; the others run on.
  isolate::Options isolation{.isolate = false, .timeout_seconds = 0, .memory_limit_bytes = 0};

  // Hooks for the journal (report/journal.hpp), called in the harness process. on_context gets
  // the report's context once, before any result. on_result gets each result as soon as it is
  // measured, as one record: {"benchmarks": [...]} with the entries of one result (a strategy
  // on a problem at a thread count: its repetitions, or its one error entry), or
  // {"skipped": {...}} with one context.skipped item.
  std::function<void(const report::Json& context)> on_context;
  std::function<void(const report::Json& record)> on_result;
  // Asked before each problem; when it says yes, the run stops there and RunBench returns the
  // report of what is done.
  std::function<bool()> stop;
  // An earlier, interrupted part of this run (its journal's): its context is kept (the
  // bandwidth is not measured again) and its results (by name) and skipped pairs are reported as
  // they are, in their places, without being run or handed to on_result again. The run returned
  // has the results of an uninterrupted run.
  const report::Run* resume = nullptr;
};

// Bytes one run reads and writes: input and output (and indices) for forward; input, output
// gradient and input gradient for backward.
int64_t BytesMoved(const Problem& p);

// The problems of shard `index` (1-based) of `count`: every count-th problem, so that each
// shard gets a similar mix and every strategy of a problem lands in the same shard.
std::vector<Problem> ShardOf(const std::vector<Problem>& problems, int index, int count);

// Runs the benchmark. Strategies that do not support a problem are listed in
// context.skipped; strategies that fail the cross-check get the verdict kWrong and are not
// timed. Each kernel is prepared once per (problem, thread count) and reused for every
// repetition. With isolation, each (strategy, problem) is verified and timed in a worker, and
// a fault gets the fault's verdict, the signal of a crash and a repro line; the bandwidth is
// measured in a worker too, so that this process never starts OpenMP threads before it forks
// (libgomp's thread pool does not survive a fork). Results are in the order of the problems,
// then of the strategies, then of the thread counts, and derived (report::Derive).
report::Run RunBench(const std::vector<const Strategy*>& strategies,
                     const std::vector<Problem>& problems, const BenchConfig& cfg);

}  // namespace poolbench
