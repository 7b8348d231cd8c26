#include "poolbench/descriptor.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <set>
#include <span>
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

// "A", "AxB" or "AxBxC": one window parameter per spatial axis, or one for all of them.
bool ParseValues(std::string_view s, std::vector<int64_t>& out) {
  const auto parts = Split(s, 'x');
  if (parts.size() > 3) return false;
  out.assign(parts.size(), 0);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!ParseInt(parts[i], out[i])) return false;
  }
  return true;
}

bool IsShape(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789x") == std::string_view::npos;
}

// The fields of one descriptor seen so far, so that none is given twice, and the shape and
// window parameters as written: their meaning depends on the rank, which the layout (a field
// that may come later) gives, so Resolve reads them once every field is in.
class Fields {
 public:
  explicit Fields(std::string_view text) : text_(text) {}
  std::vector<int64_t> shape;
  std::string shape_text;
  std::vector<int64_t> window[4];  // k, s, p, d as written
  std::string window_text[4];
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
  } else if (const std::optional<Layout> layout = ParseLayout(t)) {
    fields.Once("layout");
    p.layout = *layout;
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

constexpr char kWindowTags[] = "kspd";
constexpr const char* kWindowNames[] = {"kernel", "stride", "padding", "dilation"};

// NxC followed by the spatial sizes, or HxW for one 2-D plane.
void ParseShape(std::string_view tok, Fields& fields) {
  const std::string t(tok);
  fields.Once("shape");
  const auto dims = Split(tok, 'x');
  fields.shape.assign(dims.size(), 0);
  for (size_t i = 0; i < dims.size(); ++i) {
    if (!ParseInt(dims[i], fields.shape[i])) {
      Fail(fields.text(), "shape '" + t + "' has a non-integer dimension");
    }
  }
  fields.shape_text = t;
}

// k, s, p or d followed by one value per spatial axis (AxBxC, AxB, A) or one for all.
void ParseWindow(std::string_view tok, Fields& fields) {
  const std::string t(tok), field(1, t[0]);
  fields.Once(field);
  const size_t i = std::string_view(kWindowTags).find(t[0]);
  if (!ParseValues(tok.substr(1), fields.window[i])) {
    Fail(fields.text(), "'" + t + "' is not " + field + "<A>x<B> or " + field +
                            "<A> with integers (" + field + "<A>x<B>x<C> in 3-D)");
  }
  fields.window_text[i] = t;
}

// The shape's spatial sizes into p, checked against the layout's rank. Without a layout the
// problem is 2-D, as it always was: a 1-D or 3-D shape must say its layout, so that a
// dimension dropped by mistake is an error rather than another problem.
void ResolveShape(const Fields& fields, bool has_layout, Problem& p) {
  const int rank = SpatialRank(p.layout);
  const std::vector<int64_t>& v = fields.shape;
  const std::string& t = fields.shape_text;
  if (!has_layout && v.size() != 4 && v.size() != 2) {
    Fail(fields.text(), "shape '" + t +
                            "' must be NxCxHxW or HxW (a 1-D NxCxW or 3-D NxCxDxHxW shape needs "
                            "its layout: ncw, nwc, ncdhw or ndhwc)");
  }
  if (rank == 2 && v.size() == 2) {
    p.h = v[0], p.w = v[1];
    return;
  }
  if (v.size() != static_cast<size_t>(rank) + 2) {
    static constexpr const char* kShapes[] = {"", "NxCxW", "NxCxHxW (or HxW)", "NxCxDxHxW"};
    Fail(fields.text(), "shape '" + t + "' has " + std::to_string(v.size()) +
                            " dimensions, but layout " + std::string(ToString(p.layout)) + " is " +
                            std::to_string(rank) + "-D and takes " + kShapes[rank]);
  }
  p.n = v[0], p.c = v[1];
  p.w = v.back();
  if (rank >= 2) p.h = v[v.size() - 2];
  if (rank == 3) p.d = v[2];
}

// One window parameter (kernel, stride, padding or dilation) for the spatial axes of p's rank.
void ResolveWindow(const Fields& fields, int i, Problem& p) {
  if (!SetWindow(p, static_cast<WindowField>(i), fields.window[i])) {
    const int rank = SpatialRank(p.layout);
    static constexpr const char* kAxes[] = {"", "W", "HxW", "DxHxW"};
    Fail(fields.text(), std::string(kWindowNames[i]) + " '" + fields.window_text[i] + "' has " +
                            std::to_string(fields.window[i].size()) + " values, but layout " +
                            std::string(ToString(p.layout)) + " is " + std::to_string(rank) +
                            "-D and takes one value or " + kAxes[rank]);
  }
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
    ParseShape(tok, fields);
  } else if (t[0] == 'k' || t[0] == 's' || t[0] == 'p' || t[0] == 'd') {
    ParseWindow(tok, fields);
  } else {
    Fail(fields.text(), "unknown field '" + t +
                            "' (expected max|avg, fwd|bwd, f32|f64|i32|u8, nchw|nhwc|ncw|nwc|"
                            "ncdhw|ndhwc, NxCxHxW, kKHxKW, sSHxSW, pPHxPW, dDHxDW, ceil, excl, "
                            "div<N>, idx)");
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
  ResolveShape(fields, fields.Has("layout"), p);
  for (int i = 0; i < 4; ++i) {
    if (fields.Has(std::string(1, kWindowTags[i]))) ResolveWindow(fields, i, p);
  }
  if (!fields.Has("s")) p.stride = p.kernel, p.depth.stride = p.depth.kernel;
  return p;
}

std::string FormatDescriptor(const Problem& p) {
  // Only the axes of the problem's rank are printed (the last `rank` of D, H, W): a 2-D problem
  // prints exactly as it did before problems had a rank, which keeps every stored report and
  // history readable.
  const std::array<Axis, 3> axes = SpatialAxes(p);
  const std::span<const Axis> shown(axes.data() + 3 - SpatialRank(p), SpatialRank(p));
  const auto every = [&](auto&& holds) { return std::all_of(shown.begin(), shown.end(), holds); };
  std::ostringstream os;
  const auto window = [&](char tag, int64_t Axis::*field) {
    os << ':' << tag;
    for (size_t a = 0; a < shown.size(); ++a) os << (a ? "x" : "") << shown[a].*field;
  };
  os << ToString(p.op) << ':' << ToString(p.direction) << ':' << ToString(p.dtype) << ':'
     << ToString(p.layout) << ':' << p.n << 'x' << p.c;
  for (const Axis& a : shown) os << 'x' << a.input;
  window('k', &Axis::kernel);
  if (!every([](const Axis& a) { return a.stride == a.kernel; })) window('s', &Axis::stride);
  if (!every([](const Axis& a) { return a.padding == 0; })) window('p', &Axis::padding);
  if (!every([](const Axis& a) { return a.dilation == 1; })) window('d', &Axis::dilation);
  if (p.ceil_mode) os << ":ceil";
  if (!p.count_include_pad) os << ":excl";
  if (p.divisor_override) os << ":div" << *p.divisor_override;
  if (p.indices) os << ":idx";
  return os.str();
}

}  // namespace poolbench
