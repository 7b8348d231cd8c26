// Fuzz target: the .npy reader (harness/io/npy). Any file either reads as an array whose bytes
// match its shape and dtype, or throws NpyError. The reader takes a path, so each input is
// written to a file of this process's own first.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "io/npy.hpp"

namespace {

const std::string& InputPath() {
  static const std::string path = "/tmp/poolbench_npy_fuzz_" + std::to_string(getpid()) + ".npy";
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace poolbench;
  {
    std::ofstream out(InputPath(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const NpyArray a = ReadNpy(InputPath());
    int64_t elements = 1;
    for (int64_t d : a.shape) {
      if (d < 0) std::abort();
      elements *= d;
    }
    if (elements * SizeOf(a.dtype) != static_cast<int64_t>(a.bytes.size())) std::abort();
    (void)ShapeString(a.shape);
  } catch (const NpyError&) {
  }
  return 0;
}
