// The one seam between the ledger's logic (store.cc) and a database: statements with `?` parameters, rows of
// integers and texts, and transactions. SQLite (sqlite_connection.cc) and PostgreSQL (pg_connection.cc, with
// libpqxx) implement it; everything else about the ledger is written once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "runtime/ledger/schema.h"

namespace edict::ledger {

// A statement parameter. Texts are views: they must live until the statement has run.
struct Param {
  enum Kind : uint8_t { kNull, kInt, kText } kind = kNull;
  int64_t i = 0;
  std::string_view s;
  static Param Null() { return {}; }
  static Param Int(int64_t v) { return {kInt, v, {}}; }
  static Param Text(std::string_view v) { return {kText, 0, v}; }
};

// A result cell, valid while the row callback runs.
struct Cell {
  enum Kind : uint8_t { kNull, kInt, kText } kind = kNull;
  int64_t i = 0;
  std::string_view s;
  bool null() const { return kind == kNull; }
  int64_t Int() const;       // a text cell is parsed (PostgreSQL returns every value as text)
  std::string Text() const;  // an integer cell is printed
};

using RowFn = std::function<bool(std::span<const Cell>)>;  // false stops the query

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // A write transaction holds the ledger's writer lock until Commit or Rollback: SQLite's BEGIN IMMEDIATE,
  // PostgreSQL's row lock on ledger_state. A read transaction sees one snapshot.
  virtual bool Begin(bool write, std::string* error) = 0;
  virtual bool Commit(std::string* error) = 0;
  virtual void Rollback() = 0;
  // One statement, prepared once and kept (by its text). `row` gets each result row; `changes` (may be null)
  // the number of rows it inserted, updated or deleted.
  virtual bool Run(std::string_view sql, std::span<const Param> params, const RowFn& row, int64_t* changes,
                   std::string* error) = 0;
  // Several statements without parameters (migrations), inside the current transaction.
  virtual bool Script(const std::string& sql, std::string* error) = 0;
  virtual bool HasTable(const std::string& name, bool* has, std::string* error) = 0;
  // Serialises schema migrations between processes (the SQLite write lock already does).
  virtual bool LockForMigration(std::string* error) = 0;
};

// A ledger's name for messages: the path, or the URL without its password.
std::string DisplayName(const std::string& where);
bool IsPostgresUrl(const std::string& where);

std::unique_ptr<Connection> OpenSqlite(const std::string& path, std::string* error);
// Null with `error` when PostgreSQL support was not built or the server cannot be reached.
std::unique_ptr<Connection> OpenPostgres(const std::string& url, std::string* error);

}  // namespace edict::ledger
