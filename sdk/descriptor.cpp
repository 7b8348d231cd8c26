#include "poolbench/descriptor.hpp"

#include <charconv>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace poolbench {
namespace {

// A message as a terminal can show it: control characters (the descriptor's text is the user's)
// escaped, since a NUL would end the message (what() is a C string) and others garble it; and a
// few lines at most, since a megabyte-long line of a suite would otherwise be quoted whole (twice:
// the descriptor and its field).
std::string Shown(std::string_view text) {
  constexpr size_t kMaxShown = 1000;
  std::string out;
  if (text.size() > kMaxShown) {
    return Shown(text.substr(0, kMaxShown)) + "... (" + std::to_string(text.size()) +
           " characters in all)";
  }
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out += c;
      continue;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    out += {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
  }
  return out;
}

[[noreturn]] void Fail(std::string_view text, const std::string& why) {
  throw DescriptorError(Shown("bad descriptor '" + std::string(text) + "': " + why));
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

// The fields of one descriptor seen so far, so that none is given twice.
class Fields {
 public:
  explicit Fields(std::string_view text) : text_(text) {}
  std::string_view text() const { return text_; }
  void Once(const std::string& field) {
    if (!seen_.insert(field).second) Fail(text_, "field '" + field + "' is given twice");
  }
  bool Has(const std::string& field) const { return seen_.count(field) > 0; }

 private:
  std::string_view text_;
  std::set<std::string> seen_;
};

// The one-word fields: op, direction, dtype, layout and the flags. False if `t` is none of them.
bool ParseWord(const std::string& t, Fields& fields, Problem& p) {
  if (t == "max" || t == "avg") {
    fields.Once("op");
    p.op = t == "max" ? Op::kMax : Op::kAvg;
  } else if (t == "fwd" || t == "bwd") {
    fields.Once("direction");
    p.direction = t == "fwd" ? Direction::kForward : Direction::kBackward;
  } else if (const std::optional<DType> dtype = ParseDType(t)) {
    fields.Once("dtype");
    p.dtype = *dtype;
  } else if (t == "nchw" || t == "nhwc") {
    fields.Once("layout");
    p.layout = t == "nchw" ? Layout::kNCHW : Layout::kNHWC;
  } else if (t == "ceil" || t == "excl" || t == "idx") {
    fields.Once(t);
    if (t == "ceil") p.ceil_mode = true;
    if (t == "excl") p.count_include_pad = false;
    if (t == "idx") p.indices = true;
  } else {
    return false;
  }
  return true;
}

// NxCxHxW, or HxW for one plane.
void ParseShape(std::string_view tok, Fields& fields, Problem& p) {
  const std::string t(tok);
  fields.Once("shape");
  const auto dims = Split(tok, 'x');
  if (dims.size() != 4 && dims.size() != 2) {
    Fail(fields.text(), "shape '" + t + "' must be NxCxHxW or HxW");
  }
  int64_t v[4] = {1, 1, 0, 0};
  const size_t first = dims.size() == 2 ? 2 : 0;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (!ParseInt(dims[i], v[first + i])) {
      Fail(fields.text(), "shape '" + t + "' has a non-integer dimension");
    }
  }
  p.n = v[0], p.c = v[1], p.h = v[2], p.w = v[3];
}

// k, s, p or d followed by AxB or A.
void ParseWindowPair(std::string_view tok, Fields& fields, Problem& p) {
  const std::string t(tok), field(1, t[0]);
  fields.Once(field);
  Pair pair;
  if (!ParsePair(tok.substr(1), pair)) {
    Fail(fields.text(),
         "'" + t + "' is not " + field + "<A>x<B> or " + field + "<A> with integers");
  }
  (t[0] == 'k' ? p.kernel : t[0] == 's' ? p.stride : t[0] == 'p' ? p.padding : p.dilation) = pair;
}

void ParseField(std::string_view tok, Fields& fields, Problem& p) {
  const std::string t(tok);
  if (t.empty()) Fail(fields.text(), "empty field (two ':' in a row or a trailing ':')");
  if (ParseWord(t, fields, p)) return;
  if (t.rfind("div", 0) == 0) {
    fields.Once("div");
    int64_t d = 0;
    if (!ParseInt(tok.substr(3), d)) {
      Fail(fields.text(), "'" + t + "' is not div<N> with N an integer");
    }
    p.divisor_override = d;
  } else if (IsShape(t)) {
    ParseShape(tok, fields, p);
  } else if (t[0] == 'k' || t[0] == 's' || t[0] == 'p' || t[0] == 'd') {
    ParseWindowPair(tok, fields, p);
  } else {
    Fail(fields.text(), "unknown field '" + t +
                            "' (expected max|avg, fwd|bwd, f32|f64|i32|u8, nchw|nhwc, NxCxHxW, "
                            "kKHxKW, sSHxSW, pPHxPW, dDHxDW, ceil, excl, div<N>, idx)");
  }
}

}  // namespace

Problem ParseDescriptor(std::string_view text) {
  if (text.empty()) Fail(text, "it is empty");
  Problem p;
  Fields fields(text);
  for (std::string_view tok : Split(text, ':')) ParseField(tok, fields, p);
  if (!fields.Has("op")) Fail(text, "missing the op (max or avg)");
  if (!fields.Has("shape")) Fail(text, "missing the shape (NxCxHxW)");
  if (!fields.Has("k")) Fail(text, "missing the kernel (k<KH>x<KW>)");
  if (!fields.Has("s")) p.stride = p.kernel;
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
