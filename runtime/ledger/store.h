// A persistent quota ledger: what earlier runs consumed, in a database (SQLite for one machine, PostgreSQL
// when shared), with every decided shipment recorded once (docs/ledger.md).
//
// Work happens in chunks, one transaction each: Begin(write) takes the ledger's writer lock and brings the
// in-memory copy of the totals up to date; the engines read totals (Consumed) and add to them (Add) as they
// decide the chunk in input order; Record writes the chunk's shipments, their quota uses and the new totals;
// Commit makes it all visible at once. Writers queue for the lock, so processes sharing a ledger never
// decide against stale totals and never pass a limit together; a process killed mid-chunk loses that chunk
// and nothing else.
//
// A Store is one connection: use it from one thread at a time (one Store per thread or per request in a
// server). Several Stores, in one process or many, may share a ledger. Consumed() may be called from several
// threads at once while no other member function runs (the JIT decides stateless batches in parallel).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/ledger/connection.h"
#include "runtime/ledger/ledger.h"

namespace edict::ledger {

// What a run records about itself: the provenance its shipments carry.
struct RunInfo {
  std::string command;  // eval, import, void, repl
  std::string policy_id, policy_version, policy_hash;
  std::string edict_version;
  std::string input_name, input_format, csv_header;
};

struct RunRecord : RunInfo {
  int64_t run = 0;
  int64_t started_at = 0;  // seconds since 1970 (UTC)
};

// A quota use to record. Views: they must live until Record returns.
struct UseRecord {
  std::string_view ledger_key;  // as interp::QuotaKey builds it
  std::string_view quota;       // the quota's id as shown ("lpp", "ai_diffusion_2025.lpp")
  std::string_view label;       // its key values for people ("consignee=Indus Compute, year=2025")
  std::string_view unit;
  Rational limit, amount, before;
};

struct EntryRecord {
  std::string_view id, input;
  uint64_t content = 0;
  int64_t outcome = 0;               // from InternOutcome
  uint32_t first_use = 0, uses = 0;  // in ChunkRecords::uses
};

struct ChunkRecords {
  std::vector<EntryRecord> entries;
  std::vector<UseRecord> uses;
  void Clear() {
    entries.clear();
    uses.clear();
  }
};

// Texts copied out of the caller's buffers, at addresses that stay put while more are added.
class TextArena {
 public:
  std::string_view Copy(std::string_view s);
  void Clear();  // keeps the first block for the next use

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0, size_ = 0;  // of the last block
};

// A chunk's writes as statements, made by Store::Stage and run by Store::Write in a transaction of their
// own. Self-contained (its texts are copies): Write may run on another thread while the next chunk is
// decided (edict eval's pipeline, docs/ledger.md "Transactions").
struct ChunkWrite {
  struct Statement {
    const std::string* sql = nullptr;
    uint32_t first = 0, count = 0;  // its parameters: params[first, first + count)
    int64_t rows = -1;              // >= 0: it must insert exactly this many rows (else an id is taken)
    int64_t expect = -1;            // >= 0: a query whose one value must be this (else an internal error)
  };
  int64_t generation = 0;  // the ledger's generation the chunk was decided against
  std::vector<Statement> statements;
  std::vector<Param> params;
  TextArena texts;
  void Clear() {
    statements.clear();
    params.clear();
    texts.Clear();
  }
};

struct RecordedUse {
  int64_t key = 0;  // quota_keys.key
  std::string ledger_key, quota, label, period, unit;
  std::optional<Rational> limit;
  Rational amount, before;
};

// A shipment as recorded.
struct RecordedShipment {
  int64_t position = 0;
  std::string id;
  uint64_t content = 0;
  int64_t at = 0;
  std::string decision;  // the decision's JSON members ("\"decision\":...,\"citations\":[...]")
  std::string input;     // the input line as read
  std::vector<RecordedUse> uses;
  RunRecord run;
  int64_t voided_by = 0;  // the position of the void, or 0
};

struct VoidRecord {
  int64_t position = 0, voided = 0;
  std::string id;
  int64_t at = 0;
  std::string reason;
  RunRecord run;
};

struct TotalRow {
  std::string ledger_key, quota, label, period, unit;
  Rational consumed;
  std::optional<Rational> limit;  // as the last run that used the key had it
};

class Store : public Ledger {
 public:
  // `where`: a file path (SQLite; created when missing) or a postgresql:// (postgres://) URL. The schema is
  // created or migrated on open.
  static std::unique_ptr<Store> Open(const std::string& where, std::string* error);
  ~Store() override;

  // For messages: the path, or the URL without its password.
  const std::string& where() const { return where_; }
  Dialect dialect() const { return conn_->dialect(); }

  // Ledger: the committed totals plus this chunk's additions.
  Rational Consumed(std::string_view key) const override;
  bool Add(const std::string& key, const Rational& amount) override;

  bool Begin(bool write, std::string* error);
  bool in_transaction() const { return in_transaction_; }
  // Inside a transaction: the position the next recorded entry gets.
  int64_t next_position() const { return next_position_; }

  // The live (not voided) shipments among `ids`, in no particular order.
  bool Find(std::span<const std::string_view> ids, std::vector<RecordedShipment>* found, std::string* error);

  // The run that following Records belong to (written with the first of them).
  void SetRun(const RunInfo& run);
  // The id of a decision's JSON members, added when new.
  bool InternOutcome(std::string_view decision, int64_t* id, std::string* error);

  enum class RecordResult { kOk, kIdTaken, kError };
  // Records the chunk's shipments at next_position() on. kIdTaken: some id is recorded already (nothing was
  // written; roll back, Find, and record the rest). Every key a use names must have been Add-ed with exactly
  // these amounts (what the engines consumed); a mismatch is an internal error.
  RecordResult Record(const ChunkRecords& chunk, std::string* error);
  bool Commit(std::string* error);
  void Rollback();

