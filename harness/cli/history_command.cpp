// poolbench history: results across commits and machines in a SQLite file. `history add` stores
// bench reports as the points of one commit on their machines (several at once in one
// transaction, for a CI fan-in job), `history show` prints each machine's trend of each benchmark
// with the steps found in it, `history html` writes the same as a self-contained page of charts,
// `history migrate` converts a history of an older schema.
#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/pattern.hpp"
#include "history/render.hpp"
#include "history/store.hpp"
#include "history/trends.hpp"
#include "io/atomic_file.hpp"
#include "report/reader.hpp"

namespace poolbench::cli {
namespace {

struct AddOptions {
  std::vector<std::string> reports, machines;
  std::string db;
  history::RunInfo run;
  bool replace = false;
  bool allow_incomplete = false;
};

struct ViewOptions {
  std::string db, filter = ".", out, title = "poolbench history", machine, benchmark;
  history::ChangePointOptions steps;
};

void RunAdd(const AddOptions& opt) {
  if (!opt.machines.empty() && opt.machines.size() != opt.reports.size()) {
    throw CLI::ValidationError("--machine", "give one --machine per report, in their order (" +
                                                std::to_string(opt.reports.size()) + " reports, " +
                                                std::to_string(opt.machines.size()) + " machines)");
  }
  // The database is written: never over a report it reads (or poolbench, or a plugin).
  OutputTarget(opt.db);
  CheckOutputs({{"--db", opt.db}}, opt.reports);
  // Every report is read and checked before the database is opened: one bad report adds nothing.
  std::vector<report::Run> reports;
  reports.reserve(opt.reports.size());
  for (const std::string& path : opt.reports) {
    reports.push_back(report::Read(path, report::Expect::kGoogleBenchmark));
    // A partial report would become the commit's results with most benchmarks missing, and
    // every later commit would look like it added them.
    if (reports.back().context.incomplete && !opt.allow_incomplete) {
      const report::Incomplete& i = *reports.back().context.incomplete;
      throw CLI::ValidationError(
          "REPORT", path + " is the partial report of an interrupted bench (" +
                        std::to_string(i.problems_done) + " of " + std::to_string(i.problems) +
                        " problems): finish it with `poolbench bench --resume`, or add it anyway "
                        "with --allow-incomplete" +
                        (opt.reports.size() > 1 ? " (nothing was added)" : ""));
    }
  }
  std::vector<history::NewRun> runs;
  for (size_t i = 0; i < reports.size(); ++i) {
    history::NewRun n{&reports[i], opt.run, opt.reports[i]};
    if (!opt.machines.empty()) n.run.machine = opt.machines[i];
    runs.push_back(std::move(n));
  }
  history::Store store(opt.db, history::Store::Mode::kCreate);
  if (store.migrated_from()) {
    std::cout << "migrated " << opt.db << " from schema version " << *store.migrated_from()
              << " to " << history::kSchemaVersion << "\n";
  }
  store.Add(runs, opt.replace);
  for (const history::NewRun& n : runs) {
    const size_t count = n.report->results.size();
    std::cout << "added " << count << " benchmark" << (count == 1 ? "" : "s") << " of commit "
              << opt.run.commit << " on machine " << history::MachineOf(*n.report, n.run) << " to "
              << opt.db << "\n";
  }
}

void RunMigrate(const std::string& db) {
  history::Store store(db, history::Store::Mode::kUpdate);
  if (store.migrated_from()) {
    std::cout << "migrated " << db << " from schema version " << *store.migrated_from() << " to "
              << history::kSchemaVersion << " (" << store.Runs().size()
              << " runs kept, each under the host name of its report)\n";
  } else {
    std::cout << db << " is already at schema version " << history::kSchemaVersion << "\n";
  }
}

// Joins names for a message: "a, b, c".
std::string Listed(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

history::History Load(const ViewOptions& opt) {
  const NamePattern filter(opt.filter, "--filter");
  history::Store store(opt.db, history::Store::Mode::kRead);
  history::History h;
  h.runs = store.Runs();
  if (h.runs.empty()) {
    throw history::HistoryError("history database " + opt.db +
                                " has no commits yet (poolbench history add adds one)");
  }
  if (!opt.machine.empty()) {
    const std::vector<std::string> machines = h.Machines();
    if (std::find(machines.begin(), machines.end(), opt.machine) == machines.end()) {
      throw CLI::ValidationError("--machine", "'" + opt.machine + "' is no machine of " + opt.db +
                                                  " (it has " + Listed(machines) + ")");
    }
    std::erase_if(h.runs, [&](const history::Run& r) { return r.machine != opt.machine; });
  }
  std::vector<history::Series> series = store.Load();
  std::erase_if(series, [&](const history::Series& s) {
    return !filter.Matches(s.name) || (!opt.machine.empty() && s.machine != opt.machine) ||
           (!opt.benchmark.empty() && s.name != opt.benchmark);
  });
  if (series.empty() && !opt.benchmark.empty()) {
    throw CLI::ValidationError("--benchmark",
                               "'" + opt.benchmark + "' is no benchmark in " + opt.db +
                                   (opt.machine.empty() ? "" : " on " + opt.machine) +
                                   " (history show lists them)");
  }
  if (series.empty()) {
    throw CLI::ValidationError("--filter", ShownPattern(opt.filter) + " matches no benchmark in " +
                                               opt.db +
                                               (opt.machine.empty() ? "" : " on " + opt.machine));
  }
  h.options = opt.steps;
  h.trends = history::Analyse(std::move(series), opt.steps);
  return h;
}

void RunShow(const ViewOptions& opt) {
  const history::History h = Load(opt);
  std::cout << (opt.benchmark.empty() ? history::Text(h) : history::SideBySide(h, opt.benchmark))
            << std::flush;
}

void RunHtml(const ViewOptions& opt) {
  // Never over the database it reads: the whole history would be gone.
  OutputTarget(opt.out);
  CheckOutputs({{"--out", opt.out}}, {opt.db});
  PendingFile out(opt.out);
  const history::History h = Load(opt);
  out.Write(history::Html(h, opt.title));
  out.Commit();
  std::cout << "wrote " << opt.out << " (" << h.Benchmarks() << " benchmarks, "
            << h.Commits().size() << " commits, " << h.Machines().size() << " machines, "
            << h.Steps() << " steps)\n";
}

void AddViewOptions(CLI::App& cmd, ViewOptions& opt) {
  cmd.add_option("--db", opt.db, "The history database")->required();
  cmd.add_option("--filter", opt.filter, "Only benchmarks whose name matches this regex")
      ->capture_default_str();
  cmd.add_option("--machine", opt.machine,
                 "Only this machine's series (default: every machine, each series separate)");
  cmd.add_option("--alpha", opt.steps.alpha,
                 "Significance level of a step, shared among the splits tested (Bonferroni)")
      ->capture_default_str()
      ->check(FiniteIn(0.0, 1.0));
  cmd.add_option("--min-effect", opt.steps.min_effect,
                 "Smallest change of the median time that makes a step, as a fraction")
      ->capture_default_str()
      ->check(FiniteIn(0.0, 1e6));
  cmd.add_option("--min-commits", opt.steps.min_segment,
                 "Fewest commits on each side of a step (4 lets the exact U test reach p < 0.05)")
      ->capture_default_str()
      ->check(UnsignedIn(1, 1000000));
}

void AddHistoryCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "history",
      "Keep results across commits in a SQLite file and show each benchmark's trend with the "
      "steps (change points) found in it: `history add`, `history show`, `history html`.");
  cmd->require_subcommand(1);

