// The files the harness itself is writing (an output staged by PendingFile, the journal of a
// bench) must not be writable by the strategies it runs. A worker is forked from the harness and
// inherits every open descriptor: a strategy that wrote to the descriptors it found (a Python
// `os.write(fd, ...)` over a range) put its bytes into `check --json`'s staged file, ahead of the
// JSON, and could do the same to a journal. Each such descriptor is registered here and closed
// in every process forked from the harness, at once (a pthread_atfork child handler), so that a
// worker starts without them.
#pragma once

namespace poolbench {

// Marks `fd` as the harness's own: every process forked from now on closes it as it starts.
// Thread-safe; a descriptor that finds no free slot (more than 64 open at once) stays inherited,
// as before.
void HideFromChildren(int fd) noexcept;

// Forgets `fd`: call before closing it, so that a later descriptor with its number is not closed
// in children.
void ShowToChildren(int fd) noexcept;

}  // namespace poolbench
