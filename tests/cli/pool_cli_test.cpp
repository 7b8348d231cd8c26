// End-to-end tests of `poolbench pool` through the real executable.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "io/npy.hpp"
#include "poolbench/tensor.hpp"
#include "support/npy_files.hpp"
#include "support/run_cli.hpp"

namespace poolbench {
namespace {

namespace fs = std::filesystem;

const std::vector<int32_t> kSeed4x4 = {12, 15, 5, 0, 3, 11, 3, 7, 9, 3, 5, 2, 4, 7, 6, 8};
const std::vector<int32_t> kSeed6x6 = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3,
                                       8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5, 0, 2, 8, 8};

using testing::CliResult;

class PoolCliTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Path(name); }

  // Runs `poolbench pool IN` with arguments; IN and every "@name" are files in the test's
  // directory.
  CliResult Pool(const std::string& input, const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"pool", Path(input)};
    for (const std::string& a : args) argv.push_back(a.starts_with("@") ? Path(a.substr(1)) : a);
    return testing::RunPoolbench(argv);
  }

  template <class T>
  void Write(const std::string& name, std::vector<int64_t> shape, const std::vector<T>& v) const {
    WriteNpy(Path(name), shape, v.data());
  }

  template <class T>
  std::vector<T> Read(const std::string& name, const std::vector<int64_t>& shape) const {
    const NpyArray a = ReadNpy(Path(name));
    EXPECT_EQ(a.dtype, DTypeOf<T>::value) << name;
    EXPECT_EQ(a.shape, shape) << name;
    const T* p = static_cast<const T*>(a.data());
    return std::vector<T>(p, p + a.size());
  }

  std::vector<int64_t> ReadIndices(const std::string& name, const std::string& shape) const {
    const std::vector<int64_t> v = testing::Int64Elements(testing::Slurp(Path(name)), shape);
    EXPECT_FALSE(v.empty()) << name << " is not an int64 .npy file of shape " << shape;
    return v;
  }

  // The files of the test's directory other than the inputs it wrote.
  std::vector<std::string> Outputs(std::initializer_list<std::string> inputs) const {
    std::vector<std::string> names;
    for (const std::string& name : dir_.Files()) {
      if (std::find(inputs.begin(), inputs.end(), name) == inputs.end()) names.push_back(name);
    }
    return names;
  }

  testing::TempDir dir_{"poolbench_pool_cli"};
};

// Expects a refusal: exit status 2, with every part in the error message.
#define EXPECT_REFUSED(result, ...)                                                             \
  do {                                                                                          \
    const CliResult& r_ = (result);                                                             \
    EXPECT_EQ(r_.status, 2) << r_.err;                                                          \
    for (const std::string& part : std::initializer_list<std::string>{__VA_ARGS__}) {           \
      EXPECT_NE(r_.err.find(part), std::string::npos) << "'" << part << "' not in: " << r_.err; \
    }                                                                                           \
  } while (0)

TEST_F(PoolCliTest, SeedMaxValuesAndIndicesWithEveryStrategy) {
  Write("in.npy", {4, 4}, kSeed4x4);
  // The executable's own list: plugins loaded by other tests change this process's registry.
  const CliResult list = testing::RunPoolbench({"list", "--json"});
  ASSERT_EQ(list.status, 0) << list.err;
  std::vector<std::string> ran;
  for (const auto& s : nlohmann::json::parse(list.out)) {
    if (s.value("missing", false)) continue;  // a peer left out of this build
    const std::string name = s.at("name");
    SCOPED_TRACE(name);
    const CliResult r = Pool(
        "in.npy", {"--kernel", "2", "--strategy", name, "--out", "@v.npy", "--indices", "@i.npy"});
    if (r.status == 2 && r.err.find("does not support") != std::string::npos) continue;
    ASSERT_EQ(r.status, 0) << r.err;
    ran.push_back(name);
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "max:fwd:i32:nchw:1x1x4x4:k2x2:idx");
    EXPECT_EQ(Read<int32_t>("v.npy", {2, 2}), (std::vector<int32_t>{15, 7, 9, 8}));
    EXPECT_EQ(ReadIndices("i.npy", "(2, 2)"), (std::vector<int64_t>{1, 7, 8, 15}));
    fs::remove(Path("v.npy"));
    fs::remove(Path("i.npy"));
  }
  EXPECT_NE(std::find(ran.begin(), ran.end(), "naive_loops"), ran.end());
  EXPECT_NE(std::find(ran.begin(), ran.end(), "reshape_blocks"), ran.end());
}

