#include "history/sqlite.hpp"

#include <sqlite3.h>

#include <utility>

namespace poolbench::history {

Database::Database(const std::string& path, bool create) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw HistoryError("cannot open the history database " + path + ": " + why);
  }
  // Extended codes tell "not a database" from other I/O errors in messages.
  sqlite3_extended_result_codes(db_, 1);
  // Another process adding to the same file waits for it instead of failing at once.
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  Execute("PRAGMA foreign_keys = ON");
}

Database::~Database() { sqlite3_close(db_); }

namespace {

// SQLITE_BUSY and SQLITE_LOCKED, with their extended codes: another connection holds the lock.
bool IsLocked(int code) {
  const int primary = code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

[[noreturn]] void Throw(const std::string& path, int code, const std::string& message) {
  if (IsLocked(code)) {
    throw HistoryLocked("history database " + path + " is locked by another process (waited " +
                        std::to_string(kBusyTimeoutMs / 1000) +
                        " s for it): try again when that process is done (" + message + ")");
  }
  throw HistoryError("history database " + path + ": " + message);
}

}  // namespace

void Database::Fail(const std::string& what) const {
  Throw(path_, sqlite3_extended_errcode(db_), what + ": " + sqlite3_errmsg(db_));
}

void Database::Execute(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    Throw(path_, rc, why);
  }
}

Statement Database::Prepare(const std::string& sql) { return Statement(*this, sql); }

int64_t Database::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

Statement::Statement(Database& db, const std::string& sql) : db_(&db) {
  if (sqlite3_prepare_v2(db.db_, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    db.Fail("cannot prepare '" + sql + "'");
  }
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_->Fail("cannot bind a value");
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) db_->Fail("cannot bind a value");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    db_->Fail("cannot bind a value");
  }
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<double>& value) {
  if (value) return Bind(index, *value);
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_->Fail("cannot bind a value");
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& value) {
  if (value) return Bind(index, std::string_view(*value));
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_->Fail("cannot bind a value");
  return *this;
}

bool Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->Fail(std::string("cannot run '") + sqlite3_sql(stmt_) + "'");
}

void Statement::Run() {
  while (Step()) {
  }
  Reset();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

ValueType Statement::Type(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER:
      return ValueType::kInteger;
    case SQLITE_FLOAT:
      return ValueType::kReal;
    case SQLITE_TEXT:
      return ValueType::kText;
    case SQLITE_BLOB:
      return ValueType::kBlob;
    default:
      return ValueType::kNull;
  }
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::Real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
              : std::string();
}

std::optional<double> Statement::OptionalReal(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Real(column);
}

Transaction::Transaction(Database& db) : db_(db) { db_.Execute("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_.Execute("ROLLBACK");
  } catch (const HistoryError&) {
    // A failed rollback leaves SQLite to roll back the journal on the next open; a destructor
    // must not throw over the exception that is unwinding.
  }
}

void Transaction::Commit() {
  db_.Execute("COMMIT");
  done_ = true;
}

}  // namespace poolbench::history
