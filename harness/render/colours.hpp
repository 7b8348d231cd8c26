// The colour of each strategy in every chart and table poolbench draws. It depends on the
// strategy's name alone, never on which other strategies a report holds, so a strategy keeps its
// colour across reports, runs and pages (the report page, the history page).
#pragma once

#include <string>
#include <string_view>

namespace poolbench::render {

// "#rrggbb". The in-tree strategies and the peer libraries have fixed, well-separated colours
// (the reference naive_loops is grey); any other name gets one of ten further colours, chosen by
// a hash of the name, so a plugin's strategy is as stable as the built-in ones and never looks
// like one of them. Red is kept for wrong results and is no strategy's colour.
std::string StrategyColour(std::string_view strategy);

}  // namespace poolbench::render
