// Text inside a Markdown table cell, as every Markdown output (render, compare, ab) writes it: a
// '|' would end the cell and a line break the row, and GitHub renders raw HTML, so '<' and '>'
// are escaped (an error message such as "expected <4x4>" stays text).
#pragma once

#include <string>
#include <string_view>

namespace poolbench {

std::string MarkdownCell(std::string_view text);

}  // namespace poolbench
