// What poolbench prints to standard output is output too: `poolbench report r.json > summary.md`
// on a full disk, or with standard output closed, must fail instead of exiting 0 with the summary
// lost. And a closed standard stream must not be reused: the next file poolbench opened would get
// descriptor 1, and everything printed would land in it (a report, a journal).
#pragma once

namespace poolbench::cli {

// Opens /dev/null on each of descriptors 0, 1 and 2 that is closed, so that no file poolbench
// opens takes its number. When standard output was the one closed, std::cout is marked failed,
// so that FinishStandardOutput reports what was lost. Call first thing in main().
void GuardStandardStreams();

// Flushes std::cout. When anything printed could not be written (the disk was full, the pipe was
// closed, standard output was closed from the start), says so on standard error and returns the
// usage status (2) in place of a success; a failure status is returned unchanged.
int FinishStandardOutput(int status);

}  // namespace poolbench::cli
