#include "io/npy.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <type_traits>

namespace poolbench {
namespace {

// The .npy data of every supported dtype is little-endian, and the elements are copied as they
// are: the two agree only on a little-endian host.
static_assert(std::endian::native == std::endian::little,
              "poolbench's .npy support assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = sizeof(kMagic) - 1;
// numpy.save aligns the data to this many bytes by padding the header.
constexpr size_t kAlignment = 64;

// numpy.load refuses headers longer than this by default (its max_header_size); poolbench
// does the same, which also bounds the work of parsing the header.
constexpr uint32_t kMaxHeaderSize = 10000;

[[noreturn]] void Fail(const std::string& path, const std::string& why) {
  throw NpyError(path + ": " + why);
}

// What a NumPy user calls a dtype string: '<i8' is "int64", '>f4' "big-endian float32".
std::string DtypeName(const std::string& descr) {
  if (!descr.empty() && descr.front() == '[') return "structured";
  static const std::regex simple(R"(([<>|=]?)([a-zA-Z])(\d{0,3}).*)");
  std::smatch m;
  if (!std::regex_match(descr, m, simple)) return "unknown";
  const std::string order = m[1] == ">" ? "big-endian " : "";
  const std::string bits = m[3].length() ? std::to_string(8 * std::stoi(m[3])) : "";
  static const std::pair<char, const char*> kKinds[] = {
      {'f', "float"},      {'i', "int"},         {'u', "uint"}, {'c', "complex"},
      {'b', "bool"},       {'O', "object"},      {'U', "str"},  {'S', "bytes"},
      {'M', "datetime64"}, {'m', "timedelta64"}, {'V', "void"}};
  for (const auto& [kind, name] : kKinds) {
    if (m[2].str()[0] != kind) continue;
    // Only numbers have a byte order and a size worth naming.
    return std::strchr("fiuc", kind) ? order + name + bits : name;
  }
  return "unknown";
}

// The dtypes of the table that NumPy has: "'<f4' (float32), '<f8' (float64) and '<i4' (int32)".
std::string SupportedDtypes() {
  std::vector<std::string> names;
  for (const DTypeInfo& i : kDTypeTable) {
    if (!i.numpy.empty())
      names.push_back("'" + std::string(i.numpy) + "' (" + DtypeName(std::string(i.numpy)) + ")");
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  return out;
}

// A header for messages: printable, without its padding, and short.
std::string Printable(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  if (text.size() > 120) text = text.substr(0, 120) + "...";
  return text;
}

[[noreturn]] void FailDtype(const std::string& path, const std::string& descr) {
  std::string why = "dtype '" + Printable(descr) + "' (" + DtypeName(descr) +
                    ") is not supported; poolbench reads " + SupportedDtypes();
  if (!descr.empty() && descr.front() == '>')
    why += " (convert with a.astype(a.dtype.newbyteorder('<')))";
  Fail(path, why);
}

// What the header says about the array.
struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// A parser of the header's dictionary: the subset of Python literals that numpy.save writes and
// numpy.load accepts (keys in any order, either kind of quotes, a trailing comma, whitespace
// anywhere between tokens, and Python 2's "L" suffix on integers). Throws NpyError.
class HeaderParser {
 public:
  HeaderParser(const std::string& path, const std::string& text) : path_(path), text_(text) {}

  Header Parse() {
    Header h;
    bool descr = false, order = false, shape = false;
    Expect('{');
    while (!Peek('}')) {
      const std::string key = String();
      Expect(':');
      if (key == "descr" && !descr) {
        h.descr = Descr(), descr = true;
      } else if (key == "fortran_order" && !order) {
        h.fortran_order = Bool(), order = true;
      } else if (key == "shape" && !shape) {
        h.shape = Shape(), shape = true;
      } else {
        Malformed("the key '" + Printable(key) + "' is unknown or repeated");
      }
      if (!Peek('}')) Expect(',');
    }
    Expect('}');
    if (!descr || !order || !shape) Malformed("a key is missing");
    SkipSpace();
    if (pos_ != text_.size()) Malformed("text follows the dictionary");
    return h;
  }

 private:
  [[noreturn]] void Malformed(const std::string& why) {
    Fail(path_, "malformed .npy header: '" + Printable(text_) + "' (" + why +
                    "; expected {'descr': ..., 'fortran_order': ..., 'shape': (...)} as "
                    "numpy.save writes it)");
  }
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Peek(char c) {
    SkipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void Expect(char c) {
    if (!Peek(c)) Malformed(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string String() {
    SkipSpace();
    const char quote = pos_ < text_.size() ? text_[pos_] : '\0';
    if (quote != '\'' && quote != '"') Malformed("expected a string");
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string::npos) Malformed("a string is not closed");
    std::string s = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return s;
  }
  // A string, or a structured dtype's list of fields, which is refused by name.
  std::string Descr() {
    if (!Peek('[')) return String();
    const size_t end = text_.find(']', pos_);
    const std::string fields = text_.substr(pos_, end == std::string::npos ? end : end - pos_ + 1);
    FailDtype(path_, fields);
  }
  bool Bool() {
    SkipSpace();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.compare(pos_, std::strlen(word), word) == 0) {
        pos_ += std::strlen(word);
        return value;
      }
    }
    Malformed("fortran_order must be True or False");
  }
  int64_t Integer() {
    SkipSpace();
    const size_t begin = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (pos_ == begin) Malformed("a dimension is not a non-negative integer");
    int64_t d = 0;
    const auto [end, ec] = std::from_chars(text_.data() + begin, text_.data() + pos_, d);
    if (ec != std::errc()) {
      Fail(path_,
           "dimension " + text_.substr(begin, pos_ - begin) + " of the .npy header is too large");
    }
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
    return d;
  }
  // A tuple: "()", "(5,)", "(2, 3)" or "(2, 3,)"; "(5)" is an integer in Python, not a tuple.
  std::vector<int64_t> Shape() {
    Expect('(');
    std::vector<int64_t> shape;
    bool trailing_comma = false;
    while (!Peek(')')) {
      shape.push_back(Integer());
      trailing_comma = Peek(',');
      if (trailing_comma) ++pos_;
      if (!trailing_comma && !Peek(')')) Malformed("the shape is not a tuple of integers");
    }
    Expect(')');
    if (shape.size() == 1 && !trailing_comma) Malformed("the shape is not a tuple");
    return shape;
  }

  const std::string& path_;
  const std::string& text_;
  size_t pos_ = 0;
};

// The preamble: magic, version, header length.
struct Preamble {
  int major = 1;
  uint32_t header_size = 0;
  uint64_t data_offset = 0;  // where the data begins
};

Preamble ReadPreamble(const std::string& path, std::ifstream& in, uint64_t file_size) {
  unsigned char pre[12] = {};
  in.read(reinterpret_cast<char*>(pre), 10);
  const auto got = static_cast<size_t>(in.gcount());
  if (got < kMagicSize || std::memcmp(pre, kMagic, kMagicSize) != 0) {
    Fail(path, "is not a .npy file (it does not start with the magic string \\x93NUMPY)");
  }
  if (got < 10) Fail(path, "is truncated: it ends inside the .npy preamble");
  Preamble p;
  p.major = pre[6];
  const int minor = pre[7];
  if (p.major < 1 || p.major > 3 || minor != 0) {
    Fail(path, ".npy format version " + std::to_string(p.major) + "." + std::to_string(minor) +
                   " is not supported (poolbench reads 1.0, 2.0 and 3.0)");
  }
  // Version 1.0 has a 2-byte length; 2.0 and 3.0 (a UTF-8 header) a 4-byte one.
  const size_t length_bytes = p.major == 1 ? 2 : 4;
  if (length_bytes == 4) {
    in.read(reinterpret_cast<char*>(pre + 10), 2);
    if (in.gcount() < 2) Fail(path, "is truncated: it ends inside the .npy preamble");
  }
  for (size_t i = 0; i < length_bytes; ++i) p.header_size |= uint32_t{pre[8 + i]} << (8 * i);
  if (p.header_size > kMaxHeaderSize) {
    Fail(path, "has a .npy header of " + std::to_string(p.header_size) + " bytes, more than the " +
                   std::to_string(kMaxHeaderSize) + " numpy.load accepts");
  }
  p.data_offset = 8 + length_bytes + p.header_size;
  if (file_size < p.data_offset) {
    Fail(path, "is truncated: it ends inside the .npy header (" + std::to_string(file_size) +
                   " bytes, the header ends at byte " + std::to_string(p.data_offset) + ")");
  }
  return p;
}

// The header's text, checked to end as numpy.save ends it.
std::string ReadHeaderText(const std::string& path, std::ifstream& in, uint32_t size) {
  std::string text(size, '\0');
  in.read(text.data(), size);
  if (static_cast<uint32_t>(in.gcount()) != size) Fail(path, "read error while reading the header");
  if (text.empty() || text.back() != '\n') {
    Fail(path, "malformed .npy header (it does not end with a newline): '" + Printable(text) + "'");
  }
  return text;
}

// Bytes of the array's data, checked not to overflow. Zero-sized dimensions count as 1 in the
// check, so that the other dimensions of an empty array cannot be absurd either.
uint64_t DataBytes(const std::string& path, DType dtype, const std::vector<int64_t>& shape) {
  uint64_t span = static_cast<uint64_t>(SizeOf(dtype));
  bool empty = false;
  for (int64_t d : shape) {
    empty |= d == 0;
    if (__builtin_mul_overflow(span, static_cast<uint64_t>(std::max<int64_t>(d, 1)), &span) ||
        span > static_cast<uint64_t>(INT64_MAX)) {
      Fail(path, "shape " + ShapeString(shape) + " is too large: its size in bytes overflows");
    }
  }
  return empty ? 0 : span;
}

// Reorders the elements of a Fortran-order (column-major) array into C order.
std::vector<std::byte> FortranToC(const std::vector<std::byte>& in,
                                  const std::vector<int64_t>& shape, size_t element) {
  std::vector<std::byte> out(in.size());
  const size_t rank = shape.size();
  // Column-major strides, in elements: the first index varies fastest.
  std::vector<int64_t> stride(rank, 1);
  for (size_t j = 1; j < rank; ++j) stride[j] = stride[j - 1] * shape[j - 1];
  std::vector<int64_t> index(rank, 0);
  int64_t from = 0;
  const size_t count = in.size() / element;
  for (size_t to = 0; to < count; ++to) {
    std::memcpy(&out[to * element], &in[static_cast<size_t>(from) * element], element);
    // The next index in C order: the last index varies fastest.
    for (size_t j = rank; j-- > 0;) {
      from += stride[j];
      if (++index[j] < shape[j]) break;
      from -= stride[j] * shape[j];
      index[j] = 0;
    }
  }
  return out;
}

std::ifstream OpenRegularFile(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    Fail(path, "cannot open: " + (ec ? ec.message() : std::string("no such file")));
  }
  if (std::filesystem::is_directory(status)) Fail(path, "is a directory, not a .npy file");
  if (!std::filesystem::is_regular_file(status)) Fail(path, "is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(path, "cannot open: " + std::string(std::strerror(errno)));
  return in;
}

// The NumPy descr of T: the dtype table's for its rows, and int64 for indices.
template <class T>
std::string NpyDescrOf() {
  if constexpr (std::is_same_v<T, int64_t>) {
    return "<i8";
  } else {
    return std::string(NumpyDescr(DTypeOf<T>::value));
  }
}

}  // namespace

std::string ShapeString(std::span<const int64_t> shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

NpyArray ReadNpy(const std::string& path) {
  std::ifstream in = OpenRegularFile(path);
  in.seekg(0, std::ios::end);
  const auto file_size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  const Preamble pre = ReadPreamble(path, in, file_size);
  const Header h = HeaderParser(path, ReadHeaderText(path, in, pre.header_size)).Parse();

  NpyArray out;
  const std::optional<DType> dtype = DTypeFromNumpy(h.descr);
  if (!dtype) FailDtype(path, h.descr);
  out.dtype = *dtype;
  out.shape = h.shape;
  const uint64_t bytes = DataBytes(path, out.dtype, h.shape);
  if (file_size - pre.data_offset < bytes) {
    Fail(path, "is truncated: shape " + ShapeString(h.shape) + " of '" + h.descr + "' needs " +
                   std::to_string(bytes) + " bytes of data, but only " +
                   std::to_string(file_size - pre.data_offset) + " follow the header");
  }
  out.bytes.resize(bytes);
  in.read(reinterpret_cast<char*>(out.bytes.data()), static_cast<std::streamsize>(bytes));
  if (static_cast<uint64_t>(in.gcount()) != bytes) Fail(path, "read error while reading the data");
  if (h.fortran_order && h.shape.size() > 1) {
    out.bytes = FortranToC(out.bytes, h.shape, static_cast<size_t>(SizeOf(out.dtype)));
  }
  return out;
}

template <class T>
std::string EncodeNpy(std::span<const int64_t> shape, const T* data) {
  std::string header = "{'descr': '" + NpyDescrOf<T>() +
                       "', 'fortran_order': False, 'shape': " + ShapeString(shape) + ", }";
  header += '\n';
  // Spaces before the newline align the data; version 1.0 when the padded header's length fits
  // its 2-byte field, as numpy.save chooses.
  const auto pad = [&](size_t preamble) {
    return (kAlignment - (preamble + header.size()) % kAlignment) % kAlignment;
  };
  const int major = header.size() + pad(10) <= 65535 ? 1 : 2;
  const size_t preamble = major == 1 ? 10 : 12;
  header.insert(header.size() - 1, pad(preamble), ' ');
  std::string out(kMagic, kMagicSize);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < preamble - 8; ++i) out += static_cast<char>(header.size() >> (8 * i));
  out += header;
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n) * sizeof(T));
  return out;
}

template std::string EncodeNpy(std::span<const int64_t>, const float*);
template std::string EncodeNpy(std::span<const int64_t>, const double*);
template std::string EncodeNpy(std::span<const int64_t>, const int32_t*);
template std::string EncodeNpy(std::span<const int64_t>, const uint8_t*);
template std::string EncodeNpy(std::span<const int64_t>, const int64_t*);

}  // namespace poolbench
