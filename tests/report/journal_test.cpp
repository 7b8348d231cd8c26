// The journal of a bench run: records read back as a run, a cut-short last line dropped and cut
// off before appending, anything else corrupted refused with its line (records that do not make
// a valid report too), settings compared.
#include "report/journal.hpp"

#include <gtest/gtest.h>

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
  r.samples = {{10, 10, 100}, {12, 12, 100}};
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

  JournalWriter::Continue(path, j).Append(Record("c"));
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
