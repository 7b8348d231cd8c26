// poolbench history: results across commits in a SQLite file. `history add` stores a bench
// report as the points of one commit, `history show` prints each benchmark's trend with the
// steps found in it, `history html` writes the same as a self-contained page of charts.
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
  std::string report, db;
  history::RunInfo run;
  bool replace = false;
  bool allow_incomplete = false;
};

struct ViewOptions {
  std::string db, filter = ".", out, title = "poolbench history";
  history::ChangePointOptions steps;
};

void RunAdd(const AddOptions& opt) {
  // The database is written: never over the report it reads (or poolbench, or a plugin).
  OutputTarget(opt.db);
  CheckOutputs({{"--db", opt.db}}, {opt.report});
  const report::Run report = report::Read(opt.report, report::Expect::kGoogleBenchmark);
  // A partial report would become the commit's results with most benchmarks missing, and every
  // later commit would look like it added them.
  if (report.context.incomplete && !opt.allow_incomplete) {
    const report::Incomplete& i = *report.context.incomplete;
    throw CLI::ValidationError(
        "REPORT", opt.report + " is the partial report of an interrupted bench (" +
                      std::to_string(i.problems_done) + " of " + std::to_string(i.problems) +
                      " problems): finish it with `poolbench bench --resume`, or add it anyway "
                      "with --allow-incomplete");
  }
  history::Store store(opt.db, history::Store::Mode::kCreate);
  const size_t n = store.Add(report, opt.run, opt.replace);
  std::cout << "added " << n << " benchmark" << (n == 1 ? "" : "s") << " of commit "
            << opt.run.commit << " to " << opt.db << "\n";
}

history::History Load(const ViewOptions& opt) {
  const NamePattern filter(opt.filter, "--filter");
  history::Store store(opt.db, history::Store::Mode::kRead);
  std::vector<history::Run> runs = store.Runs();
  if (runs.empty()) {
    throw history::HistoryError("history database " + opt.db +
                                " has no commits yet (poolbench history add adds one)");
  }
  std::vector<history::Series> series = store.Load();
  std::erase_if(series, [&](const history::Series& s) { return !filter.Matches(s.name); });
  if (series.empty()) {
    throw CLI::ValidationError("--filter",
                               ShownPattern(opt.filter) + " matches no benchmark in " + opt.db);
  }
  history::History h;
  h.runs = std::move(runs);
  h.options = opt.steps;
  h.trends = history::Analyse(std::move(series), opt.steps);
  return h;
}

void RunShow(const ViewOptions& opt) { std::cout << history::Text(Load(opt)) << std::flush; }

void RunHtml(const ViewOptions& opt) {
  // Never over the database it reads: the whole history would be gone.
  OutputTarget(opt.out);
  CheckOutputs({{"--out", opt.out}}, {opt.db});
  PendingFile out(opt.out);
  const history::History h = Load(opt);
  out.Write(history::Html(h, opt.title));
  out.Commit();
  std::cout << "wrote " << opt.out << " (" << h.trends.size() << " benchmarks, " << h.runs.size()
            << " commits, " << h.Steps() << " steps)\n";
}

void AddViewOptions(CLI::App& cmd, ViewOptions& opt) {
  cmd.add_option("--db", opt.db, "The history database")->required();
  cmd.add_option("--filter", opt.filter, "Only benchmarks whose name matches this regex")
      ->capture_default_str();
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
      "Store every benchmark of a bench report as the results of one commit (in one "
      "transaction). A commit already stored is refused unless --replace.");
  add->add_option("REPORT", aopt->report, "The bench report (JSON)")->required();
  add->add_option("--db", aopt->db, "The history database (created when missing)")->required();
  add->add_option("--commit", aopt->run.commit, "The commit the report measured (its SHA)")
      ->required();
  add->add_option("--date", aopt->run.date,
                  "The commit's date, ISO 8601 (default: the report's context.date)")
      ->check(NotEmpty("date"));
  add->add_option("--branch", aopt->run.branch, "The branch of the commit")->capture_default_str();
  add->add_flag("--replace", aopt->replace, "Replace the results of a commit already stored");
  add->add_flag("--allow-incomplete", aopt->allow_incomplete,
                "Store the partial report of an interrupted bench (refused without it)");

  auto [show, sopt] = AddSubcommand<ViewOptions>(
      *cmd, "show", RunShow,
      "Print the steps found, then each benchmark's time per commit, oldest first.");
  AddViewOptions(*show, *sopt);

  auto [html, hopt] = AddSubcommand<ViewOptions>(
      *cmd, "html", RunHtml,
      "Write a self-contained HTML page (no server, no network): the steps, the commits, and "
      "a chart per benchmark with a point per commit and each step marked.");
  AddViewOptions(*html, *hopt);
  html->add_option("-o,--out", hopt->out, "The page to write")->required();
  html->add_option("--title", hopt->title, "The page's title")->capture_default_str();
  cmd->footer(
      "Steps are found per benchmark over each commit's median time: binary segmentation of the "
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
