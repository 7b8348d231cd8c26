// A small RAII layer over SQLite's C API for the history store: a connection that closes itself,
// prepared statements that finalize themselves, and a transaction that rolls back unless
// committed. Every failure throws HistoryError with SQLite's own message and the database's
// file name, so that no caller checks a return code.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace poolbench::history {

// A history database that cannot be opened, read or written, or a report it cannot take.
class HistoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A database that another process holds locked for longer than the busy timeout: it is in use,
// not damaged.
class HistoryLocked : public HistoryError {
 public:
  using HistoryError::HistoryError;
};

// How long a connection waits for another process's lock before giving up.
inline constexpr int kBusyTimeoutMs = 5000;

// The type of a value in a result row, as SQLite stores it (its columns take any type).
enum class ValueType { kInteger, kReal, kText, kBlob, kNull };

class Statement;

// An open database connection.
class Database {
 public:
  // Opens `path`; with `create`, a missing file is created, otherwise it must exist. Foreign
  // keys are enforced. Throws HistoryError naming the file.
  Database(const std::string& path, bool create);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  const std::string& path() const { return path_; }

  // Runs SQL without parameters or results (schema, pragmas, transaction control).
  void Execute(const std::string& sql);
  Statement Prepare(const std::string& sql);
  int64_t LastInsertId() const;

  // Throws HistoryError for a failed call: `what` says what poolbench was doing.
  [[noreturn]] void Fail(const std::string& what) const;

 private:
  friend class Statement;
  std::string path_;
  sqlite3* db_ = nullptr;
};

// A prepared statement. Parameters are bound by position from 1, columns read from 0.
class Statement {
 public:
  Statement(Database& db, const std::string& sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  // An empty optional binds NULL.
  Statement& Bind(int index, const std::optional<double>& value);
  Statement& Bind(int index, const std::optional<std::string>& value);

  // Advances to the next row; false when there is none (the statement is done).
  bool Step();
  // Runs a statement that returns no rows, then resets it for another use.
  void Run();
  // Clears the bindings and rewinds, for the next set of parameters.
  void Reset();

  ValueType Type(int column) const;
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Real(int column) const;
  std::string Text(int column) const;
  std::optional<double> OptionalReal(int column) const;

 private:
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A transaction: begun at construction, rolled back at destruction unless Commit() was called,
// so an exception half-way through a report leaves the database as it was.
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void Commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace poolbench::history
