// Every file poolbench writes (reports, Markdown, CSV, HTML, comparisons, .npy arrays, journals)
// follows one set of rules, kept here:
// - It appears complete or not at all: it is written to a temporary file with a unique name in
//   the destination's directory, flushed to disk, and renamed over the destination only when
//   complete. A failed or interrupted run never leaves a truncated file, and two processes
//   writing the same path never mix their bytes (the last rename wins).
// - A symbolic link is written through: the file it points to is replaced, the link stays.
// - Only a regular file is ever replaced: a directory, a device (/dev/null), a FIFO or a socket
//   at the destination is refused with a message naming the path and what it is.
// - An output that is one of the command's inputs is refused (RefuseInputAsOutput), so that a
//   command never destroys what it reads.
// - No temporary file survives SIGINT, SIGTERM or SIGHUP: pending temporary files are removed in
//   the signal handler (RemoveTempFilesOnSignals).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace poolbench {

// A file that cannot be written. The message names the destination and the reason.
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The file that writing `path` replaces: `path` itself, or the file a symbolic link (or a chain
// of them) points to, which need not exist yet. Throws FileError when something other than a
// regular file is there, when the links loop, or when the path is empty.
std::string OutputTarget(const std::string& path);

// Throws FileError when `output` names the same file as one of `inputs` (compared by device and
// inode, so links and different spellings of one path are caught). "-" (standard output) and
// empty paths are ignored.
void RefuseInputAsOutput(const std::string& output, const std::vector<std::string>& inputs);

// A file being written. The temporary file is created at once (with the permissions any new file
// gets: 0666 less the umask), so a missing directory or a read-only one fails before any work.
// Commit() makes it the destination; destroyed uncommitted, the temporary file is removed. A
// command that stages all its outputs before committing any leaves nothing behind when one fails.
class PendingFile {
 public:
  // Throws FileError when the destination's directory does not exist, the destination is not a
  // regular file (OutputTarget) or the temporary file cannot be created.
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
  void CloseFd() noexcept;            // closes the temporary file's descriptor, if open
  void Forget();                      // removes the temporary file from the signal handler's list

  std::string path_;
  std::string target_;  // OutputTarget(path_): what the rename replaces
  std::string temp_;    // empty once committed or moved from
  int fd_ = -1;
  int slot_ = -1;  // the temporary file's entry in the signal handler's list, or -1
};

// Writes `bytes` to `path` atomically: a PendingFile written and committed at once.
void WriteFileAtomically(const std::string& path, std::string_view bytes);

// Removes every pending temporary file. Async-signal-safe (only unlink(2) on paths stored when
// the files were created), for signal handlers of commands that handle signals themselves.
void RemovePendingTempFiles() noexcept;

// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove the pending temporary files and
// then die of the same signal, so that the exit status still says which signal ended the run.
void RemoveTempFilesOnSignals();

}  // namespace poolbench
