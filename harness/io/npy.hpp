// Reading and writing NumPy .npy files, so that users can pool their own arrays and compare
// the results with their NumPy code.
//
// The format work is xtensor's (xt::load_npy / xt::dump_npy). Its reader trusts the file: it
// allocates whatever the header's shape says, reads the data without checking that it was all
// there, and misreads some header lengths. ReadNpy therefore checks the file first (magic,
// version, header, dtype, shape, size) and hands it to xtensor only when it is well formed, so
// that a malformed file gets an error naming the problem instead of garbage or a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "poolbench/problem.hpp"

namespace poolbench {

// A file that cannot be read or written as .npy. The message names the file and the problem.
class NpyError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// An array of one of poolbench's dtypes, its elements in C (row-major) order whatever order
// the file stored them in.
struct NpyArray {
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  // Native (little-endian) elements. Allocated by operator new, so aligned for every dtype.
  std::vector<std::byte> bytes;

  int64_t size() const { return static_cast<int64_t>(bytes.size()) / SizeOf(dtype); }
  const void* data() const { return bytes.data(); }
};

// Reads a .npy file of dtype '<f4', '<f8' or '<i4', of any rank (zero-sized dimensions
// included), in C or Fortran order; bytes after the array are ignored, as numpy.load does.
// Throws NpyError for anything else: a missing or unreadable file, a file that is not .npy,
// an unsupported format version, a malformed header, another dtype, or data shorter than
// the shape says.
NpyArray ReadNpy(const std::string& path);

// The shape as NumPy prints it: "(4, 4)", "(5,)", "()".
std::string ShapeString(std::span<const int64_t> shape);

// A .npy file written to a temporary file beside its destination, which Commit() renames
// into place; if it is destroyed uncommitted, the temporary file is removed. A reader thus
// never sees a partial file, and a command that stages all its outputs before committing any
// leaves nothing behind when one of them fails. T is float, double, int32_t or int64_t.
class PendingNpy {
 public:
  template <class T>
  PendingNpy(std::string path, std::span<const int64_t> shape, const T* data);
  PendingNpy(PendingNpy&& other) noexcept;
  PendingNpy& operator=(PendingNpy&&) = delete;
  PendingNpy(const PendingNpy&) = delete;
  PendingNpy& operator=(const PendingNpy&) = delete;
  ~PendingNpy();

  // Renames the temporary file to the destination. Throws NpyError if that fails.
  void Commit();

 private:
  std::string path_;
  std::string temp_;  // empty once committed or moved from
};

// Writes one .npy file atomically (a PendingNpy committed at once).
template <class T>
void WriteNpy(const std::string& path, std::span<const int64_t> shape, const T* data) {
  PendingNpy(path, shape, data).Commit();
}

}  // namespace poolbench
