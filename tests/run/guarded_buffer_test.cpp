// The guarded buffer's layout: data aligned, the contract's over-read readable, guard zones
// that catch small stray writes, and read-only inputs that can be written again afterwards.
#include "run/guarded_buffer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

namespace poolbench {
namespace {

TEST(GuardedBuffer, DataIsAlignedAndTheOverReadIsReadable) {
  for (int64_t bytes : {1, 63, 64, 100, 4096, 4097, 100000}) {
    GuardedBuffer b(bytes, "output");
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % kBufferAlignment, 0u);
    // Reading the contract's 64 bytes past the end (and the whole zone) must not fault.
    const auto* p = static_cast<const volatile unsigned char*>(b.data());
    unsigned sum = 0;
    for (int64_t i = 0; i < bytes + GuardedBuffer::kGuardBytes; ++i) sum += p[i];
    EXPECT_GT(sum, 0u);
    GuardHit hit;
    ASSERT_TRUE(FindGuardedBuffer(static_cast<const char*>(b.data()) + bytes + 64, hit));
    EXPECT_STREQ(hit.label, "output");
    EXPECT_EQ(hit.offset, bytes + 64);
  }
}

TEST(GuardedBuffer, GuardZonesCatchSmallStrayWrites) {
  GuardedBuffer b(100);
  EXPECT_EQ(b.GuardDamage(), "");
  static_cast<unsigned char*>(b.data())[103] = 0;
  EXPECT_EQ(b.GuardDamage(), "wrote past the end of the buffer (4 bytes after it)");
  GuardedBuffer c(100);
  static_cast<unsigned char*>(c.data())[-12] = 0;
  EXPECT_EQ(c.GuardDamage(), "wrote before the start of the buffer (12 bytes before it)");
}

TEST(GuardedBuffer, ReadOnlyEndsWithItsScopeAndMovesKeepTheLookup) {
  GuardedBuffer a(256, "input");
  { const ReadOnlyWhileAlive read_only{&a}; }
  std::memset(a.data(), 1, 256);  // writable again, or this would fault
  GuardedBuffer b = std::move(a);
  GuardHit hit;
  ASSERT_TRUE(FindGuardedBuffer(static_cast<char*>(b.data()) + 3, hit));
  EXPECT_EQ(hit.offset, 3);
  const void* gone = b.data();
  b = GuardedBuffer();
  EXPECT_FALSE(FindGuardedBuffer(gone, hit));
}

}  // namespace
}  // namespace poolbench
