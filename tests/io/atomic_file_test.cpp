// The atomic writer behind every output file of the commands: the file appears complete or not
// at all, and no temporary file is left behind.
#include "io/atomic_file.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace poolbench {
namespace {

TEST(AtomicFile, WritesAndReplacesTheFileLeavingNothingElse) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  WriteFileAtomically(dir.Path("out.md"), "first\n");
  EXPECT_EQ(testing::Slurp(dir.Path("out.md")), "first\n");
  WriteFileAtomically(dir.Path("out.md"), "second");
  EXPECT_EQ(testing::Slurp(dir.Path("out.md")), "second");
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"out.md"});
}

TEST(AtomicFile, AMissingDirectoryIsNamedAndNothingIsWritten) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  try {
    WriteFileAtomically(dir.Path("no/out.md"), "x");
    ADD_FAILURE() << "WriteFileAtomically wrote into a missing directory";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(dir.Files().empty());
}

// Writers of one path each use a temporary file of their own, so the result is one writer's
// text in full, never a mix, and every temporary file is gone.
TEST(AtomicFile, ConcurrentWritersOfOnePathNeverMix) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  const std::string path = dir.Path("out.txt");
  std::vector<std::string> texts;
  for (char c : std::string("abcdefgh")) texts.push_back(std::string(1 << 16, c));
  std::vector<std::thread> writers;
  for (const std::string& text : texts) {
    writers.emplace_back([&path, &text] {
      for (int i = 0; i < 20; ++i) WriteFileAtomically(path, text);
    });
  }
  for (std::thread& t : writers) t.join();
  const std::string result = testing::Slurp(path);
  EXPECT_NE(std::find(texts.begin(), texts.end(), result), texts.end());
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"out.txt"});
}

TEST(AtomicFile, APendingFileIsInvisibleUntilCommittedAndRemovedWhenDropped) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  {
    PendingFile dropped(dir.Path("dropped.txt"));
    dropped.Write("never seen");
    EXPECT_EQ(dir.Files().size(), 1u) << "the temporary file, beside the destination";
  }
  EXPECT_TRUE(dir.Files().empty());

  PendingFile kept(dir.Path("kept.txt"));
  kept.Write("a");
  kept.Write("b");
  EXPECT_FALSE(std::filesystem::exists(dir.Path("kept.txt")));
  kept.Commit();
  EXPECT_EQ(testing::Slurp(dir.Path("kept.txt")), "ab");
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"kept.txt"});
  EXPECT_THROW(kept.Write("c"), FileError);
}

TEST(AtomicFile, ASymbolicLinkIsWrittenThroughToItsTarget) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  std::filesystem::create_directory(dir.Path("data"));
  dir.Write("data/report.json", "old");
  std::filesystem::create_symlink("data/report.json", dir.Path("latest.json"));
  WriteFileAtomically(dir.Path("latest.json"), "new");
  EXPECT_TRUE(std::filesystem::is_symlink(dir.Path("latest.json")));
  EXPECT_EQ(testing::Slurp(dir.Path("data/report.json")), "new");
  // The temporary file was staged beside the target, and is gone.
  EXPECT_EQ(dir.Files(), (std::vector<std::string>{"data", "latest.json"}));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.Path("data")), {}), 1);

  // A link to a file that does not exist yet creates it.
  std::filesystem::create_symlink("data/fresh.md", dir.Path("fresh.md"));
  WriteFileAtomically(dir.Path("fresh.md"), "fresh");
  EXPECT_TRUE(std::filesystem::is_symlink(dir.Path("fresh.md")));
  EXPECT_EQ(testing::Slurp(dir.Path("data/fresh.md")), "fresh");
}

// Writes `path` expecting a FileError whose message contains `phrase`.
void ExpectRefused(const std::string& path, const std::string& phrase) {
  try {
    WriteFileAtomically(path, "x");
    ADD_FAILURE() << path << " was replaced";
  } catch (const FileError& e) {
    EXPECT_TRUE(testing::Contains(e.what(), phrase));
    EXPECT_TRUE(testing::Contains(e.what(), path));
  }
}

