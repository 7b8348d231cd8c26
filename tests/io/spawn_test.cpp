#include "io/spawn.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <optional>
#include <system_error>

#include "support/temp_dir.hpp"

namespace poolbench::io {
namespace {

using testing::Slurp;
using testing::TempDir;

TEST(Spawn, RunsWithoutAShellAndRedirectsBothStreams) {
  const TempDir dir("pb_spawn");
  SpawnOptions o;
  o.stdout_path = dir.Path("out");
  o.stderr_path = dir.Path("err");
  // The argument reaches the program as it is: no shell expands the '$' or the ';'.
  const int status = Wait(Spawn({"sh", "-c", "echo \"$0\"; echo err >&2; exit 3", "a $b; c"}, o));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(Slurp(dir.Path("out")), "a $b; c\n");
  EXPECT_EQ(Slurp(dir.Path("err")), "err\n");
  EXPECT_EQ(DescribeWaitStatus(status), "exited with status 3");
}

TEST(Spawn, SendsErrorWhereOutputGoesAndReadsTheGivenInput) {
  const TempDir dir("pb_spawn");
  SpawnOptions o;
  o.stdin_path = dir.Write("in", "from a file\n");
  o.stdout_path = dir.Path("log");
  o.stderr_to_stdout = true;
  ASSERT_EQ(Wait(Spawn({"sh", "-c", "cat; echo err >&2"}, o)), 0);
  EXPECT_EQ(Slurp(dir.Path("log")), "from a file\nerr\n");
}

TEST(Spawn, GivesTheChildOnlyTheEnvironmentGiven) {
  const TempDir dir("pb_spawn");
  SpawnOptions o;
  o.stdout_path = dir.Path("out");
  o.environment = {"POOLBENCH_SPAWN_TEST=yes", "PATH=/usr/bin:/bin"};
  ASSERT_EQ(Wait(Spawn({"sh", "-c", "echo $POOLBENCH_SPAWN_TEST ${HOME:-none}"}, o)), 0);
  EXPECT_EQ(Slurp(dir.Path("out")), "yes none\n");
}

TEST(Spawn, AProgramThatCannotStartIsNamed) {
  try {
    Spawn({"/nonexistent/poolbench-no-such-program"});
    FAIL() << "started a program that does not exist";
  } catch (const std::system_error& e) {
    EXPECT_TRUE(testing::Contains(e.what(), "cannot start /nonexistent/poolbench-no-such-program"));
  }
  EXPECT_THROW(Spawn({}), std::invalid_argument);
}

TEST(Spawn, WaitForGivesUpAtItsLimitAndTheStatusNamesTheSignal) {
  const pid_t pid = Spawn({"sleep", "30"});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(WaitFor(pid, std::chrono::milliseconds(100)), std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ::kill(pid, SIGKILL);
  const int status = Wait(pid);
  EXPECT_EQ(DescribeWaitStatus(status), "was killed by SIGKILL");
  const std::optional<int> quick = WaitFor(Spawn({"true"}), std::chrono::seconds(30));
  ASSERT_TRUE(quick.has_value());
  EXPECT_EQ(*quick, 0);
}

}  // namespace
}  // namespace poolbench::io
