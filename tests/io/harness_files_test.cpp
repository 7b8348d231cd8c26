// The harness's own open files are closed in every process forked from it, so that a strategy in
// a worker cannot write into them through the descriptors it inherited.
#include "io/harness_files.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

// Forks a child that writes to `fd`; its exit status: 0 when the write failed with EBADF (the
// descriptor was closed in it), 1 when the write went through.
int ChildWriteStatus(int fd) {
  const pid_t pid = fork();
  if (pid == 0) {
    const bool written = ::write(fd, "child", 5) == 5;
    _exit(!written && errno == EBADF ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(HarnessFiles, AreClosedInForkedChildrenUntilForgotten) {
  const testing::TempDir dir("poolbench_harness_files_test");
  const int fd = ::open(dir.Path("out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ChildWriteStatus(fd), 1);  // an ordinary descriptor is inherited
  HideFromChildren(fd);
  EXPECT_EQ(ChildWriteStatus(fd), 0);
  EXPECT_EQ(::write(fd, "parent", 6), 6);  // still the harness's to write
  ShowToChildren(fd);
  EXPECT_EQ(ChildWriteStatus(fd), 1);
  ::close(fd);
  EXPECT_EQ(testing::Slurp(dir.Path("out")), "childparentchild");
}

}  // namespace
}  // namespace poolbench
