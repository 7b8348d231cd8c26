// "Did you mean": the nearest name to a mistyped one, and the hint a command-line error gets
// (a subcommand or an option misspelt, --plugin given after the subcommand).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace poolbench::cli {

// The name in `names` nearest to `word` by edit distance (insertions, deletions, substitutions
// and transpositions of adjacent letters), when it is near enough to be the one meant: at most
// one edit for words of up to four letters, two up to eight, three beyond; "" otherwise. A name
// that `word` is a prefix of counts as near.
std::string NearestName(std::string_view word, const std::vector<std::string>& names);

// A sentence to add to CLI11's message for a parse error of `app` given `args` (without the
// program's name): which subcommand or option was probably meant. "" when there is none.
std::string ParseErrorHint(CLI::App& app, const std::vector<std::string>& args);

}  // namespace poolbench::cli
