#include "cli/pattern.hpp"

#include <re2/re2.h>

#include <CLI/CLI.hpp>
#include <algorithm>

namespace poolbench::cli {

NamePattern::NamePattern(const std::string& pattern, const std::string& option) {
  RE2::Options options;
  options.set_log_errors(false);  // the error is this constructor's message
  re_ = std::make_unique<RE2>(pattern, options);
  if (!re_->ok()) {
    // A pattern too long to show is cut: the reason names what is wrong with it.
    const std::string shown = pattern.size() > 80 ? pattern.substr(0, 77) + "..." : pattern;
    throw CLI::ValidationError(option, "'" + shown + "' (" + std::to_string(pattern.size()) +
                                           " characters) is not a valid regex: " + re_->error());
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
