#include "cli/pattern.hpp"

#include <re2/re2.h>

#include <CLI/CLI.hpp>
#include <algorithm>

namespace poolbench::cli {

std::string ShownPattern(std::string_view pattern) {
  constexpr size_t kShown = 80;
  if (pattern.size() <= kShown) return "'" + std::string(pattern) + "'";
  return "'" + std::string(pattern.substr(0, kShown - 3)) + "...' (" +
         std::to_string(pattern.size()) + " characters)";
}

NamePattern::NamePattern(const std::string& pattern, const std::string& option) {
  RE2::Options options;
  options.set_log_errors(false);  // the error is this constructor's message
  re_ = std::make_unique<RE2>(pattern, options);
  if (!re_->ok()) {
    // RE2's reason quotes the part of the pattern at fault ("missing ): ((((..."), which can be
    // all of it: it is cut like the pattern.
    const std::string& error = re_->error();
    const size_t colon = error.find(": ");
    const std::string reason = colon == std::string::npos
                                   ? error
                                   : error.substr(0, colon) + ": " +
                                         ShownPattern(std::string_view(error).substr(colon + 2));
    throw CLI::ValidationError(option, ShownPattern(pattern) + " is not a valid regex: " + reason);
  }
}

NamePattern::~NamePattern() = default;
NamePattern::NamePattern(NamePattern&&) noexcept = default;
NamePattern& NamePattern::operator=(NamePattern&&) noexcept = default;

bool NamePattern::Matches(std::string_view name) const { return RE2::PartialMatch(name, *re_); }

bool NamePattern::Names(std::string_view pattern, std::string_view name) {
  // Outer anchors and parentheses ("^(a|b)$") do not change the names the alternatives spell.
  for (bool stripped = true; stripped;) {
    stripped = false;
    if (pattern.starts_with('^')) pattern.remove_prefix(1), stripped = true;
    if (pattern.ends_with('$')) pattern.remove_suffix(1), stripped = true;
    if (pattern.size() >= 2 && pattern.front() == '(' && pattern.back() == ')') {
      pattern = pattern.substr(1, pattern.size() - 2);
      stripped = true;
    }
  }
  for (size_t start = 0;;) {
    const size_t end = std::min(pattern.find('|', start), pattern.size());
    std::string_view alternative = pattern.substr(start, end - start);
    if (alternative.starts_with('^')) alternative.remove_prefix(1);
    if (alternative.ends_with('$')) alternative.remove_suffix(1);
    if (alternative == name) return true;
    if (end == pattern.size()) return false;
    start = end + 1;
  }
}

}  // namespace poolbench::cli
