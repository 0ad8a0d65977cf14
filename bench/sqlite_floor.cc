// The floor under `edict eval --ledger` on SQLite: rows shaped as the ledger's `shipments` rows (schema.cc),
// inserted as runtime/ledger/store.cc inserts them (64 rows per statement, prepared once, one transaction per
// chunk, WAL, synchronous=NORMAL), with no decision made. Variants leave out the input line or the unique
// index on live shipment ids, or index an integer instead, to show what each costs (docs/performance.md,
// "Ledger").
//
//   build/bin/edict_sqlite_floor FILE [ROWS] [VARIANT]     VARIANT: full, no-input, no-index, int-index
//
// Prints CPU microseconds per row; run under `valgrind --tool=callgrind` for instructions per row.
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace {

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

bool Exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return true;
  std::fprintf(stderr, "edict_sqlite_floor: %s\n", message ? message : sqlite3_errmsg(db));
  sqlite3_free(message);
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: edict_sqlite_floor FILE [ROWS] [full|no-input|no-index|int-index]\n");
    return 64;
  }
  const std::string path = argv[1];
  const int per_statement = 64, chunk = 8192;
  // Whole statements only.
  const long rows = (argc > 2 ? std::atol(argv[2]) : 1000000) / per_statement * per_statement;
  const std::string variant = argc > 3 ? argv[3] : "full";
  const bool input = variant != "no-input", text_index = variant == "full" || variant == "no-input";
  const bool int_index = variant == "int-index";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return 2;
  if (!Exec(db,
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; "
            "PRAGMA wal_autocheckpoint = 16384") ||
      !Exec(
          db,
          "CREATE TABLE shipments(position INTEGER PRIMARY KEY, shipment TEXT NOT NULL, content INTEGER NOT "
          "NULL, run INTEGER NOT NULL, outcome INTEGER NOT NULL, at INTEGER NOT NULL, input TEXT, key "
          "INTEGER, "
          "amount, before, voided_by INTEGER)") ||
      (text_index && !Exec(db, "CREATE UNIQUE INDEX live ON shipments(shipment) WHERE voided_by IS NULL")) ||
      (int_index && !Exec(db, "CREATE UNIQUE INDEX live ON shipments(content) WHERE voided_by IS NULL")))
    return 2;
  std::string sql =
      "INSERT INTO shipments(position, shipment, content, run, outcome, at, input, key, amount, before) "
      "VALUES ";
  for (int r = 0; r < per_statement; ++r)
    sql += r ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  if (text_index) sql += " ON CONFLICT (shipment) WHERE voided_by IS NULL DO NOTHING";
  if (int_index) sql += " ON CONFLICT (content) WHERE voided_by IS NULL DO NOTHING";
  sqlite3_stmt* insert = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &insert, nullptr) != SQLITE_OK) return 2;
  const std::string line =
      "{\"id\":\"L123456\",\"date\":\"2025-05-15\",\"destination\":\"MY\",\"consignee\":\"Consignee 109\","
      "\"item\":\"nvidia-h100-sxm\",\"quantity\":3,\"end_use\":\"datacenter\"}";
  std::string ids[64];
  double start = CpuSeconds();
  for (long i = 0; i < rows; i += chunk) {
    if (!Exec(db, "BEGIN IMMEDIATE")) return 2;
    for (long j = i; j < i + chunk && j < rows; j += per_statement) {
      for (int r = 0; r < per_statement; ++r) {
        long k = j + r;
        int at = 10 * r;
        ids[r] = "L" + std::to_string(k);
        sqlite3_bind_int64(insert, at + 1, k + 1);
        sqlite3_bind_text(insert, at + 2, ids[r].data(), static_cast<int>(ids[r].size()), SQLITE_STATIC);
        sqlite3_bind_int64(insert, at + 3, static_cast<sqlite3_int64>(k * 2654435761L));
        sqlite3_bind_int64(insert, at + 4, 1);
        sqlite3_bind_int64(insert, at + 5, 3);
        sqlite3_bind_int64(insert, at + 6, 1765000000);
        if (input)
          sqlite3_bind_text(insert, at + 7, line.data(), static_cast<int>(line.size()), SQLITE_STATIC);
        else
          sqlite3_bind_null(insert, at + 7);
        sqlite3_bind_int64(insert, at + 8, k % 2000);
        sqlite3_bind_int64(insert, at + 9, 3 * 15832);
        sqlite3_bind_int64(insert, at + 10, 12345678);
      }
      if (sqlite3_step(insert) != SQLITE_DONE) return 2;
      sqlite3_reset(insert);
    }
    if (!Exec(db, "COMMIT")) return 2;
  }
  double seconds = CpuSeconds() - start;
  std::printf("%s: %ld rows, %.2f us of CPU per row\n", variant.c_str(), rows, seconds * 1e6 / rows);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return 0;
}
