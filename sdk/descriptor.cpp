#include "poolbench/descriptor.hpp"

#include <charconv>
#include <set>
#include <sstream>
#include <vector>

namespace poolbench {
namespace {

[[noreturn]] void Fail(std::string_view text, const std::string& why) {
  throw DescriptorError("bad descriptor '" + std::string(text) + "': " + why);
}

// Parses a non-negative decimal integer that must make up all of `s`.
bool ParseInt(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= 0;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    const size_t next = s.find(sep, pos);
    parts.push_back(s.substr(pos, next == std::string_view::npos ? next : next - pos));
    if (next == std::string_view::npos) return parts;
    pos = next + 1;
  }
}

// "AxB" or "A" (meaning "AxA").
bool ParsePair(std::string_view s, Pair& out) {
  const auto parts = Split(s, 'x');
  if (parts.size() == 1) {
    if (!ParseInt(parts[0], out.h)) return false;
    out.w = out.h;
    return true;
  }
  return parts.size() == 2 && ParseInt(parts[0], out.h) && ParseInt(parts[1], out.w);
}

bool IsShape(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789x") == std::string_view::npos;
}

}  // namespace

Problem ParseDescriptor(std::string_view text) {
  Problem p;
  std::set<std::string> seen;
  auto once = [&](const std::string& field) {
    if (!seen.insert(field).second) Fail(text, "field '" + field + "' is given twice");
  };
  bool stride_given = false;
  if (text.empty()) Fail(text, "it is empty");
  for (std::string_view tok : Split(text, ':')) {
    const std::string t(tok);
    if (t.empty()) Fail(text, "empty field (two ':' in a row or a trailing ':')");
    if (t == "max" || t == "avg") {
      once("op");
      p.op = t == "max" ? Op::kMax : Op::kAvg;
    } else if (t == "fwd" || t == "bwd") {
      once("direction");
      p.direction = t == "fwd" ? Direction::kForward : Direction::kBackward;
    } else if (const std::optional<DType> dtype = ParseDType(t)) {
      once("dtype");
      p.dtype = *dtype;
    } else if (t == "nchw" || t == "nhwc") {
      once("layout");
      p.layout = t == "nchw" ? Layout::kNCHW : Layout::kNHWC;
    } else if (t == "ceil") {
      once(t);
      p.ceil_mode = true;
    } else if (t == "excl") {
      once(t);
      p.count_include_pad = false;
    } else if (t == "idx") {
      once(t);
      p.indices = true;
    } else if (t.rfind("div", 0) == 0) {
      once("div");
      int64_t d = 0;
      if (!ParseInt(tok.substr(3), d)) Fail(text, "'" + t + "' is not div<N> with N an integer");
      p.divisor_override = d;
    } else if (IsShape(t)) {
      once("shape");
      const auto dims = Split(tok, 'x');
      int64_t v[4] = {1, 1, 0, 0};
      const size_t first = dims.size() == 2 ? 2 : 0;
      if (dims.size() != 4 && dims.size() != 2) {
        Fail(text, "shape '" + t + "' must be NxCxHxW or HxW");
      }
      for (size_t i = 0; i < dims.size(); ++i) {
        if (!ParseInt(dims[i], v[first + i])) {
          Fail(text, "shape '" + t + "' has a non-integer dimension");
        }
      }
      p.n = v[0], p.c = v[1], p.h = v[2], p.w = v[3];
    } else if (t[0] == 'k' || t[0] == 's' || t[0] == 'p' || t[0] == 'd') {
      const std::string field(1, t[0]);
      once(field);
      Pair pair;
      if (!ParsePair(tok.substr(1), pair)) {
        Fail(text, "'" + t + "' is not " + field + "<A>x<B> or " + field + "<A> with integers");
      }
      (t[0] == 'k'   ? p.kernel
       : t[0] == 's' ? p.stride
       : t[0] == 'p' ? p.padding
                     : p.dilation) = pair;
      stride_given |= t[0] == 's';
    } else {
      Fail(text, "unknown field '" + t +
                     "' (expected max|avg, fwd|bwd, f32|f64|i32, nchw|nhwc, NxCxHxW, kKHxKW, "
                     "sSHxSW, pPHxPW, dDHxDW, ceil, excl, div<N>, idx)");
    }
  }
  if (!seen.count("op")) Fail(text, "missing the op (max or avg)");
  if (!seen.count("shape")) Fail(text, "missing the shape (NxCxHxW)");
  if (!seen.count("k")) Fail(text, "missing the kernel (k<KH>x<KW>)");
  if (!stride_given) p.stride = p.kernel;
  return p;
}

std::string FormatDescriptor(const Problem& p) {
  std::ostringstream os;
  auto pair = [&](char tag, const Pair& v) { os << ':' << tag << v.h << 'x' << v.w; };
  os << ToString(p.op) << ':' << ToString(p.direction) << ':' << ToString(p.dtype) << ':'
     << ToString(p.layout) << ':' << p.n << 'x' << p.c << 'x' << p.h << 'x' << p.w;
  pair('k', p.kernel);
  if (p.stride != p.kernel) pair('s', p.stride);
  if (p.padding != Pair{0, 0}) pair('p', p.padding);
  if (p.dilation != Pair{1, 1}) pair('d', p.dilation);
  if (p.ceil_mode) os << ":ceil";
  if (!p.count_include_pad) os << ":excl";
  if (p.divisor_override) os << ":div" << *p.divisor_override;
  if (p.indices) os << ":idx";
  return os.str();
}

}  // namespace poolbench
