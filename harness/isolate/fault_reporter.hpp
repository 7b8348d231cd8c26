// In a worker: turns a SIGSEGV or SIGBUS into a sentence about what the strategy touched (which
// harness buffer, how far before or past it, or which offset of a read-only input), written to
// the pipe to the harness before the signal kills the worker as usual.
#pragma once

#include <string>

namespace poolbench::isolate {

// Installs the handlers (on an alternate stack, so a stack overflow is reported too). The
// handler is async-signal-safe: it only reads the guarded-buffer table and writes a kFaultFrame
// (protocol.hpp) to `fd`, then lets the signal's default action end the process.
void InstallFaultReporter(int fd);

// What the handler would say about a fault at `address` that was a write (or a read, or
// either when `write` is unknown): for tests and for the in-process path.
std::string DescribeFault(const void* address, int write);

}  // namespace poolbench::isolate
