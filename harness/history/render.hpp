// The history for people: as text for a terminal or a CI log (`poolbench history show`), and as
// a self-contained HTML page with one small chart per benchmark and machine (`poolbench history
// html`). Both lead with the machines and the steps found, then show every point with its commit.
#pragma once

#include <string>

#include "history/trends.hpp"

namespace poolbench::history {

// The machines and the steps first, then per machine and benchmark one line per commit: commit,
// date, time, GB/s, and the step that starts at that commit.
std::string Text(const History& history);

// One benchmark on every machine of `history`, side by side: a line per commit, a column per
// machine (its time, "*" where a step of that machine's series starts), then the steps. Machines
// are never mixed: each column is its own series.
std::string SideBySide(const History& history, const std::string& benchmark);

// A page that needs no server and no network: inline SVG charts and an inline style sheet. Per
// strategy, a chart per benchmark and machine with a point per commit (its tooltip names the
// commit), each step marked with a dashed line labelled with its first commit and size. One
// benchmark's charts on every machine stand side by side on one time scale.
std::string Html(const History& history, const std::string& title);

}  // namespace poolbench::history
