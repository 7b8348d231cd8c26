// The colour of a strategy in the history page: fixed per name, so a strategy keeps its colour
// from one page to the next whatever else was measured. Known strategies have a fixed entry of
// the palette; any other name is hashed into it.
#pragma once

#include <string>
#include <string_view>

namespace poolbench::history {

// A CSS colour ("#1f77b4").
std::string StrategyColour(std::string_view strategy);

}  // namespace poolbench::history
