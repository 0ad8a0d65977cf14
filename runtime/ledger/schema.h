// The ledger database's schema, versioned: migration N takes a database from version N-1 to N, in one
// transaction, and `ledger_state.schema_version` says which have run. A database newer than this edict knows
// is refused rather than written. docs/ledger.md describes every table.
#pragma once

#include <span>

namespace edict::ledger {

enum class Dialect { kSqlite, kPostgres };

struct Migration {
  int version;
  const char* what;  // one line, for the docs and for errors
  const char* sqlite;
  const char* postgres;
};

std::span<const Migration> Migrations();
int CurrentSchemaVersion();
const char* MigrationSql(const Migration& m, Dialect d);

}  // namespace edict::ledger
