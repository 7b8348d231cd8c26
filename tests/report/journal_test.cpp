// The journal of a bench run: records read back as a run, a cut-short last line dropped and cut
// off before appending, anything else corrupted refused with its line (records that do not make
// a valid report too), settings compared.
#include "report/journal.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "report/reader.hpp"
#include "report/writer.hpp"
#include "support/temp_dir.hpp"

namespace poolbench::report {
namespace {

const Json kSettings = {{"seed", 1}, {"problems", {"max:fwd:f32:nchw:1x1x4x4:k2x2"}}};

const std::string kDescriptor = "max:fwd:f32:nchw:1x1x4x4:k2x2";

// The context of a real report, as bench records it first.
Json Context() {
  return ReadJson(POOLBENCH_SOURCE_DIR "/tests/data/sample_report.json", Expect::kPoolbench)
      .at("context");
}

// The record of one result of `strategy`, as bench appends it: its repetitions and aggregates.
Json Record(const std::string& strategy) {
  Result r;
  r.strategy = strategy;
  r.descriptor = kDescriptor;
  r.name = ResultName(strategy, kDescriptor, 1);
  r.op = "max", r.direction = "fwd", r.dtype = "f32", r.layout = "nchw";
  r.bytes_moved = 80;
  for (const double ns : {10.0, 12.0}) {
    report::Sample sample;
    sample.real_ns = sample.cpu_ns = ns;
    sample.iterations = 100;
    r.samples.push_back(sample);
  }
  return {{"benchmarks", EntriesOf(r, 0)}};
}

void Append(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
}

// A journal with a context, two benchmarks and a skipped pair.
std::string WriteJournal(const testing::TempDir& dir) {
  const std::string path = JournalPath(dir.Path("out.json"));
  JournalWriter journal = JournalWriter::Create(path, kSettings);
  journal.Append({{"context", Context()}});
  journal.Append(Record("a"));
  journal.Append({{"skipped", {{"strategy", "s"}, {"descriptor", "d"}, {"reason", "r"}}}});
  journal.Append(Record("b"));
  return path;
}

TEST(Journal, ReadsBackTheRecordsAsARun) {
  const testing::TempDir dir("poolbench_journal_test");
  const std::string path = WriteJournal(dir);
  EXPECT_EQ(path, dir.Path("out.json.journal"));
  const JournalContents j = ReadJournal(path);
  EXPECT_EQ(j.settings, kSettings);
  EXPECT_FALSE(j.dropped_tail);
  EXPECT_EQ(j.valid_bytes, testing::Slurp(path).size());
  ASSERT_TRUE(j.run);
  EXPECT_EQ(j.run->context.date, "2026-11-22T03:30:00+00:00");
  ASSERT_EQ(j.run->results.size(), 2u);
  EXPECT_EQ(j.run->results[1].name, ResultName("b", kDescriptor, 1));
  EXPECT_EQ(*j.run->results[1].time_ns, 11);
  ASSERT_EQ(j.run->context.skipped.size(), 1u);
  EXPECT_EQ(j.run->context.skipped[0].reason, "r");
}

TEST(Journal, AJournalWithoutContextHasNoRun) {
  const testing::TempDir dir("poolbench_journal_test");
  const std::string path = dir.Path("j");
  JournalWriter::Create(path, kSettings);
  const JournalContents j = ReadJournal(path);
  EXPECT_EQ(j.settings, kSettings);
  EXPECT_FALSE(j.run);
}

// A kill during a write leaves the last line cut short: that result is dropped (and measured
// again), and a continued journal first cuts it off, so the next record starts a line.
TEST(Journal, ACutShortLastLineIsDroppedAndCutOffWhenContinued) {
  const testing::TempDir dir("poolbench_journal_test");
  const std::string path = WriteJournal(dir);
  const size_t whole = testing::Slurp(path).size();
  Append(path, R"({"benchmarks":[{"name":"c/thr)");
  JournalContents j = ReadJournal(path);
  EXPECT_TRUE(j.dropped_tail);
  EXPECT_EQ(j.valid_bytes, whole);
  EXPECT_EQ(j.run->results.size(), 2u);

  {
    JournalContents resumed;
    JournalWriter writer = JournalWriter::Resume(path, resumed);
    EXPECT_TRUE(resumed.dropped_tail);
    writer.Continue(resumed);
    writer.Append(Record("c"));
  }
  j = ReadJournal(path);
  EXPECT_FALSE(j.dropped_tail);
  ASSERT_EQ(j.run->results.size(), 3u);
  EXPECT_EQ(j.run->results[2].strategy, "c");

  // A complete JSON value without its newline was cut short too.
  Append(path, R"({"skipped":{}})");
  EXPECT_TRUE(ReadJournal(path).dropped_tail);
}

// Writes a journal of the given lines and expects ReadJournal to refuse it with `phrase`.
void ExpectRefused(const std::string& lines, const std::string& phrase) {
  const testing::TempDir dir("poolbench_journal_test");
  const std::string path = dir.Write("j", lines);
  try {
    ReadJournal(path);
    ADD_FAILURE() << "accepted:\n" << lines;
  } catch (const JournalError& e) {
    EXPECT_TRUE(testing::Contains(e.what(), path + ":" + phrase));
  }
}

TEST(Journal, ACorruptedJournalIsRefusedNamingTheLine) {
  const std::string header = R"({"poolbench_journal":1,"settings":{}})"
                             "\n";
  const std::string context = R"({"context":{}})"
                              "\n";
  ExpectRefused("", " the journal is empty");
  ExpectRefused("{\"seed\":1}\n", "1: not a poolbench journal");
  ExpectRefused(R"({"poolbench_journal":9,"settings":{}})"
                "\n",
                "1: journal version 9");
  ExpectRefused(header + context + "garbage\n" +
                    R"({"skipped":{}})"
                    "\n",
                "3: corrupted (not a JSON line)");
  // Bytes that are not UTF-8 are quoted replaced, not thrown on (found by fuzz_journal).
  ExpectRefused(header + context +
                    "garb\xC8"
                    "age\n" +
                    R"({"skipped":{}})"
                    "\n",
                "3: corrupted (not a JSON line): \"garb\xEF\xBF\xBD"
                "age\"");
  ExpectRefused(header + context +
                    R"({"other":[]})"
                    "\n",
                "3: corrupted (not a journal record)");
  ExpectRefused(header + R"({"benchmarks":[]})"
                         "\n",
                "2: corrupted");  // before the context
  ExpectRefused(header + context + context, "3: corrupted");
  // A crafted line nested 100,000 deep is refused before anything recurses into it, whether it
  // is whole or cut short at the end.
  const std::string deep =
      "{\"skipped\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  ExpectRefused(header + context + deep + "\n", "3: nested deeper than 64 levels");
  ExpectRefused(header + context + std::string(100000, '['), "3: nested deeper than 64 levels");
}

// A journal is one run's: while a writer holds it, another run is refused with the holder's PID,
// whether it starts afresh or resumes; once the writer is gone, the journal is free again.
TEST(Journal, ASecondWriterIsRefusedWithTheHoldersPid) {
  const testing::TempDir dir("poolbench_journal_test");
  const std::string path = WriteJournal(dir);
  const std::string before = testing::Slurp(path);
  {
    JournalContents contents;
    JournalWriter holder = JournalWriter::Resume(path, contents);
    const std::string pid = "(PID " + std::to_string(getpid()) + ")";
    try {
      JournalWriter::Create(path, kSettings);
      ADD_FAILURE() << "a second writer was let in";
    } catch (const JournalError& e) {
      EXPECT_TRUE(testing::Contains(e.what(), path + ": is in use by another run"));
      EXPECT_TRUE(testing::Contains(e.what(), pid));
    }
    try {
      JournalContents again;
      JournalWriter::Resume(path, again);
      ADD_FAILURE() << "a second writer was let in";
    } catch (const JournalError& e) {
      EXPECT_TRUE(testing::Contains(e.what(), pid));
    }
    EXPECT_EQ(testing::Slurp(path), before) << "a refused writer changes nothing";
  }
  JournalWriter::Create(path, kSettings);
}

// A run that finishes removes its own journal only: one that another run has put at the path
// since stays.
TEST(Journal, RemoveDeletesOnlyTheWritersOwnFile) {
  const testing::TempDir dir("poolbench_journal_test");
  const std::string path = dir.Path("j");
  JournalWriter first = JournalWriter::Create(path, kSettings);
  std::filesystem::rename(path, dir.Path("moved"));
  dir.Write("j", "someone else's");
  first.Remove();
  EXPECT_EQ(testing::Slurp(path), "someone else's");
}

// A journal is never written through a link or into a file shared with another name, and
// nothing but a regular file is read as one (a FIFO would hang the run).
TEST(Journal, LinksHardLinksAndSpecialFilesAreRefused) {
  const testing::TempDir dir("poolbench_journal_test");
  const std::string victim = dir.Write("victim", "precious\n");
  std::filesystem::create_symlink(victim, dir.Path("link.journal"));
  std::filesystem::create_hard_link(victim, dir.Path("hard.journal"));
  ASSERT_EQ(mkfifo(dir.Path("fifo.journal").c_str(), 0644), 0);
  const auto refused = [&](const std::string& name, const std::string& phrase) {
    for (bool resume : {false, true}) {
      try {
        JournalContents c;
        if (resume) {
          JournalWriter::Resume(dir.Path(name), c);
        } else {
          JournalWriter::Create(dir.Path(name), kSettings);
        }
        ADD_FAILURE() << name << " was taken for a journal";
      } catch (const JournalError& e) {
        EXPECT_TRUE(testing::Contains(e.what(), dir.Path(name) + ": " + phrase));
      }
    }
  };
  refused("link.journal", "is a symbolic link");
  refused("hard.journal", "has 1 other hard link(s)");
  refused("fifo.journal", "is a FIFO, not a journal");
  try {
    ReadJournal(dir.Path("fifo.journal"));
    ADD_FAILURE() << "a FIFO was read as a journal";
  } catch (const JournalError& e) {
    EXPECT_TRUE(testing::Contains(e.what(), "is a FIFO"));
  }
  EXPECT_EQ(testing::Slurp(victim), "precious\n");
  EXPECT_TRUE(std::filesystem::is_symlink(dir.Path("link.journal")));
}

// Records the runner could not resume from are corrupted lines, not a crash later.
TEST(Journal, EntriesWithoutARunNameAreNotRecords) {
  const std::string header = R"({"poolbench_journal":1,"settings":{}})"
                             "\n";
  const std::string context = R"({"context":{}})"
                              "\n";
  ExpectRefused(header + context + R"({"benchmarks":[{"name":"x"}]})" + "\n",
                "3: corrupted (not a journal record)");
  ExpectRefused(header + context + R"({"benchmarks":[{"run_name":7}]})" + "\n", "3: corrupted");
  ExpectRefused(header + context + R"({"skipped":{"strategy":"s"}})" + "\n", "3: corrupted");
}

TEST(Journal, RecordsThatDoNotMakeAValidReportAreRefused) {
  const testing::TempDir dir("poolbench_journal_test");
  const std::string path = JournalPath(dir.Path("out.json"));
  JournalWriter journal = JournalWriter::Create(path, kSettings);
  journal.Append({{"context", Context()}});
  Json record = Record("a");
  record["benchmarks"][0]["real_time"] = "fast";
  journal.Append(record);
  try {
    ReadJournal(path);
    ADD_FAILURE() << "a journal whose result has a time of \"fast\" was read";
  } catch (const JournalError& e) {
    EXPECT_TRUE(testing::Contains(e.what(), path + ": benchmarks[0]")) << e.what();
    EXPECT_TRUE(testing::Contains(e.what(), "real_time")) << e.what();
    EXPECT_TRUE(testing::Contains(e.what(), "in the results the journal holds")) << e.what();
  }
}

TEST(Journal, SettingsDifferencesNameEachSetting) {
  Json now = kSettings;
  EXPECT_TRUE(SettingsDifferences(kSettings, now).empty());
  now["seed"] = 2;
  now["threads"] = {1, 2};
  const std::vector<std::string> d = SettingsDifferences(kSettings, now);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], "seed: 1 in the journal, 2 now");
  EXPECT_EQ(d[1], "threads: null in the journal, [1,2] now");
  EXPECT_EQ(SettingsDifferences(now, kSettings).size(), 2u);
}

}  // namespace
}  // namespace poolbench::report
