// Reading a whole input file that a user named: a report, a journal, a suite. Only a regular file
// is read, and only up to a size limit, so that a FIFO, /dev/zero or a device is refused at once
// instead of hanging the reader or growing its memory until the machine runs out.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace poolbench {

class InputFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The content of `path`. Throws InputFileError "<path>: <why>" when the file does not exist,
// cannot be opened or read, is not a regular file (it is opened without blocking, so a FIFO
// without a writer is refused rather than waited on), or holds more than `max_bytes` bytes;
// `what` names the kind of file in the message ("report").
std::string ReadInputFile(const std::string& path, size_t max_bytes, const std::string& what);

}  // namespace poolbench