  // Pipelined recording, for a run whose run row is committed (can_stage()): each chunk is decided against
  // the in-memory totals outside any transaction (BeginStaged; the engines' Consumed and Add; InternOutcome),
  // Stage turns it into statements and moves the in-memory copy on as if they were committed, and Write runs
  // them in a transaction of its own, on the condition that no other writer committed in between (checked
  // under the writer lock: else kStale, and nothing is written). After any Write but kOk, Unstage: the
  // in-memory copy is read again at the next Begin, and the chunk is decided again the ordinary way.
  bool can_stage() const { return run_ != 0 && !run_is_new_ && !in_transaction_ && generation_ >= 0; }
  bool BeginStaged(std::string* error);
  RecordResult Stage(const ChunkRecords& chunk, ChunkWrite* out, std::string* error);
  enum class WriteResult { kOk, kStale, kIdTaken, kError };
  // Uses the connection and `w` only: it may run on another thread while the calling thread decides and
  // stages the next chunk (nothing else of this Store may be used meanwhile).
  WriteResult Write(const ChunkWrite& w, std::string* error);
  void Unstage();

  // Whole-ledger reads, each in a read transaction of its own.
  bool Totals(std::vector<TotalRow>* rows, std::string* error);
  // Every entry in position order: shipments (voided ones too) and voids.
  bool ForEachEntry(const std::function<bool(const RecordedShipment*, const VoidRecord*)>& each,
                    std::string* error);
  // The totals as they stood just before `position` was recorded (for reproducing its decision).
  bool StateBefore(int64_t position, MemoryLedger* out, std::string* error);
  // The shipment recorded under `id`: the live one, else the last voided one. False (no error) when none.
  bool Lookup(std::string_view id, RecordedShipment* out, bool* found, std::string* error);
  // Reverses the live shipment `id`: its quota uses are given back, and an audit entry records the void.
  bool Void(std::string_view id, std::string_view reason, const RunInfo& run, VoidRecord* out,
            std::string* error);

 private:
  struct KeySlot {
    int64_t id = 0;  // 0: not in the database yet
    Rational committed, staged;
    Rational recorded;  // what the transaction's Records (or the Stage) say was used, to check against staged
    bool touched = false;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  Store() = default;
  bool Migrate(std::string* error);
  bool Refresh(std::string* error);
  void Forget();  // drops the in-memory copy: the next Begin reloads it
  bool EnsureRun(std::string* error);
  bool ReadRun(int64_t run, RunRecord* out, std::string* error);
  bool ReadKey(int64_t key, RecordedUse* out, std::string* error);
  // Shipments selected by `condition` (SQL after WHERE), completed with their decision, run and uses.
  bool ReadShipments(const std::string& condition, std::span<const Param> params,
                     std::vector<RecordedShipment>* out, std::string* error);
  // A read transaction around `body`, unless one is open.
  bool ReadTransaction(const std::function<bool()>& body, std::string* error);
  bool Run(std::string_view sql, std::span<const Param> params, const RowFn& row, std::string* error,
           int64_t* changes = nullptr) {
    return conn_->Run(sql, params, row, changes, error);
  }
  Param Amount(const Rational& r, TextArena* texts) const;
  // Record's checks, and each use's key slot in use_slots_.
  bool CheckUses(const ChunkRecords& chunk, std::string* error);
  // The statements that record `chunk` at next_position() on (new keys get their ids here).
  void AddRecordStatements(const ChunkRecords& chunk, ChunkWrite* w);
  // The touched totals and the ledger's new state.
  void AddCommitStatements(int64_t generation, ChunkWrite* w);
  RecordResult RunStatements(const ChunkWrite& w, std::string* error);
  void AddStatement(ChunkWrite* w, const std::string& sql, size_t first, int64_t rows = -1);

  std::unique_ptr<Connection> conn_;
  std::string where_;
  bool in_transaction_ = false, write_ = false, dirty_ = false;
  int64_t next_position_ = 0, generation_ = -1, max_key_ = 0, max_outcome_ = 0;
  std::unordered_map<std::string, KeySlot, Hash, std::equal_to<>> keys_;
  std::unordered_map<int64_t, KeySlot*> key_by_id_;
  std::vector<KeySlot*> touched_;
  std::unordered_map<std::string, int64_t, Hash, std::equal_to<>> outcomes_;
  std::unordered_map<int64_t, std::string> outcome_text_;
  RunInfo run_info_;
  int64_t run_ = 0;
  bool run_is_new_ = false;                            // its row was written in the open transaction
  std::unordered_map<int64_t, RunRecord> runs_;        // read back, by id
  std::unordered_map<int64_t, RecordedUse> key_info_;  // read back, by id
  // Multi-row statements by row count, made when first needed. Sized once (a pending Write holds pointers
  // to them), by rows_per_statement() + 1.
  std::vector<std::string> sql_cache_;       // shipments
  std::vector<std::string> sql_auto_cache_;  // shipments numbered by SQLite
  std::vector<std::string> totals_sql_;      // totals
  std::vector<KeySlot*> use_slots_;          // Record: each use's key
  ChunkWrite record_write_;                  // Record's and Commit's statements
  bool staging_ = false;                     // between BeginStaged and Stage
  std::vector<int64_t> staged_outcomes_;     // interned while staging, written by the Stage
  size_t rows_per_statement() const { return conn_->dialect() == Dialect::kSqlite ? 64 : 500; }
};

}  // namespace edict::ledger
