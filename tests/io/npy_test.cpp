#include "io/npy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <string>

#include "poolbench/tensor.hpp"
#include "support/npy_files.hpp"
#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::Dict;
using testing::NpyFile;

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
using Types = ::testing::Types<float, double, int32_t, uint8_t>;
TYPED_TEST_SUITE(NpyRoundTripTest, Types);

TYPED_TEST(NpyRoundTripTest, EachRankReadsBackWhatWasWritten) {
  using T = TypeParam;
  for (const std::vector<int64_t>& shape :
       std::vector<std::vector<int64_t>>{{3, 5}, {2, 3, 4, 5}}) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<T> values(n);
    for (int64_t i = 0; i < n; ++i) values[i] = static_cast<T>((i * 37) % 23) - T(11);
    if constexpr (IsFloat<T>) {
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

TEST_F(NpyTest, WritesInt64Indices) {
  const int64_t v[4] = {1, 7, 8, 15};
  const std::vector<int64_t> shape = {2, 2};
  WriteNpy(Path("i.npy"), shape, v);
  EXPECT_EQ(testing::Slurp(Path("i.npy")),
            NpyFile(Dict("<i8", "(2, 2)"), Bytes<int64_t>({1, 7, 8, 15})));
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

TEST_F(NpyTest, ReadsEveryFormatVersionNumpyWrites) {
  std::string bytes = NpyFile(Dict("<f4", "(1,)"), Bytes<float>({1}), 2);
  EXPECT_EQ(ReadNpy(WriteFile("v2.npy", bytes)).shape, (std::vector<int64_t>{1}));
  bytes[6] = 3;  // version 3.0 has the layout of 2.0 with a UTF-8 header
  EXPECT_EQ(ReadNpy(WriteFile("v3.npy", bytes)).shape, (std::vector<int64_t>{1}));
  bytes[6] = 4;
  ExpectError(WriteFile("v4.npy", bytes), {"version 4.0", "1.0, 2.0 and 3.0"});
  bytes[6] = 1, bytes[7] = 1;
  ExpectError(WriteFile("v11.npy", bytes), {"version 1.1"});
}

TEST_F(NpyTest, ReadsHeadersAsNumpyLoadParsesThem) {
  // Keys in any order, double quotes, no trailing comma, Python 2's long integers.
  for (const std::string& dict : {
           std::string("{'shape': (2, 2), 'fortran_order': False, 'descr': '<f4', }"),
           std::string("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 2)}"),
           std::string("{'descr':'<f4','fortran_order':False,'shape':(2L, 2L)}"),
       }) {
    SCOPED_TRACE(dict);
    const NpyArray a = ReadNpy(WriteFile("k.npy", NpyFile(dict, Bytes<float>({1, 2, 3, 4}))));
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(static_cast<const float*>(a.data())[3], 4);
  }
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
               {"|i1", "(int8)"},          {"|O", "(object)"},
               {"<f2", "(float16)"},       {"|b1", "(bool)"},
               {"<c8", "(complex64)"},     {"<U3", "(str)"},
               {"<M8[ns]", "(datetime64)"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.descr);
    ExpectError(WriteFile("t.npy", NpyFile(Dict(c.descr, "(2,)"), std::string(64, '\0'))),
                {std::string("'") + c.descr + "'", c.name, "'<f4' (float32)", "'<f8' (float64)",
                 "'<i4' (int32)", "'|u1' (uint8)"});
  }
  ExpectError(WriteFile("s.npy", NpyFile("{'descr': [('a', '<f4'), ('b', '<i4')], "
                                         "'fortran_order': False, 'shape': (2,), }",
                                         std::string(16, '\0'))),
              {"structured", "'<f4' (float32)"});
}

TEST_F(NpyTest, RefusesMalformedHeaders) {
  const std::string data = Bytes<float>({1, 2, 3, 4});
  for (const std::string& dict : {
           std::string("{'descr': '<f4', 'shape': (2, 2), }"),                // missing key
           std::string("{'descr': '<f4', 'descr': '<f4', 'shape': (4,), }"),  // repeated key
           std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1}"),
           Dict("<f4", "(4)"),      // an integer, not a tuple
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

TEST_F(NpyTest, ReadsLongHeadersAndRefusesHugeOnes) {
  // A 182-byte header: its length has a byte >= 0x80, which some readers misread.
  std::string dict = Dict("<f4", "(1,)") + std::string(64, ' ');
  const std::string bytes = NpyFile(dict, Bytes<float>({1}));
  ASSERT_EQ(static_cast<unsigned char>(bytes[8]), 182);
  EXPECT_EQ(ReadNpy(WriteFile("len.npy", bytes)).shape, (std::vector<int64_t>{1}));
  std::string huge = NpyFile(Dict("<f4", "(1,)") + std::string(20000, ' '), Bytes<float>({1}), 2);
  huge[8] = 0x20, huge[9] = 0x4e, huge[10] = 0, huge[11] = 0;  // a length of 20000 bytes
  ExpectError(WriteFile("huge.npy", huge), {"20000 bytes", "10000"});
}

TEST_F(NpyTest, FortranOrderOfEveryRankIsReadInCOrder) {
  // A 2x3x2 array whose element (i, j, k) is 100i + 10j + k, stored with i varying fastest.
  std::vector<int32_t> column_major;
  for (int k = 0; k < 2; ++k) {
    for (int j = 0; j < 3; ++j) {
      for (int i = 0; i < 2; ++i) column_major.push_back(100 * i + 10 * j + k);
    }
  }
  std::string data(column_major.size() * 4, '\0');
  std::memcpy(data.data(), column_major.data(), data.size());
  const NpyArray a = ReadNpy(WriteFile("f3.npy", NpyFile(Dict("<i4", "(2, 3, 2)", true), data)));
  const auto* v = static_cast<const int32_t*>(a.data());
  for (int n = 0; n < 12; ++n) EXPECT_EQ(v[n], 100 * (n / 6) + 10 * (n / 2 % 3) + n % 2) << n;
}

TEST_F(NpyTest, UncommittedPendingFilesLeaveNothingBehind) {
  const float v[2] = {1, 2};
  const std::vector<int64_t> shape = {2};
  WriteNpy(Path("keep.npy"), shape, v);
  {
    PendingFile a(Path("new.npy")), b(Path("keep.npy"));
    a.Write(EncodeNpy(std::span<const int64_t>(shape), v));
    b.Write(EncodeNpy(std::span<const int64_t>(std::vector<int64_t>{1}), v));
    EXPECT_EQ(Files().size(), 3u);  // keep.npy and two temporary files
  }
  EXPECT_EQ(Files(), std::vector<std::string>{"keep.npy"});
  EXPECT_EQ(ReadNpy(Path("keep.npy")).shape, shape);  // untouched

  PendingFile c(Path("new.npy"));
  c.Write(EncodeNpy(std::span<const int64_t>(shape), v));
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
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
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
