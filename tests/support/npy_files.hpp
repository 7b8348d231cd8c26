// Test helper: .npy files built byte by byte, independently of the reader and writer under
// test, to feed them well-formed and malformed files and to check what they write.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace poolbench::testing {

// The bytes of a .npy file as numpy.save lays it out: magic, version, little-endian header
// length, the header dictionary padded with spaces to a multiple of 64 bytes and ended by a
// newline, then the data. Each piece can be overridden to build malformed files.
inline std::string NpyFile(const std::string& dict, const std::string& data, int major = 1) {
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

inline std::string Dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

template <class T>
std::string Bytes(std::initializer_list<T> values) {
  std::string s(values.size() * sizeof(T), '\0');
  std::memcpy(s.data(), values.begin(), s.size());
  return s;
}

// The elements of a .npy file of int64 values written as NpyFile lays it out, after checking
// that its header names `shape` (as "(2, 2)") and the int64 dtype; empty when it does not.
inline std::vector<int64_t> Int64Elements(const std::string& file, const std::string& shape) {
  if (file.size() < 10 || file.compare(0, 6, "\x93NUMPY") != 0) return {};
  const size_t header = static_cast<unsigned char>(file[8]) | static_cast<unsigned char>(file[9])
                                                                  << 8;
  const std::string dict = file.substr(10, header);
  if (dict.find(Dict("<i8", shape)) != 0) return {};
  std::vector<int64_t> v((file.size() - 10 - header) / sizeof(int64_t));
  std::memcpy(v.data(), file.data() + 10 + header, v.size() * sizeof(int64_t));
  return v;
}

}  // namespace poolbench::testing
