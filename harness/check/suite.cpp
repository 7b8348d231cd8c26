#include "check/suite.hpp"

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "io/input_file.hpp"
#include "poolbench/descriptor.hpp"

#ifndef POOLBENCH_SUITE_DIR
#error "POOLBENCH_SUITE_DIR must be defined by the build"
#endif

namespace poolbench {

std::string SuiteDir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("POOLBENCH_SUITE_DIR"); env && *env) return env;
  // An installed poolbench finds them in <prefix>/share/poolbench/suites; a build tree in the
  // source tree it was configured from.
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share/poolbench/suites";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return POOLBENCH_SUITE_DIR;
}

const std::vector<std::string>& SuiteNames() {
  static const std::vector<std::string> names = {"seeds", "edge", "networks", "large"};
  return names;
}

namespace {

constexpr size_t kMaxSuiteBytes = size_t{16} << 20;

// The whole file, read with the bound and the checks of every input a user names: a FIFO is
// refused rather than waited on (a suite named by mistake as a pipe no one writes hung `check`),
// and a device that never ends (/dev/zero) or a huge file fails at once instead of filling
// memory.
std::string ReadBounded(const std::string& path) {
  try {
    return ReadInputFile(path, kMaxSuiteBytes, "suite");
  } catch (const InputFileError& e) {
    throw std::invalid_argument(std::string("suite file ") + e.what());
  }
}

}  // namespace

std::vector<SuiteEntry> ParseSuite(const std::string& text, const std::string& path) {
  std::vector<SuiteEntry> entries;
  std::istringstream in(text);
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    const size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    const std::string origin = path + ":" + std::to_string(lineno);
    Problem p;
    try {
      p = ParseDescriptor(line);
    } catch (const DescriptorError& e) {
      throw std::invalid_argument(origin + ": " + e.what());
    }
    if (std::string err = Validate(p); !err.empty()) {
      throw std::invalid_argument(origin + ": invalid problem '" + line + "': " + err);
    }
    entries.push_back({p, origin});
  }
  if (entries.empty()) {
    throw std::invalid_argument("suite file '" + path +
                                "' has no problems (only blank lines and comments); a suite "
                                "that checks nothing cannot pass");
  }
  return entries;
}

namespace {

std::vector<SuiteEntry> LoadFile(const std::string& path) {
  return ParseSuite(ReadBounded(path), path);
}

}  // namespace

std::vector<SuiteEntry> LoadSuite(const std::string& name_or_path) {
  if (name_or_path.empty()) {
    throw std::invalid_argument(
        "empty suite name (give seeds, edge, networks, large, all, or a path to a suite file)");
  }
  if (name_or_path.find(',') != std::string::npos) {
    if (name_or_path.front() == ',' || name_or_path.back() == ',' ||
        name_or_path.find(",,") != std::string::npos) {
      throw std::invalid_argument("empty suite name in the list '" + name_or_path + "'");
    }
    std::vector<SuiteEntry> all;
    std::stringstream names(name_or_path);
    for (std::string name; std::getline(names, name, ',');) {
      auto part = LoadSuite(name);
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }
  const bool is_path =
      name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() > 4 && name_or_path.compare(name_or_path.size() - 4, 4, ".txt") == 0);
  if (is_path) return LoadFile(name_or_path);
  if (name_or_path == "all") {
    std::vector<SuiteEntry> all;
    for (const auto& n : SuiteNames()) {
      auto part = LoadSuite(n);
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }
  const std::filesystem::path file = std::filesystem::path(SuiteDir()) / (name_or_path + ".txt");
  if (!std::filesystem::exists(file)) {
    std::string known;
    for (const auto& n : SuiteNames()) known += n + ", ";
    throw std::invalid_argument("unknown suite '" + name_or_path + "' (known: " + known +
                                "all, or a path to a suite file); looked for " + file.string());
  }
  return LoadFile(file.string());
}

std::vector<Problem> ParseProblems(const std::vector<std::string>& descriptors,
                                   const std::string& suite,
                                   std::vector<Problem> (*expand)(const Problem&)) {
  std::vector<Problem> out;
  for (const std::string& d : descriptors) {
    Problem p = ParseDescriptor(d);
    if (std::string e = Validate(p); !e.empty()) {
      throw std::invalid_argument("invalid problem '" + d + "': " + e);
    }
    out.push_back(p);
  }
  if (suite.empty()) return out;
  for (const SuiteEntry& e : LoadSuite(suite)) {
    if (expand) {
      for (const Problem& v : expand(e.problem)) out.push_back(v);
    } else {
      out.push_back(e.problem);
    }
  }
  return out;
}

std::vector<Problem> CheckVariants(const Problem& base) {
  std::vector<Problem> out;
  for (DType t : kAllDTypes) {
    for (Layout layout : {LayoutOf(SpatialRank(base), false), LayoutOf(SpatialRank(base), true)}) {
      for (Op op : {Op::kMax, Op::kAvg}) {
        for (Direction dir : {Direction::kForward, Direction::kBackward}) {
          if (dir == Direction::kBackward && !Info(t).backward) continue;
          Problem p = base;
          p.dtype = t, p.layout = layout, p.op = op, p.direction = dir, p.indices = false;
          if (op == Op::kMax) p.count_include_pad = true, p.divisor_override.reset();
          out.push_back(p);
          // Max forward with and without indices: some kernels differ (and some libraries
          // support only one of them).
          if (op == Op::kMax && dir == Direction::kForward) {
            p.indices = true;
            out.push_back(p);
          }
        }
      }
    }
  }
  return out;
}

}  // namespace poolbench
