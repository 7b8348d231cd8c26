#include "io/npy.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <system_error>
#include <xtensor/xadapt.hpp>
#include <xtensor/xnpy.hpp>

#include "poolbench/tensor.hpp"

namespace poolbench {
namespace {

// The .npy data of every supported dtype is little-endian, and xtensor reads and writes the
// host's byte order: the two agree only on a little-endian host.
static_assert(std::endian::native == std::endian::little,
              "poolbench's .npy support assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = sizeof(kMagic) - 1;

// numpy.load refuses headers longer than this by default (its max_header_size); poolbench
// does the same, which also bounds the work of checking the header.
constexpr uint32_t kMaxHeaderSize = 10000;
// The dictionary NumPy writes is under 100 characters for 4-D arrays; a longer one is either
// an absurd rank or not NumPy's output, and bounding it keeps std::regex's recursion shallow.
constexpr size_t kMaxDictSize = 1024;

const char kSupported[] = "'<f4' (float32), '<f8' (float64) and '<i4' (int32)";

[[noreturn]] void Fail(const std::string& path, const std::string& why) {
  throw NpyError(path + ": " + why);
}

std::string ErrnoText() { return std::strerror(errno); }

// What a NumPy user calls a dtype string: '<i8' is "int64", '>f4' "big-endian float32".
std::string DtypeName(const std::string& descr) {
  if (!descr.empty() && descr.front() == '[') return "structured";
  static const std::regex simple(R"(([<>|=]?)([a-zA-Z])(\d{0,3}).*)");
  std::smatch m;
  if (!std::regex_match(descr, m, simple)) return "unknown";
  const std::string order = m[1] == ">" ? "big-endian " : "";
  const std::string bits = m[3].length() ? std::to_string(8 * std::stoi(m[3])) : "";
  switch (m[2].str()[0]) {
    case 'f':
      return order + "float" + bits;
    case 'i':
      return order + "int" + bits;
    case 'u':
      return order + "uint" + bits;
    case 'c':
      return order + "complex" + bits;
    case 'b':
      return "bool";
    case 'O':
      return "object";
    case 'U':
      return "str";
    case 'S':
      return "bytes";
    case 'M':
      return "datetime64";
    case 'm':
      return "timedelta64";
    case 'V':
      return "void";
  }
  return "unknown";
}

bool SupportedDescr(const std::string& descr, DType& out) {
  const std::optional<DType> t = DTypeFromNumpy(descr);
  if (t) out = *t;
  return t.has_value();
}

[[noreturn]] void FailDtype(const std::string& path, const std::string& descr) {
  std::string why = "dtype '" + descr + "' (" + DtypeName(descr) + ") is not supported; " +
                    "poolbench reads " + kSupported;
  if (!descr.empty() && descr.front() == '>')
    why += " (convert with a.astype(a.dtype.newbyteorder('<')))";
  Fail(path, why);
}

// A header for messages: printable, without its padding, and short.
std::string Printable(std::string text) {
  for (char& c : text) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  if (text.size() > 120) text = text.substr(0, 120) + "...";
  return text;
}

// What the header says about the array, checked against the file.
struct Header {
  std::string descr;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  uint64_t data_bytes = 0;
};

// Checks the header dictionary is as NumPy writes it: keys in sorted order (the only order
// xtensor accepts), a string dtype, a bool and a tuple of non-negative integers. Anything
// else is refused here, because xtensor's parser reads past the end of some malformed
// headers and turns "-1" or "x" into a dimension. The order itself (C or Fortran) is left to
// xtensor, which sets the strides from it.
Header ParseHeader(const std::string& path, std::string text) {
  if (text.empty() || text.back() != '\n') {
    Fail(path, "malformed .npy header (it does not end with a newline): '" + Printable(text) + "'");
  }
  // NumPy pads the dictionary with spaces up to the newline.
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();

  // The dtype first, so that an array of another dtype (including object and structured
  // dtypes, whose headers the strict pattern below does not describe) is named as such.
  static const std::regex descr_re(R"('descr' *: *('([^']*)'|\[[^\]]*\]))");
  std::smatch m;
  Header h;
  if (text.size() <= kMaxDictSize && std::regex_search(text, m, descr_re)) {
    const std::string descr = m[2].matched ? m[2].str() : m[1].str();
    if (!SupportedDescr(descr, h.dtype)) FailDtype(path, descr);
  }
  static const std::regex dict_re(
      R"(\{ *'descr' *: *'([^']*)' *, *'fortran_order' *: *(True|False) *, *)"
      R"('shape' *: *\(((?: *\d+ *,)*(?: *\d+ *)?)\) *,? *\})");
  if (text.size() > kMaxDictSize || !std::regex_match(text, m, dict_re)) {
    Fail(path, "malformed .npy header: '" + Printable(text) +
                   "' (expected {'descr': ..., 'fortran_order': ..., 'shape': (...)} as "
                   "numpy.save writes it)");
  }
  h.descr = m[1].str();
  if (!SupportedDescr(h.descr, h.dtype)) FailDtype(path, h.descr);

  const std::string dims = m[3].str();
  for (size_t pos = 0; pos < dims.size();) {
    const size_t end = std::min(dims.find(',', pos), dims.size());
    std::string tok = dims.substr(pos, end - pos);
    tok.erase(std::remove(tok.begin(), tok.end(), ' '), tok.end());
    if (!tok.empty()) {
      int64_t d = 0;
      const auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), d);
      if (ec != std::errc() || p != tok.data() + tok.size()) {
        Fail(path, "dimension " + tok + " of the .npy header is too large");
      }
      h.shape.push_back(d);
    }
    pos = end + 1;
  }
  // Zero-sized dimensions count as 1 here: xtensor multiplies the others into strides even
  // when the array is empty, and they must not overflow either.
  uint64_t span = static_cast<uint64_t>(SizeOf(h.dtype));
  bool empty = false;
  for (int64_t d : h.shape) {
    empty |= d == 0;
    if (__builtin_mul_overflow(span, static_cast<uint64_t>(std::max<int64_t>(d, 1)), &span) ||
        span > static_cast<uint64_t>(INT64_MAX)) {
      Fail(path, "shape " + ShapeString(h.shape) + " is too large: its size in bytes overflows");
    }
  }
  h.data_bytes = empty ? 0 : span;
  return h;
}

// Reads the array with xtensor from a stream whose header has been checked, into C order.
template <class T>
std::vector<std::byte> LoadChecked(const std::string& path, std::ifstream& in, const Header& h) {
  in.clear();
  in.seekg(0);
  std::vector<std::byte> bytes;
  try {
    const auto a = xt::load_npy<T>(in);
    // Checked before, but the stream is the only evidence that xtensor got all the data.
    if (!in) Fail(path, "is truncated: the data ended early");
    if (!std::equal(a.shape().begin(), a.shape().end(), h.shape.begin(), h.shape.end(),
                    [](size_t x, int64_t y) { return static_cast<int64_t>(x) == y; })) {
      Fail(path, "xtensor read a different shape than the header's " + ShapeString(h.shape));
    }
    bytes.resize(h.data_bytes);
    // Row-major traversal turns a Fortran-order array into C order.
    std::copy(a.template begin<xt::layout_type::row_major>(),
              a.template end<xt::layout_type::row_major>(), reinterpret_cast<T*>(bytes.data()));
  } catch (const NpyError&) {
    throw;
  } catch (const std::exception& e) {
    Fail(path, std::string("xtensor could not read it: ") + e.what());
  }
  return bytes;
}

// Opens a new temporary file beside `path` (same directory, so that rename is atomic),
// created with the permissions an ordinary file would get.
int OpenTemp(const std::string& path, std::string& temp) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST) Fail(path, "cannot write: " + ErrnoText());
  }
  Fail(path, "cannot write: no free temporary file name beside it");
}

}  // namespace

