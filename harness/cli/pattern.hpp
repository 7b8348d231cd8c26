// The regular expressions users give to select by name (--strategy, history --filter). They are
// RE2 expressions, matched anywhere in the name: RE2 takes time linear in the name and memory
// bounded by its budget whatever the pattern, so an 80,000-character pattern or one nested
// 30,000 deep never overflows the stack (as std::regex's recursive matcher did): it is refused
// with RE2's reason when it is not a valid expression, and otherwise simply matched. Its syntax is
// the ECMAScript (and Perl) one people write for names (anchors, alternation, classes, repetition);
// backreferences and lookaround are not in it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace poolbench::cli {

// A pattern as a message quotes it: whole up to 80 characters, else its start and its length, so
// that an 80,000-character pattern gives a message of a line, not of 80 KB.
std::string ShownPattern(std::string_view pattern);

class NamePattern {
 public:
  // Throws CLI::ValidationError naming `option` and RE2's reason when `pattern` is not one.
  NamePattern(const std::string& pattern, const std::string& option);
  ~NamePattern();
  NamePattern(NamePattern&&) noexcept;
  NamePattern& operator=(NamePattern&&) noexcept;

  // Whether the pattern matches somewhere in `name`.
  bool Matches(std::string_view name) const;

  // Whether the pattern spells `name` out as one of its alternatives ("^a$|b" names a and b,
  // "simd" names simd but "sim" does not): a strategy asked for by name.
  static bool Names(std::string_view pattern, std::string_view name);

 private:
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace poolbench::cli
