#include "io/npy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <string>
#include <xtensor/xnpy.hpp>

#include "poolbench/tensor.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;

// The bytes of a .npy file as numpy.save lays it out: magic, version, little-endian header
// length, the header dictionary padded with spaces to a multiple of 64 bytes and ended by a
// newline, then the data. Each piece can be overridden to build malformed files.
std::string NpyFile(const std::string& dict, const std::string& data, int major = 1) {
  const size_t length_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  const size_t unpadded = 8 + length_bytes + header.size() + 1;
  header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < length_bytes; ++i) out += static_cast<char>(header.size() >> (8 * i));
  return out + header + data;
}

std::string Dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

template <class T>
std::string Bytes(std::initializer_list<T> values) {
  std::string s(values.size() * sizeof(T), '\0');
  std::memcpy(s.data(), values.begin(), s.size());
  return s;
}

class NpyTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Path(name); }

  std::string WriteFile(const std::string& name, const std::string& bytes) const {
    return dir_.Write(name, bytes);
  }

  // Expects ReadNpy to refuse the file with a message containing the path and every part.
  void ExpectError(const std::string& path, std::initializer_list<std::string> parts) const {
    try {
      ReadNpy(path);
      ADD_FAILURE() << "ReadNpy accepted " << path;
    } catch (const NpyError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(path), std::string::npos) << what;
      for (const std::string& part : parts) {
        EXPECT_NE(what.find(part), std::string::npos) << "'" << part << "' not in: " << what;
      }
    }
  }

  std::vector<std::string> Files() const { return dir_.Files(); }

  testing::TempDir dir_{"poolbench_npy_test"};
};

template <class T>
class NpyRoundTripTest : public NpyTest {};
using Types = ::testing::Types<float, double, int32_t>;
TYPED_TEST_SUITE(NpyRoundTripTest, Types);

TYPED_TEST(NpyRoundTripTest, EachRankReadsBackWhatWasWritten) {
  using T = TypeParam;
  for (const std::vector<int64_t>& shape :
       std::vector<std::vector<int64_t>>{{3, 5}, {2, 3, 4, 5}}) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<T> values(n);
    for (int64_t i = 0; i < n; ++i) values[i] = static_cast<T>((i * 37) % 23) - T(11);
    if constexpr (std::is_floating_point_v<T>) {
      values[1] = std::numeric_limits<T>::quiet_NaN();
      values[2] = -std::numeric_limits<T>::infinity();
      values[3] = T(0.1);
    }
    const std::string path = this->Path("a.npy");
    WriteNpy(path, shape, values.data());

    const NpyArray a = ReadNpy(path);
    EXPECT_EQ(a.dtype, DTypeOf<T>::value);
    EXPECT_EQ(a.shape, shape);
    ASSERT_EQ(a.size(), n);
    EXPECT_EQ(std::memcmp(a.data(), values.data(), n * sizeof(T)), 0) << ShapeString(shape);
  }
}