TEST_F(PoolCliTest, SeedWinCountsOfOverlappingWindows) {
  Write("in.npy", {6, 6}, kSeed6x6);
  const CliResult r = Pool(
      "in.npy", {"--kernel", "3", "--stride", "1", "--out", "@v.npy", "--win-counts", "@w.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("max:fwd:i32:nchw:1x1x6x6:k3x3:s1x1\n"), 0u) << r.out;
  EXPECT_NE(r.out.find("max:bwd:i32:nchw:1x1x6x6:k3x3:s1x1\n"), std::string::npos) << r.out;
  EXPECT_EQ(Read<int32_t>("w.npy", {6, 6}),
            (std::vector<int32_t>{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 3, 0, 6, 0, 0, 0,
                                  0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1, 1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(Read<int32_t>("v.npy", {4, 4}),
            (std::vector<int32_t>{9, 9, 9, 9, 9, 9, 9, 8, 9, 9, 9, 7, 9, 8, 8, 8}));
}

// --verbose prints each kernel's plan (Kernel::Plan) after the descriptors, for the forward and
// for the win counts' backward; a strategy that says nothing is said to say nothing. The
// results are the same as without it.
TEST_F(PoolCliTest, VerbosePrintsEachKernelsPlan) {
  Write("in.npy", {6, 6}, kSeed6x6);
  const std::vector<std::string> args = {
      "--kernel", "3", "--stride", "1", "--out", "@v.npy", "--win-counts", "@w.npy", "--verbose"};
  std::vector<std::string> naive_args = args;
  naive_args.insert(naive_args.end(), {"--strategy", "naive_loops"});
  const CliResult naive = Pool("in.npy", naive_args);
  ASSERT_EQ(naive.status, 0) << naive.err;
  EXPECT_EQ(
      naive.out,
      "max:fwd:i32:nchw:1x1x6x6:k3x3:s1x1\n"
      "max:bwd:i32:nchw:1x1x6x6:k3x3:s1x1\n"
      "naive_loops plan for max:fwd:i32:nchw:1x1x6x6:k3x3:s1x1: (the strategy does not say)\n"
      "naive_loops plan for max:bwd:i32:nchw:1x1x6x6:k3x3:s1x1: (the strategy does not say)\n");
  const std::vector<int32_t> counts = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 3, 0, 6, 0, 0, 0,
                                       0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1, 1, 0, 0, 0, 1, 0};
  EXPECT_EQ(Read<int32_t>("w.npy", {6, 6}), counts);

  // simd names the path it took for each.
  const CliResult list = testing::RunPoolbench({"list"});
  ASSERT_EQ(list.status, 0) << list.err;
  if (list.out.find("\nsimd\n") == std::string::npos) GTEST_SKIP() << "simd is not built";
  std::vector<std::string> simd_args = args;
  simd_args.insert(simd_args.end(), {"--strategy", "simd"});
  const CliResult simd = Pool("in.npy", simd_args);
  ASSERT_EQ(simd.status, 0) << simd.err;
  EXPECT_NE(simd.out.find("\nsimd plan for max:fwd:i32:nchw:1x1x6x6:k3x3:s1x1: nchw "),
            std::string::npos)
      << simd.out;
  EXPECT_NE(simd.out.find("\nsimd plan for max:bwd:i32:nchw:1x1x6x6:k3x3:s1x1: nchw "),
            std::string::npos)
      << simd.out;
  EXPECT_NE(simd.out.find(", 1 thread\n"), std::string::npos) << simd.out;
  EXPECT_EQ(Read<int32_t>("w.npy", {6, 6}), counts);
}

TEST_F(PoolCliTest, StrategyThatDoesNotSupportTheProblemIsRefusedWithItsReason) {
  Write("in.npy", {4, 4}, kSeed4x4);
  EXPECT_REFUSED(Pool("in.npy", {"--kernel", "2", "--stride", "1", "--strategy", "reshape_blocks",
                                 "--out", "@v.npy"}),
                 "'reshape_blocks' does not support max:fwd:i32:nchw:1x1x4x4:k2x2:s1x1",
                 "stride must equal kernel");
  EXPECT_EQ(Outputs({"in.npy"}), std::vector<std::string>{});
}

TEST_F(PoolCliTest, FourDimensionalNhwcKeepsItsLayout) {
  // Channel 0 is the seed, channel 1 its negation, interleaved as (1, 4, 4, 2).
  std::vector<int32_t> in;
  for (int32_t v : kSeed4x4) in.insert(in.end(), {v, -v});
  Write("in.npy", {1, 4, 4, 2}, in);
  const CliResult r = Pool(
      "in.npy", {"--kernel", "2", "--layout", "nhwc", "--out", "@v.npy", "--indices", "@i.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "max:fwd:i32:nhwc:1x2x4x4:k2x2:idx");
  // (oy, ox, c): the block maxima of the seed, and minus its block minima.
  EXPECT_EQ(Read<int32_t>("v.npy", {1, 2, 2, 2}),
            (std::vector<int32_t>{15, -3, 7, 0, 9, -3, 8, -2}));
  EXPECT_EQ(ReadIndices("i.npy", "(1, 2, 2, 2)"), (std::vector<int64_t>{1, 4, 7, 3, 8, 9, 15, 11}));
}

TEST_F(PoolCliTest, FourDimensionalNchwAverage) {
  std::vector<double> in(kSeed4x4.begin(), kSeed4x4.end());
  for (int32_t v : kSeed4x4) in.push_back(2.0 * v);
  Write("in.npy", {1, 2, 4, 4}, in);
  const CliResult r = Pool("in.npy", {"--kernel", "2", "--op", "avg", "--out", "@v.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "avg:fwd:f64:nchw:1x2x4x4:k2x2");
  EXPECT_EQ(Read<double>("v.npy", {1, 2, 2, 2}),
            (std::vector<double>{10.25, 3.75, 5.75, 5.25, 20.5, 7.5, 11.5, 10.5}));
}

TEST_F(PoolCliTest, FortranOrderInputGivesTheSameResultAsCOrder) {
  // kSeed4x4 stored column by column.
  std::vector<float> columns(16);
  for (size_t i = 0; i < 16; ++i) columns[i % 4 * 4 + i / 4] = static_cast<float>(kSeed4x4[i]);
  std::string data(16 * sizeof(float), '\0');
  std::memcpy(data.data(), columns.data(), data.size());
  dir_.Write("f.npy", testing::NpyFile(testing::Dict("<f4", "(4, 4)", true), data));
  ASSERT_NE(testing::Slurp(Path("f.npy")).find("'fortran_order': True"), std::string::npos);
  const CliResult r = Pool("f.npy", {"--kernel", "2", "--out", "@v.npy", "--indices", "@i.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Read<float>("v.npy", {2, 2}), (std::vector<float>{15, 7, 9, 8}));
  EXPECT_EQ(ReadIndices("i.npy", "(2, 2)"), (std::vector<int64_t>{1, 7, 8, 15}));
}

TEST_F(PoolCliTest, RefusesInputsItCannotPool) {
  const std::vector<float> v(60, 1.0f);
  Write("1d.npy", {60}, v);
  Write("3d.npy", {3, 4, 5}, v);
  Write("5d.npy", {1, 3, 4, 5, 1}, v);
  Write("zero.npy", {0, 4}, std::vector<float>{});
  Write("i8.npy", {2, 2}, std::vector<int64_t>{1, 2, 3, 4});
  std::ofstream(Path("text.npy")) << "1,2\n3,4\n";
  WriteNpy(Path("short.npy"), std::vector<int64_t>{4, 4}, v.data());
  fs::resize_file(Path("short.npy"), fs::file_size(Path("short.npy")) - 4);
  const std::initializer_list<std::string> inputs = {"1d.npy", "3d.npy",   "5d.npy",   "zero.npy",
                                                     "i8.npy", "text.npy", "short.npy"};

  auto pool = [&](const std::string& in) { return Pool(in, {"--kernel", "2", "--out", "@v.npy"}); };
  EXPECT_REFUSED(pool("missing.npy"), Path("missing.npy"), "cannot open");
  EXPECT_REFUSED(pool("1d.npy"), "1-D array of shape (60,)", "2-D (H, W)");
  EXPECT_REFUSED(pool("3d.npy"), "3-D array of shape (3, 4, 5)", "a[None]");
  EXPECT_REFUSED(pool("5d.npy"), "5-D array");
  EXPECT_REFUSED(pool("zero.npy"), "shape (0, 4) has a zero-sized dimension");
  EXPECT_REFUSED(pool("i8.npy"), "dtype '<i8' (int64) is not supported");
  EXPECT_REFUSED(pool("text.npy"), "not a .npy file");
  EXPECT_REFUSED(pool("short.npy"), "truncated", "needs 64 bytes", "only 60");
  EXPECT_EQ(Outputs(inputs), std::vector<std::string>{});
}

// 1-D pooling of a rank-3 array and 3-D pooling of a rank-5 one, in both layouts: the values,
// PyTorch's indices (iw in 1-D, (id * H + ih) * W + iw in 3-D) and the win counts.
TEST_F(PoolCliTest, OneAndThreeDimensionalArrays) {
  Write("w.npy", {1, 1, 7}, std::vector<int32_t>{3, 1, 4, 1, 5, 9, 2});
  CliResult r = Pool("w.npy", {"--layout", "ncw", "--kernel", "3", "--stride", "2", "--out",
                               "@v.npy", "--indices", "@i.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "max:fwd:i32:ncw:1x1x7:k3:s2:idx\n");
  EXPECT_EQ(Read<int32_t>("v.npy", {1, 1, 3}), (std::vector<int32_t>{4, 5, 9}));
  EXPECT_EQ(ReadIndices("i.npy", "(1, 1, 3)"), (std::vector<int64_t>{2, 4, 5}));
  // Channels last: two channels of 4, (1, 8) (5, 2) (3, 3) (0, 7).
  Write("wc.npy", {1, 4, 2}, std::vector<int32_t>{1, 8, 5, 2, 3, 3, 0, 7});
  r = Pool("wc.npy", {"--layout", "nwc", "--kernel", "2", "--out", "@v.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Read<int32_t>("v.npy", {1, 2, 2}), (std::vector<int32_t>{5, 8, 3, 7}));

  // Depth 2, height 2, width 4: the maxima 9 at (0, 0, 1) and 11 at (1, 1, 3).
  const std::vector<int32_t> volume = {1, 9, 2, 3, 4, 0, 8, 5, 6, 2, 7, 1, 3, 5, 0, 11};
  Write("dhw.npy", {1, 1, 2, 2, 4}, volume);
  r = Pool("dhw.npy", {"--layout", "ncdhw", "--kernel", "2", "--out", "@v.npy", "--indices",
                       "@i.npy", "--win-counts", "@c.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "max:fwd:i32:ncdhw:1x1x2x2x4:k2x2x2:idx\nmax:bwd:i32:ncdhw:1x1x2x2x4:k2x2x2\n");
  EXPECT_EQ(Read<int32_t>("v.npy", {1, 1, 1, 1, 2}), (std::vector<int32_t>{9, 11}));
  EXPECT_EQ(ReadIndices("i.npy", "(1, 1, 1, 1, 2)"), (std::vector<int64_t>{1, 15}));
  std::vector<int32_t> counts(16, 0);
  counts[1] = counts[15] = 1;
  EXPECT_EQ(Read<int32_t>("c.npy", {1, 1, 2, 2, 4}), counts);
  // The same volume as one channel stored channels last, averaged over 1x2x2 windows.
  Write("dhwc.npy", {1, 2, 2, 4, 1}, volume);
  r = Pool("dhwc.npy",
           {"--layout", "ndhwc", "--op", "avg", "--kernel", "1x2x2", "--out", "@v.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "avg:fwd:i32:ndhwc:1x1x2x2x4:k1x2x2\n");
  // (1 + 9 + 4 + 0) / 4 = 3.5 rounds away from zero; (2 + 3 + 8 + 5) / 4 = 4.5 too.
  EXPECT_EQ(Read<int32_t>("v.npy", {1, 2, 1, 2, 1}), (std::vector<int32_t>{4, 5, 4, 5}));
}

// An array or an option that does not fit the layout's rank is refused with what would fit, and
// a 2-D strategy is refused a 1-D or 3-D problem with the reason; nothing is written.
TEST_F(PoolCliTest, RefusesWhatDoesNotFitTheRank) {
  Write("nchw.npy", {1, 1, 4, 4}, kSeed4x4);
  Write("dhw.npy", {1, 1, 2, 2, 4}, std::vector<int32_t>(16, 1));
  Write("w.npy", {1, 1, 8}, std::vector<int32_t>(8, 1));
  EXPECT_REFUSED(Pool("nchw.npy", {"--layout", "ncdhw", "--kernel", "2", "--out", "@v.npy"}),
                 "4-D array of shape (1, 1, 4, 4)", "layout ncdhw is 3-D pooling of a 5-D",
                 "(N, C, D, H, W)", "give --layout nchw");
  EXPECT_REFUSED(Pool("dhw.npy", {"--kernel", "2", "--out", "@v.npy"}), "5-D array",
                 "give --layout ncdhw");
  EXPECT_REFUSED(Pool("w.npy", {"--layout", "ndhwc", "--kernel", "2", "--out", "@v.npy"}),
                 "(N, D, H, W, C)", "give --layout nwc");
  EXPECT_REFUSED(Pool("dhw.npy", {"--layout", "ncdhw", "--kernel", "2x2", "--out", "@v.npy"}),
                 "--kernel 2x2 has 2 values, but layout ncdhw is 3-D and takes one value or DxHxW");
  EXPECT_REFUSED(
      Pool("w.npy", {"--layout", "ncw", "--kernel", "2", "--padding", "1x1", "--out", "@v.npy"}),
      "--padding 1x1 has 2 values, but layout ncw is 1-D");
  EXPECT_REFUSED(Pool("nchw.npy", {"--kernel", "2x2x2x2", "--out", "@v.npy"}), "'2x2x2x2'");
  EXPECT_REFUSED(Pool("w.npy", {"--layout", "ncw", "--kernel", "2", "--strategy", "reshape_blocks",
                                "--out", "@v.npy"}),
                 "strategy 'reshape_blocks' does not support max:fwd:i32:ncw:1x1x8:k2",
                 "1-D problems not implemented");
  EXPECT_REFUSED(
      Pool("w.npy", {"--layout", "ncw", "--kernel", "3", "--padding", "2", "--out", "@v.npy"}),
      "padding width = 2 exceeds half the effective kernel width");
  EXPECT_EQ(Outputs({"nchw.npy", "dhw.npy", "w.npy"}), std::vector<std::string>{});
}

TEST_F(PoolCliTest, RefusesBadOptions) {
  Write("in.npy", {4, 4}, kSeed4x4);
  auto pool = [&](std::initializer_list<std::string> args) { return Pool("in.npy", args); };
  EXPECT_REFUSED(pool({"--kernel", "5", "--out", "@v.npy"}),
                 "invalid problem max:fwd:i32:nchw:1x1x4x4:k5x5", "output height");
  EXPECT_REFUSED(pool({"--kernel", "2", "--padding", "2", "--out", "@v.npy"}), "padding height");
  EXPECT_REFUSED(pool({"--kernel", "2x", "--out", "@v.npy"}), "--kernel", "'2x'");
  EXPECT_REFUSED(pool({"--kernel", "2", "--op", "min", "--out", "@v.npy"}), "--op");
  EXPECT_REFUSED(pool({"--kernel", "2", "--strategy", "nope", "--out", "@v.npy"}),
                 "'nope' names no strategy", "naive_loops");
  EXPECT_REFUSED(pool({"--kernel", "2", "--op", "avg", "--out", "@v.npy", "--indices", "@i.npy"}),
                 "--indices needs --op max");
  EXPECT_REFUSED(pool({"--kernel", "2", "--out", "@v.npy", "--exclude-pad"}),
                 "--exclude-pad applies to --op avg");
  EXPECT_REFUSED(pool({"--kernel", "2", "--out", "@v.npy", "--divisor", "3"}),
                 "--divisor applies to --op avg");
  EXPECT_REFUSED(pool({"--kernel", "2", "--op", "avg", "--divisor", "0", "--out", "@v.npy"}),
                 "divisor_override must be > 0");
  EXPECT_REFUSED(pool({"--kernel", "2", "--out", "@v.npy", "--indices", "@v.npy"}),
                 "--indices '" + Path("v.npy") + "' names the same file as --out");
  EXPECT_REFUSED(pool({"--kernel", "2"}), "--out");
  EXPECT_EQ(Outputs({"in.npy"}), std::vector<std::string>{});
}

TEST_F(PoolCliTest, WritesNoOutputUnlessAllCanBeWritten) {
  Write("in.npy", {4, 4}, kSeed4x4);
  EXPECT_REFUSED(
      Pool("in.npy", {"--kernel", "2", "--out", "@v.npy", "--indices", "@missing/i.npy"}),
      Path("missing/i.npy"), "does not exist");
  EXPECT_EQ(Outputs({"in.npy"}), std::vector<std::string>{});
}

// NumPy users' own 2x2 pooling, `a.reshape(m//2, 2, n//2, 2).max((1, 3))`, against poolbench
// on random arrays (with NaN and ties), read back by NumPy.
TEST_F(PoolCliTest, MatchesNumpyReshapeMaxExactly) {
  const std::string python = "/usr/bin/python3";
  if (testing::RunProgram({python, "-c", "import numpy"}).status != 0) {
    GTEST_SKIP() << python << " cannot import numpy (install python3-numpy)";
  }
  const std::string script = POOLBENCH_SOURCE_DIR "/scripts/numpy_pool_reference.py";
  const struct {
    std::string shape, block, layout, strategy;
  } cases[] = {
      {"64 96", "2", "nchw", "reshape_blocks"},
      {"37 51", "2", "nchw", "reshape_blocks"},  // odd sizes: floor mode trims like the reshape
      {"2 3 10 12", "2x3", "nchw", "reshape_blocks"},
      {"2 10 12 3", "2x3", "nhwc", "naive_loops"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.shape + " k" + c.block + " " + c.layout);
    std::vector<std::string> random = {python, script, "random", Path("in.npy"), "--shape"};
    std::istringstream dims(c.shape);
    for (std::string d; dims >> d;) random.push_back(d);
    random.insert(random.end(), {"--seed", "11", "--nan", "0.02"});
    CliResult r = testing::RunProgram(random);
    ASSERT_EQ(r.status, 0) << r.err;
    r = testing::RunProgram({python, script, "pool", Path("in.npy"), Path("ref.npy"), "--block",
                             c.block, "--layout", c.layout});
    ASSERT_EQ(r.status, 0) << r.err;
    r = Pool("in.npy", {"--kernel", c.block, "--layout", c.layout, "--strategy", c.strategy,
                        "--out", "@out.npy"});
    ASSERT_EQ(r.status, 0) << r.err;
    r = testing::RunProgram({python, script, "compare", Path("ref.npy"), Path("out.npy")});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_EQ(r.out.rfind("equal: float32", 0), 0u) << r.out;
  }
}

// Outputs follow the one writer's rules: never the input, never a FIFO or a device.
TEST_F(PoolCliTest, RefusesAnOutputThatIsTheInputOrNotARegularFile) {
  Write("in.npy", {4, 4}, kSeed4x4);
  const std::string input = testing::Slurp(Path("in.npy"));
  EXPECT_REFUSED(Pool("in.npy", {"--kernel", "2", "--out", "@in.npy"}), "is the input");
  EXPECT_REFUSED(Pool("in.npy", {"--kernel", "2", "--out", "@v.npy", "--indices", "@in.npy"}),
                 "is the input");
  EXPECT_EQ(testing::Slurp(Path("in.npy")), input);
  ASSERT_EQ(::mkfifo(Path("fifo").c_str(), 0600), 0);
  EXPECT_REFUSED(Pool("in.npy", {"--kernel", "2", "--out", "@fifo"}), Path("fifo"), "is a FIFO");
  EXPECT_TRUE(fs::is_fifo(Path("fifo")));
  EXPECT_EQ(Outputs({"in.npy", "fifo"}), std::vector<std::string>{});
}

TEST_F(PoolCliTest, RefusesToReplaceADevice) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: only root could replace /dev/null";
  Write("in.npy", {4, 4}, kSeed4x4);
  EXPECT_REFUSED(Pool("in.npy", {"--kernel", "2", "--out", "/dev/null"}),
                 "/dev/null is a character device");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

}  // namespace
}  // namespace poolbench

namespace poolbench {
namespace {

// pool runs its strategy in a worker like check: a strategy that crashes, hangs or exits is
// named with its plugin and verdict, the command exits 1, and no file is written (it used to
// exit 0 with no file for an exiting strategy).
TEST_F(PoolCliTest, AFaultyStrategyIsNamedAndWritesNothing) {
  Write<float>("in.npy", {4, 4}, std::vector<float>(16, 1.0f));
  struct Case {
    const char* plugin;
    const char* strategy;
    const char* message;
  };
  for (const Case& c : {Case{POOLBENCH_TEST_PLUGIN_FAULTY_SEGFAULT_PLUGIN, "faulty_segfault",
                             "CRASHED: crashed with SIGSEGV"},
                        Case{POOLBENCH_TEST_PLUGIN_FAULTY_EXIT_PLUGIN, "faulty_exit",
                             "EXITED: the process exited with status 0"},
                        Case{POOLBENCH_TEST_PLUGIN_FAULTY_LOOP_PLUGIN, "faulty_loop",
                             "TIMED OUT: timed out: did not finish within 1 s"},
                        Case{POOLBENCH_TEST_PLUGIN_FAULTY_SUPPORTS_PLUGIN, "faulty_supports_throw",
                             "THREW: threw: support table not initialised"}}) {
    const CliResult r = testing::RunPoolbench({"--plugin", c.plugin, "pool", Path("in.npy"),
                                               "--kernel", "2", "--strategy", c.strategy, "--out",
                                               Path("out.npy"), "--timeout", "1"});
    EXPECT_EQ(r.status, 1) << r.Output();
    EXPECT_TRUE(testing::Contains(r.err, std::string("poolbench: error: strategy '") + c.strategy +
                                             "' (plugin '" + c.plugin +
                                             "') on max:fwd:f32:nchw:1x1x4x4:k2x2: " + c.message));
    EXPECT_TRUE(testing::Contains(r.err, "no file was written"));
    EXPECT_EQ(Outputs({"in.npy"}), std::vector<std::string>{}) << c.strategy;
  }
}

}  // namespace
}  // namespace poolbench
