// The SHA-256 of a file, as lowercase hex: which exact plugin file produced a strategy's
// results, recorded in the report. Computed with OpenSSL's libcrypto.
#pragma once

#include <stdexcept>
#include <string>

namespace poolbench {

class Sha256Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Sha256Error naming the file when it cannot be read.
std::string Sha256OfFile(const std::string& path);

}  // namespace poolbench