TEST(AtomicFile, OnlyARegularFileIsReplaced) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  std::filesystem::create_directory(dir.Path("folder"));
  ExpectRefused(dir.Path("folder"), "is a directory");
  EXPECT_TRUE(std::filesystem::is_directory(dir.Path("folder")));

  ASSERT_EQ(::mkfifo(dir.Path("fifo").c_str(), 0600), 0);
  ExpectRefused(dir.Path("fifo"), "is a FIFO");
  std::filesystem::create_symlink("fifo", dir.Path("to_fifo"));
  ExpectRefused(dir.Path("to_fifo"), "where the link");
  EXPECT_TRUE(std::filesystem::is_fifo(dir.Path("fifo")));
  EXPECT_EQ(dir.Files(), (std::vector<std::string>{"fifo", "folder", "to_fifo"}));

  std::filesystem::create_symlink("loop_b", dir.Path("loop_a"));
  std::filesystem::create_symlink("loop_a", dir.Path("loop_b"));
  ExpectRefused(dir.Path("loop_a"), "too many levels of symbolic links");
}

TEST(AtomicFile, ADeviceIsNeverReplaced) {
  // Only root may rename over /dev/null; anyone else is stopped by the permissions whatever
  // poolbench does, so the refusal is proven only as root.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: only root could replace /dev/null";
  ExpectRefused("/dev/null", "is a character device");
  struct stat st;
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

// /dev/stdout on a pipe is a link to "pipe:[N]", no path at all: it was refused with "cannot
// create a temporary file beside it", which says nothing of why.
TEST(AtomicFile, AnOpenPipeBehindALinkIsNamedAsAPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string link = "/proc/self/fd/" + std::to_string(fds[1]);
  ExpectRefused(link, "is a pipe (pipe:[");
  ExpectRefused(link, "give a file name, or '-' for standard output");
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(AtomicFile, AnOutputThatIsAnInputIsRefused) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  const std::string in = dir.Write("in.json", "{}"), other = dir.Write("other.json", "{}");
  std::filesystem::create_symlink("in.json", dir.Path("link.json"));
  std::filesystem::create_hard_link(in, dir.Path("hard.json"));
  for (const std::string& out :
       {in, dir.Path("./in.json"), dir.Path("link.json"), dir.Path("hard.json")}) {
    try {
      RefuseInputAsOutput(out, {other, in});
      ADD_FAILURE() << out << " was accepted as an output of " << in;
    } catch (const FileError& e) {
      EXPECT_TRUE(testing::Contains(e.what(), "is the input " + in));
    }
  }
  EXPECT_NO_THROW(RefuseInputAsOutput(other, {in}));
  EXPECT_NO_THROW(RefuseInputAsOutput(dir.Path("new.json"), {in}));
  EXPECT_NO_THROW(RefuseInputAsOutput("-", {"-"}));
  EXPECT_NO_THROW(RefuseInputAsOutput("", {in}));
}

TEST(AtomicFile, PendingTemporaryFilesAreRemovedOnRequestCommittedOnesStay) {
  const testing::TempDir dir("poolbench_atomic_file_test");
  PendingFile committed(dir.Path("kept.txt"));
  committed.Write("kept");
  committed.Commit();
  PendingFile pending(dir.Path("pending.txt"));
  EXPECT_EQ(dir.Files().size(), 2u);
  RemovePendingTempFiles();
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"kept.txt"});
}

// A process killed by SIGINT, SIGTERM or SIGHUP while writing dies of that signal, and its
// temporary file goes with it.
TEST(AtomicFile, NoTemporaryFileSurvivesATerminatingSignal) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    const testing::TempDir dir("poolbench_atomic_file_test");
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      RemoveTempFilesOnSignals();
      PendingFile file(dir.Path("out.txt"));
      file.Write("half");
      ::raise(sig);
      ::_exit(0);  // not reached: the handler ends the process with the signal
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "signal " << sig << ": status " << status;
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_TRUE(dir.Files().empty()) << "signal " << sig << " left " << dir.Files().front();
  }
}

}  // namespace
}  // namespace poolbench
