#include "cli/suggest.hpp"

#include <algorithm>
#include <limits>

#include "cli/pattern.hpp"

namespace poolbench::cli {
namespace {

// The optimal string alignment distance between a and b.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

size_t Tolerance(size_t length) { return length <= 4 ? 1 : length <= 8 ? 2 : 3; }

std::vector<std::string> SubcommandNames(CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : app.get_subcommands(std::function<bool(CLI::App*)>())) {
    out.push_back(sub->get_name());
  }
  return out;
}

}  // namespace

std::string NearestName(std::string_view word, const std::vector<std::string>& names) {
  if (word.empty()) return "";
  std::string best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const std::string& name : names) {
    const size_t distance = name.starts_with(word) ? 1 : EditDistance(word, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best_distance <= Tolerance(word.size()) ? best : "";
}

namespace {

struct OptionName {
  std::string name;  // with its dashes
  bool takes_value = false;
};

// The long options of `app` ("--threads"), and whether each takes a value.
std::vector<OptionName> Options(CLI::App& app) {
  std::vector<OptionName> out;
  for (const CLI::Option* o : app.get_options()) {
    for (const std::string& name : o->get_lnames()) {
      out.push_back({"--" + name, o->get_items_expected_min() > 0});
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The hint for `args` given to `app` (a subcommand or poolbench itself), whose parents' options
// are `inherited`.
std::string Hint(CLI::App& app, const std::vector<std::string>& args, size_t first,
                 std::vector<OptionName> inherited, const std::string& path) {
  const std::vector<std::string> subcommands = SubcommandNames(app);
  std::vector<OptionName> options = Options(app);
  options.insert(options.end(), inherited.begin(), inherited.end());
  for (size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return "";
    if (a.starts_with("--")) {
      const std::string name = a.substr(0, a.find('='));
      const auto known = std::find_if(options.begin(), options.end(),
                                      [&](const OptionName& o) { return o.name == name; });
      if (known != options.end()) {
        if (known->takes_value && name == a) ++i;  // its value follows
        continue;
      }
      std::vector<std::string> names;
      for (const OptionName& o : options) names.push_back(o.name);
      const std::string where = path.empty() ? "poolbench" : path;
      if (const std::string near = NearestName(name, names); !near.empty()) {
        return ShownPattern(name) + " is not an option of " + where + "; did you mean '" + near +
               "'?";
      }
      return ShownPattern(name) + " is not an option of " + where + " (see " + where + " --help)";
    }
    if (a.starts_with("-")) continue;
    if (subcommands.empty()) continue;  // a positional argument of this command
    if (std::find(subcommands.begin(), subcommands.end(), a) != subcommands.end()) {
      return Hint(*app.get_subcommand(a), args, i + 1, options, path.empty() ? a : path + " " + a);
    }
    const std::string what = path.empty() ? "a subcommand" : "a subcommand of " + path;
    if (const std::string near = NearestName(a, subcommands); !near.empty()) {
      return ShownPattern(a) + " is not " + what + "; did you mean '" + near + "'?";
    }
    return ShownPattern(a) + " is not " + what + " (" + Join(subcommands) + ")";
  }
  return "";
}

}  // namespace

std::string ParseErrorHint(CLI::App& app, const std::vector<std::string>& args) {
  return Hint(app, args, 0, {}, "");
}

}  // namespace poolbench::cli