TEST_F(NpyTest, WritesTheHeaderNumpySaveWrites) {
  const float v[6] = {1, 2, 3, 4, 5, 6};
  const std::vector<int64_t> shape = {2, 3};
  WriteNpy(Path("a.npy"), shape, v);
  std::ifstream in(Path("a.npy"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(bytes, NpyFile(Dict("<f4", "(2, 3)"), Bytes<float>({1, 2, 3, 4, 5, 6})));
}

TEST_F(NpyTest, WritesInt64IndicesThatXtensorReads) {
  const int64_t v[4] = {1, 7, 8, 15};
  const std::vector<int64_t> shape = {2, 2};
  WriteNpy(Path("i.npy"), shape, v);
  const auto a = xt::load_npy<int64_t>(Path("i.npy"));
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a(1, 0), 8);
  EXPECT_EQ(a(1, 1), 15);
  // int64 is an output dtype only: pooling reads the three dtypes of the problem.
  ExpectError(Path("i.npy"), {"'<i8' (int64)", "'<f4' (float32)", "'<i4' (int32)"});
}

TEST_F(NpyTest, FortranOrderIsReadInCOrder) {
  // The 2x3 array [[1, 2, 3], [4, 5, 6]] stored column by column.
  const std::string path =
      WriteFile("f.npy", NpyFile(Dict("<i4", "(2, 3)", true), Bytes<int32_t>({1, 4, 2, 5, 3, 6})));
  const NpyArray a = ReadNpy(path);
  ASSERT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  const auto* v = static_cast<const int32_t*>(a.data());
  EXPECT_EQ(std::vector<int32_t>(v, v + 6), (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
}

TEST_F(NpyTest, ReadsAnyRankAndZeroSizedArrays) {
  // Which ranks and sizes make sense is the caller's decision; the file format allows these.
  const NpyArray empty = ReadNpy(WriteFile("e.npy", NpyFile(Dict("<f8", "(0, 4)"), "")));
  EXPECT_EQ(empty.shape, (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(empty.size(), 0);
  const NpyArray one =
      ReadNpy(WriteFile("1.npy", NpyFile(Dict("<f4", "(2,)"), Bytes<float>({1, 2}))));
  EXPECT_EQ(one.shape, (std::vector<int64_t>{2}));
  const NpyArray scalar =
      ReadNpy(WriteFile("0.npy", NpyFile(Dict("<i4", "()"), Bytes<int32_t>({7}))));
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.size(), 1);
}

TEST_F(NpyTest, IgnoresBytesAfterTheArrayAsNumpyLoadDoes) {
  const NpyArray a = ReadNpy(
      WriteFile("t.npy", NpyFile(Dict("<i4", "(2,)"), Bytes<int32_t>({3, 4}) + "trailing")));
  EXPECT_EQ(static_cast<const int32_t*>(a.data())[1], 4);
}

TEST_F(NpyTest, RefusesMissingFilesAndDirectories) {
  ExpectError(Path("missing.npy"), {"cannot open"});
  ExpectError(dir_.path().string(), {"is a directory"});
}

TEST_F(NpyTest, RefusesFilesThatAreNotNpy) {
  ExpectError(WriteFile("empty.npy", ""), {"not a .npy file"});
  ExpectError(WriteFile("text.npy", "x,y\n1,2\n3,4\n"), {"not a .npy file", "magic"});
  ExpectError(WriteFile("short.npy", "\x93NUM"), {"not a .npy file"});
  ExpectError(WriteFile("preamble.npy", std::string("\x93NUMPY\x01\x00\x76", 9)),
              {"truncated", "preamble"});
}

TEST_F(NpyTest, RefusesUnsupportedFormatVersions) {
  std::string bytes = NpyFile(Dict("<f4", "(1,)"), Bytes<float>({1}), 2);
  bytes[6] = 3;  // version 3.0 has the layout of 2.0 with a UTF-8 header
  ExpectError(WriteFile("v3.npy", bytes), {"version 3.0", "1.0 and 2.0"});
  // 2.0 itself is read.
  const NpyArray a =
      ReadNpy(WriteFile("v2.npy", NpyFile(Dict("<f4", "(1,)"), Bytes<float>({1}), 2)));
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1}));
}

TEST_F(NpyTest, RefusesTruncatedHeaders) {
  const std::string full = NpyFile(Dict("<f4", "(2, 2)"), Bytes<float>({1, 2, 3, 4}));
  ExpectError(WriteFile("h.npy", full.substr(0, 40)), {"truncated", "inside the .npy header"});
}

TEST_F(NpyTest, RefusesTruncatedData) {
  const std::string data = Bytes<float>({1, 2, 3, 4}).substr(0, 15);
  ExpectError(WriteFile("d.npy", NpyFile(Dict("<f4", "(2, 2)"), data)),
              {"truncated", "(2, 2)", "needs 16 bytes", "only 15"});
  // A shape whose byte count would fill the address space, in a file of a few bytes, is
  // refused before anything of that size is allocated.
  ExpectError(WriteFile("big.npy", NpyFile(Dict("<f8", "(100000000, 100000000)"), "1234")),
              {"truncated", "80000000000000000 bytes"});
  ExpectError(WriteFile("overflow.npy",
                        NpyFile(Dict("<f4", "(4611686018427387904, 4611686018427387904)"), "")),
              {"too large"});
  // Empty, but its strides would overflow.
  ExpectError(WriteFile("empty.npy",
                        NpyFile(Dict("<f4", "(0, 4611686018427387904, 4611686018427387904)"), "")),
              {"too large"});
  ExpectError(WriteFile("digits.npy", NpyFile(Dict("<f4", "(99999999999999999999,)"), "")),
              {"too large"});
}

TEST_F(NpyTest, RefusesUnsupportedDtypesByName) {
  const struct {
    const char* descr;
    const char* name;
  } cases[] = {{"<i8", "(int64)"},         {">f4", "(big-endian float32)"},
               {"|u1", "(uint8)"},         {"|O", "(object)"},
               {"<f2", "(float16)"},       {"|b1", "(bool)"},
               {"<c8", "(complex64)"},     {"<U3", "(str)"},
               {"<M8[ns]", "(datetime64)"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.descr);
    ExpectError(WriteFile("t.npy", NpyFile(Dict(c.descr, "(2,)"), std::string(64, '\0'))),
                {std::string("'") + c.descr + "'", c.name, "'<f4' (float32)", "'<f8' (float64)",
                 "'<i4' (int32)"});
  }
  ExpectError(WriteFile("s.npy", NpyFile("{'descr': [('a', '<f4'), ('b', '<i4')], "
                                         "'fortran_order': False, 'shape': (2,), }",
                                         std::string(16, '\0'))),
              {"structured", "'<f4' (float32)"});
}

TEST_F(NpyTest, RefusesMalformedHeaders) {
  const std::string data = Bytes<float>({1, 2, 3, 4});
  for (const std::string& dict : {
           std::string("{'descr': '<f4', 'shape': (2, 2), }"),  // missing key
           std::string("{'shape': (2, 2), 'fortran_order': False, 'descr': '<f4', }"),  // order
           Dict("<f4", "(-1, 4)"),  // negative dimension
           Dict("<f4", "(x, 4)"),   // not a number
           Dict("<f4", "[2, 2]"),   // not a tuple
           std::string("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,), }"),
           std::string("'descr': '<f4', 'fortran_order': False, 'shape': (4,)"),  // no braces
           std::string(""),
       }) {
    SCOPED_TRACE(dict);
    ExpectError(WriteFile("m.npy", NpyFile(dict, data)), {"malformed .npy header"});
  }
  // A header that does not end with a newline.
  std::string bytes = NpyFile(Dict("<f4", "(4,)"), data);
  bytes[bytes.size() - data.size() - 1] = ' ';
  ExpectError(WriteFile("nl.npy", bytes), {"malformed .npy header", "newline"});
}

TEST_F(NpyTest, RefusesHeaderLengthsXtensorMisreads) {
  // numpy.load reads this file (a 182-byte header), but xtensor would take its length for
  // 65462 bytes and read garbage: refused with an explanation instead.
  std::string dict = Dict("<f4", "(1,)") + std::string(64, ' ');
  const std::string bytes = NpyFile(dict, Bytes<float>({1}));
  ASSERT_EQ(static_cast<unsigned char>(bytes[8]), 182);
  ExpectError(WriteFile("len.npy", bytes), {"header length (182 bytes)", "numpy.save"});
  std::string huge = NpyFile(Dict("<f4", "(1,)") + std::string(20000, ' '), Bytes<float>({1}), 2);
  huge[8] = 0x20, huge[9] = 0x4e, huge[10] = 0, huge[11] = 0;  // 20000 bytes, no byte >= 0x80
  ExpectError(WriteFile("huge.npy", huge), {"20000 bytes", "10000"});
}

TEST_F(NpyTest, UncommittedPendingFilesLeaveNothingBehind) {
  const float v[2] = {1, 2};
  const std::vector<int64_t> shape = {2};
  WriteNpy(Path("keep.npy"), shape, v);
  {
    PendingNpy a(Path("new.npy"), shape, v);
    PendingNpy b(Path("keep.npy"), std::vector<int64_t>{1}, v);
    EXPECT_EQ(Files().size(), 3u);  // keep.npy and two temporary files
  }
  EXPECT_EQ(Files(), std::vector<std::string>{"keep.npy"});
  EXPECT_EQ(ReadNpy(Path("keep.npy")).shape, shape);  // untouched

  PendingNpy c(Path("new.npy"), shape, v);
  EXPECT_FALSE(fs::exists(Path("new.npy")));
  c.Commit();
  EXPECT_EQ(ReadNpy(Path("new.npy")).shape, shape);
  EXPECT_EQ(Files().size(), 2u);
}

TEST_F(NpyTest, WritingIntoAMissingDirectoryNamesThePath) {
  const float v[1] = {1};
  const std::string path = Path("no/such/dir.npy");
  try {
    WriteNpy(path, std::vector<int64_t>{1}, v);
    ADD_FAILURE() << "wrote " << path;
  } catch (const NpyError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(Files().empty());
}

TEST(NpyShapeString, PrintsAsNumpyDoes) {
  EXPECT_EQ(ShapeString(std::vector<int64_t>{4, 4}), "(4, 4)");
  EXPECT_EQ(ShapeString(std::vector<int64_t>{5}), "(5,)");
  EXPECT_EQ(ShapeString(std::vector<int64_t>{}), "()");
}

}  // namespace
}  // namespace poolbench
