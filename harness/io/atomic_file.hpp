// Every file poolbench writes (reports, Markdown, CSV, HTML, comparisons, .npy arrays) appears
// complete or not at all: it is written to a temporary file with a unique name in the same
// directory, flushed to disk, and renamed over the destination only when complete. A failed or
// interrupted run never leaves a truncated file, and two processes writing the same path never
// mix their bytes (the last rename wins).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace poolbench {

// A file that cannot be written. The message names the destination and the reason.
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file being written. The temporary file is created at once (with the permissions any new file
// gets: 0666 less the umask), so a missing directory or a read-only one fails before any work.
// Commit() makes it the destination; destroyed uncommitted, the temporary file is removed. A
// command that stages all its outputs before committing any leaves nothing behind when one fails.
class PendingFile {
 public:
  // Throws FileError when the destination's directory does not exist or the temporary file
  // cannot be created.
  explicit PendingFile(std::string path);
  PendingFile(PendingFile&& other) noexcept;
  PendingFile& operator=(PendingFile&&) = delete;
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;
  ~PendingFile();

  const std::string& path() const { return path_; }
  // The temporary file, for a child process that writes the content itself; it exists until
  // Commit() or destruction.
  const std::string& temp_path() const { return temp_; }

  // Appends `bytes`. Throws FileError (and removes the temporary file) when writing fails.
  void Write(std::string_view bytes);
  // Flushes the content to disk and renames the temporary file to the destination. Throws
  // FileError if that fails. Does nothing when already committed.
  void Commit();

 private:
  void Fail(const std::string& why);  // removes the temporary file, then throws

  std::string path_;
  std::string temp_;  // empty once committed or moved from
  int fd_ = -1;
};

// Writes `bytes` to `path` atomically: a PendingFile written and committed at once.
void WriteFileAtomically(const std::string& path, std::string_view bytes);

}  // namespace poolbench