  auto [add, aopt] = AddSubcommand<AddOptions>(
      *cmd, "add", RunAdd,
      "Store every benchmark of bench reports as the results of one commit on their machines, "
      "all in one transaction (one bad report adds nothing). A commit already stored for a "
      "machine is refused unless --replace.");
  add->add_option("REPORT", aopt->reports,
                  "The bench reports (JSON), one per machine, e.g. a CI matrix's")
      ->required();
  add->add_option("--db", aopt->db, "The history database (created when missing)")->required();
  add->add_option("--commit", aopt->run.commit, "The commit the report measured (its SHA)")
      ->required();
  add->add_option("--date", aopt->run.date,
                  "The commit's date, ISO 8601 (default: the report's context.date)")
      ->check(NotEmpty("date"));
  add->add_option("--branch", aopt->run.branch, "The branch of the commit")->capture_default_str();
  add->add_option("--machine", aopt->machines,
                  "The machine each report ran on, one per report in their order (default: the "
                  "report's host name; give one for CI runners whose host names change)");
  add->add_flag("--replace", aopt->replace, "Replace the results of a commit already stored");
  add->add_flag("--allow-incomplete", aopt->allow_incomplete,
                "Store the partial report of an interrupted bench (refused without it)");

  auto [show, sopt] = AddSubcommand<ViewOptions>(
      *cmd, "show", RunShow,
      "Print the machines and the steps found, then each machine's time of each benchmark per "
      "commit, oldest first.");
  AddViewOptions(*show, *sopt);
  show->add_option("--benchmark", sopt->benchmark,
                   "Show this one benchmark (its full name) on every machine side by side");

  auto [html, hopt] = AddSubcommand<ViewOptions>(
      *cmd, "html", RunHtml,
      "Write a self-contained HTML page (no server, no network): the steps, the commits, and "
      "a chart per benchmark with a point per commit and each step marked.");
  AddViewOptions(*html, *hopt);
  html->add_option("-o,--out", hopt->out, "The page to write")->required();
  html->add_option("--title", hopt->title, "The page's title")->capture_default_str();

  auto [migrate, mopt] = AddSubcommand<std::string>(
      *cmd, "migrate", RunMigrate,
      "Convert a history of an older schema (version 1: one run per commit) to this poolbench's, "
      "in one transaction: each run is kept under the host name its report gave. `history add` "
      "does this itself.");
  migrate->add_option("--db", *mopt, "The history database")->required();
  cmd->footer(
      "Steps are found per benchmark and machine (a machine's series never mixes with another's) "
      "over each commit's median time: binary segmentation of the "
      "log-times, each split placed at the largest shift of their mean and kept when the "
      "Mann-Whitney U test of its two sides gives p < alpha / (splits that could be tested) and "
      "the medians "
      "differ by at least --min-effect. A step is named by its first commit; it needs "
      "--min-commits commits on each side, so a new step shows once that many commits after it "
      "are stored. Points are ordered by date: give --date in UTC or with its offset.");
}

}  // namespace

POOLBENCH_CLI_COMMAND(80, AddHistoryCommand);

}  // namespace poolbench::cli
