#include "cli/pattern.hpp"

#include <re2/re2.h>

#include <CLI/CLI.hpp>

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

}  // namespace poolbench::cli
