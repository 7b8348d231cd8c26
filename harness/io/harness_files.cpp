#include "io/harness_files.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

namespace poolbench {
namespace {

constexpr int kSlots = 64;
constexpr int kFree = -1;
std::atomic<int> g_fds[kSlots];
std::once_flag g_installed;

// Runs in the child right after fork(): only close(2), which is async-signal-safe.
extern "C" void CloseHarnessFiles() {
  for (std::atomic<int>& slot : g_fds) {
    const int fd = slot.load();
    if (fd != kFree) ::close(fd);
    slot.store(kFree);
  }
}

void Install() {
  for (std::atomic<int>& slot : g_fds) slot.store(kFree);
  pthread_atfork(nullptr, nullptr, CloseHarnessFiles);
}

}  // namespace

void HideFromChildren(int fd) noexcept {
  if (fd < 0) return;
  std::call_once(g_installed, Install);
  for (std::atomic<int>& slot : g_fds) {
    int expected = kFree;
    if (slot.compare_exchange_strong(expected, fd)) return;
  }
}

void ShowToChildren(int fd) noexcept {
  if (fd < 0) return;
  std::call_once(g_installed, Install);
  for (std::atomic<int>& slot : g_fds) {
    int expected = fd;
    if (slot.compare_exchange_strong(expected, kFree)) return;
  }
}

}  // namespace poolbench