std::string ShapeString(std::span<const int64_t> shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

NpyArray ReadNpy(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    Fail(path, "cannot open: " + (ec ? ec.message() : std::string("no such file")));
  }
  if (std::filesystem::is_directory(status)) Fail(path, "is a directory, not a .npy file");
  if (!std::filesystem::is_regular_file(status)) Fail(path, "is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(path, "cannot open: " + ErrnoText());
  in.seekg(0, std::ios::end);
  const auto file_size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);

  // The preamble: magic, version, header length. xtensor reads it too, but without checking
  // that the file is long enough for it.
  unsigned char pre[12] = {};
  in.read(reinterpret_cast<char*>(pre), 10);
  const auto got = static_cast<size_t>(in.gcount());
  if (std::memcmp(pre, kMagic, std::min(got, kMagicSize)) != 0 || got < kMagicSize) {
    Fail(path, "is not a .npy file (it does not start with the magic string \\x93NUMPY)");
  }
  if (got < 10) Fail(path, "is truncated: it ends inside the .npy preamble");
  const int major = pre[6], minor = pre[7];
  if (!((major == 1 || major == 2) && minor == 0)) {
    Fail(path, ".npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                   " is not supported (xtensor reads 1.0 and 2.0)");
  }
  uint32_t header_size = pre[8] | pre[9] << 8;
  size_t length_bytes = 2;
  if (major == 2) {
    in.read(reinterpret_cast<char*>(pre + 10), 2);
    if (in.gcount() < 2) Fail(path, "is truncated: it ends inside the .npy preamble");
    header_size |= static_cast<uint32_t>(pre[10]) << 16 | static_cast<uint32_t>(pre[11]) << 24;
    length_bytes = 4;
  }
  // xtensor assembles the length from signed chars, so a length byte >= 0x80 other than the
  // last sign-extends into the higher ones and it would read a different header.
  for (size_t i = 0; i + 1 < length_bytes; ++i) {
    if (pre[8 + i] >= 0x80) {
      Fail(path, "has a .npy header length (" + std::to_string(header_size) +
                     " bytes) that xtensor's reader misreads; re-save it with numpy.save");
    }
  }
  if (header_size > kMaxHeaderSize) {
    Fail(path, "has a .npy header of " + std::to_string(header_size) + " bytes, more than the " +
                   std::to_string(kMaxHeaderSize) + " numpy.load accepts");
  }
  const uint64_t data_offset = 8 + length_bytes + header_size;
  if (file_size < data_offset) {
    Fail(path, "is truncated: it ends inside the .npy header (" + std::to_string(file_size) +
                   " bytes, the header ends at byte " + std::to_string(data_offset) + ")");
  }
  std::string text(header_size, '\0');
  in.read(text.data(), header_size);
  if (static_cast<uint32_t>(in.gcount()) != header_size) Fail(path, "read error: " + ErrnoText());

  const Header h = ParseHeader(path, text);
  if (file_size - data_offset < h.data_bytes) {
    Fail(path, "is truncated: shape " + ShapeString(h.shape) + " of '" + h.descr + "' needs " +
                   std::to_string(h.data_bytes) + " bytes of data, but only " +
                   std::to_string(file_size - data_offset) + " follow the header");
  }

  NpyArray out;
  out.dtype = h.dtype;
  out.shape = h.shape;
  out.bytes = DispatchDType(h.dtype, [&]<class T>() { return LoadChecked<T>(path, in, h); });
  return out;
}

template <class T>
PendingNpy::PendingNpy(std::string path, std::span<const int64_t> shape, const T* data)
    : path_(std::move(path)) {
  std::vector<size_t> xshape(shape.begin(), shape.end());
  size_t n = 1;
  for (size_t d : xshape) n *= d;
  // dump_npy wants a mutable element type to name the dtype; it only reads the data.
  const std::string bytes =
      xt::dump_npy(xt::adapt(const_cast<T*>(data), n, xt::no_ownership(), xshape));

  const int fd = OpenTemp(path_, temp_);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      const std::string why = ErrnoText();
      ::close(fd);
      ::unlink(temp_.c_str());
      Fail(path_, "cannot write: " + why);
    }
    done += static_cast<size_t>(w);
  }
  if (::close(fd) != 0) {
    const std::string why = ErrnoText();
    ::unlink(temp_.c_str());
    Fail(path_, "cannot write: " + why);
  }
}

PendingNpy::PendingNpy(PendingNpy&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::exchange(other.temp_, {})) {}

PendingNpy::~PendingNpy() {
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void PendingNpy::Commit() {
  if (temp_.empty()) return;
  if (::rename(temp_.c_str(), path_.c_str()) != 0) Fail(path_, "cannot write: " + ErrnoText());
  temp_.clear();
}

template PendingNpy::PendingNpy(std::string, std::span<const int64_t>, const float*);
template PendingNpy::PendingNpy(std::string, std::span<const int64_t>, const double*);
template PendingNpy::PendingNpy(std::string, std::span<const int64_t>, const int32_t*);
template PendingNpy::PendingNpy(std::string, std::span<const int64_t>, const int64_t*);

}  // namespace poolbench
