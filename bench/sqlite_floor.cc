// The floor under `edict eval --ledger` on SQLite: rows shaped as the ledger's `shipments` rows (schema.cc),
// inserted as runtime/ledger/store.cc inserts them (16 KB pages, WAL, synchronous=NORMAL, one transaction per
// chunk of 8,192, 64 rows per prepared statement; a chunk's first row names its position and the others take
// the next rowid; the run and the time bound once per statement), with no decision made. Variants leave out
// the input line or the unique index on live shipment ids, index a scattered 64-bit integer (a hash of the
// id) instead, or bind every position (as the ledger did before), to show what each costs
// (docs/performance.md, "Ledger").
//
//   build/bin/edict_sqlite_floor FILE [ROWS] [VARIANT]
//       VARIANT: full, no-input, no-index, int-index, bound-position
//
// Prints CPU microseconds per row, the close (the last checkpoint) included; run under
// `valgrind --tool=callgrind` for instructions per row.
#include <sqlite3.h>

#include <cstdint>
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

// "INSERT ... VALUES (...), (...)" for `rows` rows, as store.cc writes it.
std::string InsertSql(int rows, bool bound_position, const std::string& conflict) {
  std::string sql = bound_position
                        ? "INSERT INTO shipments(position, shipment, content, run, outcome, at, input, "
                          "key, amount, before) VALUES "
                        : "INSERT INTO shipments(shipment, content, run, outcome, at, input, key, "
                          "amount, before) VALUES ";
  for (int r = 0; r < rows; ++r) {
    sql += r ? ", " : "";
    if (bound_position) {
      sql += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      continue;
    }
    std::string p[7];
    for (int j = 0; j < 7; ++j) p[j] = "?" + std::to_string(3 + 7 * r + j);
    sql += "(" + p[0] + ", " + p[1] + ", ?1, " + p[2] + ", ?2, " + p[3] + ", " + p[4] + ", " + p[5] + ", " +
           p[6] + ")";
  }
  return sql + conflict;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: edict_sqlite_floor FILE [ROWS] [full|no-input|no-index|int-index|bound-position]\n");
    return 64;
  }
  const std::string path = argv[1];
  const int per_statement = 64, chunk = 8192;
  // Whole chunks only.
  const long rows = (argc > 2 ? std::atol(argv[2]) : 1000000) / chunk * chunk;
  const std::string variant = argc > 3 ? argv[3] : "full";
  const bool input = variant != "no-input", int_index = variant == "int-index";
  const bool text_index = !int_index && variant != "no-index", bound = variant == "bound-position";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return 2;
  if (!Exec(db,
            "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
            "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 4096") ||
      !Exec(
          db,
          "CREATE TABLE shipments(position INTEGER PRIMARY KEY, shipment TEXT NOT NULL, content INTEGER NOT "
          "NULL, run INTEGER NOT NULL, outcome INTEGER NOT NULL, at INTEGER NOT NULL, input TEXT, key "
          "INTEGER, amount, before, voided_by INTEGER)") ||
      (text_index && !Exec(db, "CREATE UNIQUE INDEX live ON shipments(shipment) WHERE voided_by IS NULL")) ||
      (int_index && !Exec(db, "CREATE UNIQUE INDEX live ON shipments(content) WHERE voided_by IS NULL")))
    return 2;
  std::string conflict = text_index  ? " ON CONFLICT (shipment) WHERE voided_by IS NULL DO NOTHING"
                         : int_index ? " ON CONFLICT (content) WHERE voided_by IS NULL DO NOTHING"
                                     : "";
  // The chunk's first row, its position bound; then the chunk's other rows.
  sqlite3_stmt *first = nullptr, *rest = nullptr, *last = nullptr;
  if (sqlite3_prepare_v2(db, InsertSql(1, true, conflict).c_str(), -1, &first, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, InsertSql(per_statement, bound, conflict).c_str(), -1, &rest, nullptr) !=
          SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT MAX(position) FROM shipments", -1, &last, nullptr) != SQLITE_OK)
    return 2;
  const std::string line =
      "{\"id\":\"L123456\",\"date\":\"2025-05-15\",\"destination\":\"MY\",\"consignee\":\"Consignee 109\","
      "\"item\":\"nvidia-h100-sxm\",\"quantity\":3,\"end_use\":\"datacenter\"}";
  std::string ids[per_statement];
  // One row's parameters from `at` (1-based): (position,) id, content, (run,) outcome, (time,) input, key,
  // amount, before.
  auto bind_row = [&](sqlite3_stmt* s, int at, long k, std::string& id, bool with_position) {
    id = "L" + std::to_string(k);
    if (with_position) sqlite3_bind_int64(s, at++, k + 1);
    sqlite3_bind_text(s, at++, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    // A content hash, scattered as a real one is (the int-index variant indexes it, as a hash of the id would
    // be).
    uint64_t h = static_cast<uint64_t>(k + 1) * 0x9e3779b97f4a7c15ull;
    sqlite3_bind_int64(s, at++, static_cast<sqlite3_int64>(h ^ (h >> 29)));
    if (with_position) sqlite3_bind_int64(s, at++, 1);
    sqlite3_bind_int64(s, at++, 3);
    if (with_position) sqlite3_bind_int64(s, at++, 1765000000);
    if (input)
      sqlite3_bind_text(s, at++, line.data(), static_cast<int>(line.size()), SQLITE_STATIC);
    else
      sqlite3_bind_null(s, at++);
    sqlite3_bind_int64(s, at++, k % 2000);
    sqlite3_bind_int64(s, at++, 3 * 15832);
    sqlite3_bind_int64(s, at++, 12345678);
  };
  double start = CpuSeconds();
  for (long i = 0; i < rows; i += chunk) {
    if (!Exec(db, "BEGIN IMMEDIATE")) return 2;
    bind_row(first, 1, i, ids[0], true);
    if (sqlite3_step(first) != SQLITE_DONE) return 2;
    sqlite3_reset(first);
    for (long j = i + 1; j < i + chunk; j += per_statement) {
      int n = static_cast<int>(std::min<long>(per_statement, i + chunk - j));
      if (n < per_statement) {  // the chunk's tail: a statement of its own size
        sqlite3_stmt* tail = nullptr;
        if (sqlite3_prepare_v2(db, InsertSql(n, bound, conflict).c_str(), -1, &tail, nullptr) != SQLITE_OK)
          return 2;
        if (!bound) sqlite3_bind_int64(tail, 1, 1), sqlite3_bind_int64(tail, 2, 1765000000);
        for (int r = 0; r < n; ++r) bind_row(tail, bound ? 1 + 10 * r : 3 + 7 * r, j + r, ids[r], bound);
        if (sqlite3_step(tail) != SQLITE_DONE) return 2;
        sqlite3_finalize(tail);
        continue;
      }
      if (!bound) sqlite3_bind_int64(rest, 1, 1), sqlite3_bind_int64(rest, 2, 1765000000);
      for (int r = 0; r < n; ++r) bind_row(rest, bound ? 1 + 10 * r : 3 + 7 * r, j + r, ids[r], bound);
      if (sqlite3_step(rest) != SQLITE_DONE) return 2;
      sqlite3_reset(rest);
    }
    if (!bound) {  // the check store.cc makes of SQLite's numbering
      if (sqlite3_step(last) != SQLITE_ROW || sqlite3_column_int64(last, 0) != i + chunk) return 2;
      sqlite3_reset(last);
    }
    if (!Exec(db, "COMMIT")) return 2;
  }
  sqlite3_finalize(first);
  sqlite3_finalize(rest);
  sqlite3_finalize(last);
  sqlite3_close(db);
  double seconds = CpuSeconds() - start;
  std::printf("%s: %ld rows, %.2f us of CPU per row\n", variant.c_str(), rows, seconds * 1e6 / rows);
  return 0;
}
