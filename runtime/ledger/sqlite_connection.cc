// The ledger on SQLite: one file, WAL journal (readers never wait for the writer; a crash loses only what was
// not committed), synchronous=NORMAL (a committed transaction survives the process being killed; after a
// power cut the last ones may be gone, the file stays consistent), a busy timeout so that processes writing
// one ledger queue for its lock instead of failing.
#include <sqlite3.h>

#include <charconv>
#include <mutex>
#include <unordered_map>

#include "runtime/ledger/connection.h"

namespace edict::ledger {

int64_t Cell::Int() const {
  if (kind == kInt) return i;
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string Cell::Text() const {
  return kind == kInt ? std::to_string(i) : std::string(s);
}

namespace {

constexpr int kBusyTimeoutMs = 10 * 60 * 1000;

class SqliteConnection : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    if (in_transaction_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  bool Begin(bool write, std::string* error) override {
    if (!Exec(write ? "BEGIN IMMEDIATE" : "BEGIN", error)) return false;
    in_transaction_ = true;
    return true;
  }
  bool Commit(std::string* error) override {
    bool ok = Exec("COMMIT", error);
    if (!ok) Rollback();
    in_transaction_ = false;
    return ok;
  }
  void Rollback() override {
    if (in_transaction_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    in_transaction_ = false;
  }

  bool Run(std::string_view sql, std::span<const Param> params, const RowFn& row, int64_t* changes,
           std::string* error) override {
    sqlite3_stmt* stmt = Prepare(sql, error);
    if (!stmt) return false;
    for (size_t k = 0; k < params.size(); ++k) {
      const Param& p = params[k];
      int at = static_cast<int>(k) + 1;
      int rc = p.kind == Param::kInt ? sqlite3_bind_int64(stmt, at, p.i)
               : p.kind == Param::kText
                   ? sqlite3_bind_text(stmt, at, p.s.data(), static_cast<int>(p.s.size()), SQLITE_STATIC)
                   : sqlite3_bind_null(stmt, at);
      if (rc != SQLITE_OK) return Fail(stmt, error);
    }
    std::vector<Cell>& cells = cells_;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Fail(stmt, error);
      int n = sqlite3_column_count(stmt);
      cells.assign(static_cast<size_t>(n), Cell{});
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            cells[c] = {Cell::kInt, sqlite3_column_int64(stmt, c), {}};
            break;
          case SQLITE_NULL:
            break;
          default: {
            const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            cells[c] = {
                Cell::kText, 0,
                std::string_view(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(stmt, c)))};
          }
        }
      }
      if (row && !row(cells)) break;
    }
    if (changes) *changes = sqlite3_changes64(db_);
    // The bindings stay (every Run binds all of a statement's parameters): clearing 640 of them after
    // each multi-row insert cost more than binding them.
    sqlite3_reset(stmt);
    return true;
  }

  bool Script(const std::string& sql, std::string* error) override { return Exec(sql.c_str(), error); }

  bool HasTable(const std::string& name, bool* has, std::string* error) override {
    *has = false;
    Param p = Param::Text(name);
    return Run(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {&p, 1},
        [&](std::span<const Cell>) { return *has = true, false; }, nullptr, error);
  }

  bool LockForMigration(std::string*) override { return true; }

  bool Exec(const char* sql, std::string* error) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return true;
    *error = Describe(rc, message ? message : sqlite3_errmsg(db_));
    sqlite3_free(message);
    return false;
  }

 private:
  sqlite3_stmt* Prepare(std::string_view sql, std::string* error) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                           nullptr) != SQLITE_OK) {
      *error = Describe(sqlite3_errcode(db_), sqlite3_errmsg(db_));
      return nullptr;
    }
    statements_.emplace(std::string(sql), stmt);
    return stmt;
  }

  bool Fail(sqlite3_stmt* stmt, std::string* error) {
    *error = Describe(sqlite3_errcode(db_), sqlite3_errmsg(db_));
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return false;
  }

  std::string Describe(int rc, const char* message) const {
    std::string out = "ledger '" + path_ + "': " + message;
    if (rc == SQLITE_BUSY)
      out += " (another process held the ledger's lock for " + std::to_string(kBusyTimeoutMs / 1000) + " s)";
    return out;
  }

  sqlite3* db_;
  std::string path_;
  bool in_transaction_ = false;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, Hash, std::equal_to<>> statements_;
  std::vector<Cell> cells_;
};

}  // namespace

std::unique_ptr<Connection> OpenSqlite(const std::string& path, std::string* error) {
  // Once per process, before SQLite starts: no memory statistics, so that its allocations take no global
  // mutex (SQLite refuses the call, harmlessly, when something else started it first).
  static std::once_flag config;
  std::call_once(config, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    *error = "cannot open ledger '" + path + "': " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // Room for the records of a 64-row insert in the connection's own small-allocation pool (the default 40
  // slots ran out, and every further record was a malloc and a free).
  sqlite3_db_config(db, SQLITE_DBCONFIG_LOOKASIDE, nullptr, 512, 1024);
  auto conn = std::make_unique<SqliteConnection>(db, path);
  // The page size (16 KB rather than 4 KB: a quarter of the pages to fill and of the write calls for a
  // batch's appended rows; docs/performance.md, "Ledger") and WAL are properties of the file, set when it is
  // created and kept (the page size is ignored for an existing file); the rest are per connection. A file
  // that is not a database fails here, on its first read. The WAL is copied into the file (and both are
  // synced) when it passes 64 MB rather than SQLite's 4 MB: a batch of a million shipments writes about 200
  // MB, and a checkpoint every 4 MB cost more wall time than the inserts.
  if (!conn->Exec("PRAGMA page_size = 16384", error) || !conn->Exec("PRAGMA journal_mode = WAL", error) ||
      !conn->Exec("PRAGMA synchronous = NORMAL", error) || !conn->Exec("PRAGMA cache_size = -65536", error) ||
      !conn->Exec("PRAGMA temp_store = MEMORY", error) ||
      !conn->Exec("PRAGMA wal_autocheckpoint = 4096", error))
    return nullptr;
  return conn;
}

}  // namespace edict::ledger
