// Fuzz target: the history database reader (harness/history/store). A history file is read as
// poolbench wrote it, or refused with HistoryError; what it reads renders as text and HTML (and
// one benchmark across machines). The
// input is either a database file (it starts with SQLite's header) or SQL run on a new history
// first, which reaches what a byte-level fuzzer rarely does: well-formed tables holding values
// of the wrong type, out of range, or missing.
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "history/render.hpp"
#include "history/store.hpp"
#include "history/trends.hpp"

namespace {

const std::string& DatabasePath() {
  static const std::string path =
      "/tmp/poolbench_history_fuzz_" + std::to_string(getpid()) + ".sqlite";
  return path;
}

void RemoveDatabase() {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    std::remove((DatabasePath() + suffix).c_str());
  }
}

// Only statements that change the tables' rows and the tables themselves: nothing that reaches
// other files (ATTACH, VACUUM INTO) or the connection's settings (PRAGMA).
int Authorize(void*, int action, const char*, const char*, const char*, const char*) {
  switch (action) {
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
    case SQLITE_READ:
    case SQLITE_SELECT:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
    case SQLITE_CREATE_TABLE:
    case SQLITE_DROP_TABLE:
    case SQLITE_ALTER_TABLE:
    case SQLITE_CREATE_INDEX:
    case SQLITE_DROP_INDEX:
      return SQLITE_OK;
    default:
      return SQLITE_DENY;
  }
}

// Stops a statement that runs too long (a recursive query without end).
int Progress(void* steps) { return ++*static_cast<int*>(steps) > 1000; }

// A new history (as `history add` creates it) with `sql` run on it; statements that fail are
// skipped.
void BuildFromSql(const std::string& sql) {
  { poolbench::history::Store store(DatabasePath(), poolbench::history::Store::Mode::kCreate); }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(DatabasePath().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_set_authorizer(db, Authorize, nullptr);
    int steps = 0;
    sqlite3_progress_handler(db, 1000, Progress, &steps);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 16);
    const char* next = sql.c_str();
    while (next && *next) {
      sqlite3_stmt* stmt = nullptr;
      const char* tail = nullptr;
      if (sqlite3_prepare_v2(db, next, -1, &stmt, &tail) != SQLITE_OK || tail == next) {
        sqlite3_finalize(stmt);
        break;
      }
      while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
      }
      sqlite3_finalize(stmt);
      next = tail;
    }
  }
  sqlite3_close(db);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace poolbench::history;
  RemoveDatabase();
  const std::string input(reinterpret_cast<const char*>(data), size);
  static const std::string kHeader("SQLite format 3\0", 16);
  try {
    if (input.compare(0, kHeader.size(), kHeader) == 0) {
      std::ofstream(DatabasePath(), std::ios::binary) << input;
    } else {
      BuildFromSql(input);
    }
  } catch (const HistoryError&) {
    return 0;
  }
  try {
    Store store(DatabasePath(), Store::Mode::kRead);
    History h;
    h.runs = store.Runs();
    std::vector<Series> series = store.Load();
    for (const Series& s : series) {
      if (s.threads < 1) std::abort();
      for (const Point& p : s.points) {
        // What the reader lets through is what poolbench writes: positive, finite times.
        if (p.time_ns && !(std::isfinite(*p.time_ns) && *p.time_ns > 0)) std::abort();
        for (double t : p.samples_ns) {
          if (!(std::isfinite(t) && t > 0)) std::abort();
        }
      }
    }
    h.trends = Analyse(std::move(series), h.options);
    (void)Text(h);
    (void)Html(h, "fuzz");
    if (!h.trends.empty()) (void)SideBySide(h, h.trends.front().series.name);
  } catch (const HistoryError&) {
  }
  return 0;
}
