// The history for people: as text for a terminal or a CI log (`poolbench history show`), and as
// a self-contained HTML page with one small chart per benchmark (`poolbench history html`).
// Both lead with the steps found, then show every point with its commit.
#pragma once

#include <string>

#include "history/trends.hpp"

namespace poolbench::history {

// The steps first, then per benchmark one line per commit: commit, date, time, GB/s, and the
// step that starts at that commit.
std::string Text(const History& history);

// A page that needs no server and no network: inline SVG charts and an inline style sheet. Per
// strategy, a chart per benchmark with a point per commit (its tooltip names the commit), each
// step marked with a dashed line labelled with its first commit and size.
std::string Html(const History& history, const std::string& title);

}  // namespace poolbench::history
