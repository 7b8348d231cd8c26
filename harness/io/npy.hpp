// Reading and writing NumPy .npy files, so that users can pool their own arrays and compare
// the results with their NumPy code.
//
// The format (numpy.lib.format): the magic string "\x93NUMPY", a version (1.0, 2.0 or 3.0), the
// length of the header, and the header, a Python dictionary literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces to a 64-byte boundary and ended by a newline; then the elements. The reader
// takes any file numpy.load takes for the supported dtypes, and refuses every other file with
// a message that names the problem, before it allocates anything the header asks for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/atomic_file.hpp"
#include "poolbench/problem.hpp"

namespace poolbench {

// A file that cannot be read as .npy. The message names the file and the problem.
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

// The bytes of a .npy file holding `data` (C order) with `shape`, as numpy.save writes them.
// T is the storage type of a dtype with a NumPy descr, or int64_t (indices).
template <class T>
std::string EncodeNpy(std::span<const int64_t> shape, const T* data);

// Writes one .npy file atomically. Throws FileError when it cannot be written.
template <class T>
void WriteNpy(const std::string& path, std::span<const int64_t> shape, const T* data) {
  WriteFileAtomically(path, EncodeNpy(shape, data));
}

}  // namespace poolbench
