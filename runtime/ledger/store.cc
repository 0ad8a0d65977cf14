// The ledger's logic, written once for both databases: opening and migrating, the in-memory copy of the
// totals kept in step with the database, and recording a chunk (store_read.cc reads entries back).
#include "runtime/ledger/store.h"

#include <algorithm>
#include <cstring>
#include <ctime>

#include "runtime/ledger/amount.h"

namespace edict::ledger {

bool IsPostgresUrl(const std::string& where) {
  return where.rfind("postgresql://", 0) == 0 || where.rfind("postgres://", 0) == 0;
}

// postgresql://user:secret@host/db -> postgresql://user@host/db
std::string DisplayName(const std::string& where) {
  if (!IsPostgresUrl(where)) return where;
  size_t scheme = where.find("://");
  size_t at = where.find('@', scheme + 3);
  if (at == std::string::npos) return where;
  size_t colon = where.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return where;
  return where.substr(0, colon) + where.substr(at);
}

namespace {

// Appends statement parameters (an initializer list through insert() took a generic, slower path).
void Push(std::vector<Param>& params, std::initializer_list<Param> more) {
  for (const Param& p : more) params.push_back(p);
}

// The period of a ledger key: its last part ("2025", "2025-01-15..2025-12-31", "all").
std::string_view PeriodOf(std::string_view key) {
  size_t cut = key.rfind('\x1f');
  return cut == std::string_view::npos ? std::string_view("all") : key.substr(cut + 1);
}

}  // namespace

std::unique_ptr<Store> Store::Open(const std::string& where, std::string* error) {
  std::unique_ptr<Store> store(new Store);
  store->where_ = DisplayName(where);
  store->conn_ = IsPostgresUrl(where) ? OpenPostgres(where, error) : OpenSqlite(where, error);
  if (!store->conn_ || !store->Migrate(error)) return nullptr;
  store->sql_cache_.resize(store->rows_per_statement() + 1);
  store->sql_auto_cache_.resize(store->rows_per_statement() + 1);
  store->totals_sql_.resize(store->rows_per_statement() + 1);
  return store;
}

Store::~Store() {
  if (in_transaction_) conn_->Rollback();
}

bool Store::Migrate(std::string* error) {
  if (!conn_->Begin(true, error)) return false;
  auto fail = [&] {
    conn_->Rollback();
    return false;
  };
  bool has = false;
  if (!conn_->LockForMigration(error) || !conn_->HasTable("ledger_state", &has, error)) return fail();
  int64_t version = 0;
  if (has && !Run(
                 "SELECT schema_version FROM ledger_state WHERE one = 1", {},
                 [&](std::span<const Cell> row) { return version = row[0].Int(), false; }, error))
    return fail();
  if (version > CurrentSchemaVersion()) {
    *error = "ledger '" + where_ + "' has schema version " + std::to_string(version) +
             ", newer than this edict knows (" + std::to_string(CurrentSchemaVersion()) +
             "); use a newer edict";
    return fail();
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= version) continue;
    if (!conn_->Script(MigrationSql(m, conn_->dialect()), error)) {
      *error = "ledger '" + where_ + "': migration to schema version " + std::to_string(m.version) + " (" +
               m.what + ") failed: " + *error;
      return fail();
    }
    Param v = Param::Int(m.version);
    if (!Run("UPDATE ledger_state SET schema_version = ? WHERE one = 1", {&v, 1}, nullptr, error))
      return fail();
  }
  return conn_->Commit(error);
}

bool Store::Begin(bool write, std::string* error) {
  if (in_transaction_) {
    *error = "internal: ledger transaction already open";
    return false;
  }
  if (!conn_->Begin(write, error)) return false;
  in_transaction_ = true;
  write_ = write;
  dirty_ = false;
  if (!Refresh(error)) {
    Rollback();
    return false;
  }
  return true;
}

// Brings the copy of keys, totals and outcomes up to the database's generation: only what changed since.
bool Store::Refresh(std::string* error) {
  int64_t generation = 0;
  if (!Run(
          "SELECT next_position, generation FROM ledger_state WHERE one = 1", {},
          [&](std::span<const Cell> row) {
            next_position_ = row[0].Int();
            generation = row[1].Int();
            return false;
          },
          error))
    return false;
  if (generation == generation_) return true;
  Param after = Param::Int(max_key_);
  bool ok = Run(
      "SELECT key, ledger_key FROM quota_keys WHERE key > ? ORDER BY key", {&after, 1},
      [&](std::span<const Cell> row) {
        KeySlot& slot = keys_[row[1].Text()];
        slot.id = row[0].Int();
        key_by_id_[slot.id] = &slot;
        max_key_ = std::max(max_key_, slot.id);
        return true;
      },
      error);
  Param since = Param::Int(generation_);
  std::string bad;
  ok = ok && Run(
                 "SELECT key, consumed FROM totals WHERE generation > ?", {&since, 1},
                 [&](std::span<const Cell> row) {
                   auto it = key_by_id_.find(row[0].Int());
                   std::optional<Rational> v =
                       row[1].kind == Cell::kInt ? Rational::Int(row[1].i) : ParseAmount(row[1].s);
                   if (it == key_by_id_.end() || !v) {
                     bad = "total of key " + std::to_string(row[0].Int()) + " is '" + row[1].Text() + "'";
                     return false;
                   }
                   it->second->committed = *v;
                   return true;
                 },
                 error);
  Param outcome_after = Param::Int(max_outcome_);
  ok = ok &&
       Run(
           "SELECT outcome, decision FROM outcomes WHERE outcome > ? ORDER BY outcome", {&outcome_after, 1},
           [&](std::span<const Cell> row) {
             int64_t id = row[0].Int();
             outcomes_[row[1].Text()] = id;
             outcome_text_[id] = row[1].Text();
             max_outcome_ = std::max(max_outcome_, id);
             return true;
           },
           error);
  if (ok && !bad.empty()) {
    *error = "ledger '" + where_ + "' is damaged: " + bad;
    ok = false;
  }
  if (!ok) {
    Forget();
    return false;
  }
  generation_ = generation;
  return true;
}

void Store::Forget() {
  keys_.clear();
  key_by_id_.clear();
  touched_.clear();
  outcomes_.clear();
  outcome_text_.clear();
  generation_ = -1;
  max_key_ = max_outcome_ = 0;
}

Rational Store::Consumed(std::string_view key) const {
  auto it = keys_.find(key);
  if (it == keys_.end()) return Rational{};
  return it->second.touched ? it->second.staged : it->second.committed;
}

bool Store::Add(const std::string& key, const Rational& amount) {
  auto it = keys_.find(key);
  if (it == keys_.end()) it = keys_.emplace(key, KeySlot{}).first;
  KeySlot& slot = it->second;
  if (!slot.touched) {
    slot.staged = slot.committed;
    slot.recorded = Rational{};
    slot.touched = true;
    touched_.push_back(&slot);
  }
  auto sum = edict::Add(slot.staged, amount);
  if (!sum) return false;
  slot.staged = *sum;
  return true;
}

void Store::SetRun(const RunInfo& run) {
  run_info_ = run;
  run_ = 0;
}

bool Store::EnsureRun(std::string* error) {
  if (run_ != 0) return true;
  int64_t last = 0;
  if (!Run(
          "SELECT COALESCE(MAX(run), 0) FROM runs", {},
          [&](std::span<const Cell> row) { return last = row[0].Int(), false; }, error))
    return false;
  const RunInfo& r = run_info_;
  auto text_or_null = [](const std::string& s) { return s.empty() ? Param::Null() : Param::Text(s); };
  Param params[] = {Param::Int(last + 1),
                    Param::Int(static_cast<int64_t>(std::time(nullptr))),
                    Param::Text(r.command.empty() ? std::string_view("eval") : std::string_view(r.command)),
                    text_or_null(r.policy_id),
                    text_or_null(r.policy_version),
                    text_or_null(r.policy_hash),
                    Param::Text(r.edict_version),
                    text_or_null(r.input_name),
                    text_or_null(r.input_format),
                    text_or_null(r.csv_header)};
  if (!Run(
          "INSERT INTO runs(run, started_at, command, policy_id, policy_version, policy_hash, edict_version, "
          "input_name, input_format, csv_header) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          params, nullptr, error))
    return false;
  run_ = last + 1;
  run_is_new_ = true;
  dirty_ = true;
  return true;
}

bool Store::InternOutcome(std::string_view decision, int64_t* id, std::string* error) {
  auto it = outcomes_.find(decision);
  if (it != outcomes_.end()) {
    *id = it->second;
    return true;
  }
  if (staging_) {
    int64_t next = max_outcome_ + 1;
    max_outcome_ = next;
    outcomes_.emplace(std::string(decision), next);
    outcome_text_[next] = std::string(decision);
    staged_outcomes_.push_back(next);
    *id = next;
    return true;
  }
  if (!write_) {
    *error = "internal: outcome interned outside a write transaction";
    return false;
  }
  int64_t next = max_outcome_ + 1;
  Param params[] = {Param::Int(next), Param::Text(decision)};
  if (!Run("INSERT INTO outcomes(outcome, decision) VALUES (?, ?)", params, nullptr, error)) return false;
  max_outcome_ = next;
  outcomes_.emplace(std::string(decision), next);
  outcome_text_[next] = std::string(decision);
  dirty_ = true;
  *id = next;
  return true;
}

std::string_view TextArena::Copy(std::string_view s) {
  if (blocks_.empty() || size_ - used_ < s.size()) {
    size_ = std::max<size_t>(size_t{1} << 20, s.size());
    blocks_.emplace_back(new char[size_]);
    used_ = 0;
  }
  char* at = blocks_.back().get() + used_;
  if (!s.empty()) std::memcpy(at, s.data(), s.size());
  used_ += s.size();
  return {at, s.size()};  // never a null pointer: an empty text stays a text, not NULL
}

void TextArena::Clear() {
  if (blocks_.size() > 1) {
    // One block of what the last chunk needed.
    size_t total = size_ * blocks_.size();
    blocks_.clear();
    size_ = total;
    blocks_.emplace_back(new char[size_]);
  }
  used_ = 0;
}

Param Store::Amount(const Rational& r, TextArena* texts) const {
  if (r.IsInteger() && r.FitsInt64()) return Param::Int(r.ToInt64());
  return Param::Text(texts->Copy(AmountText(r)));
}

void Store::AddStatement(ChunkWrite* w, const std::string& sql, size_t first, int64_t rows) {
  w->statements.push_back(
      {&sql, static_cast<uint32_t>(first), static_cast<uint32_t>(w->params.size() - first), rows});
}

bool Store::CheckUses(const ChunkRecords& chunk, std::string* error) {
  // What the engines added must be what the uses say, key by key (over every Record of the transaction).
  // Each use's key is looked up once (a hash of its text); most chunks repeat a few thousand keys.
  std::vector<KeySlot*>& slot_of = use_slots_;
  slot_of.resize(chunk.uses.size());
  for (size_t i = 0; i < chunk.uses.size(); ++i) {
    const UseRecord& u = chunk.uses[i];
    auto it = keys_.find(u.ledger_key);
    if (it == keys_.end() || !it->second.touched) {
      *error = "internal: quota use of an untouched ledger key";
      return false;
    }
    slot_of[i] = &it->second;
    Rational& sum = it->second.recorded;
    auto added = edict::Add(sum, u.amount);
    if (!added) {
      *error = "internal: overflow adding quota uses";
      return false;
    }
    sum = *added;
  }
  for (KeySlot* slot : touched_) {
    auto delta = Sub(slot->staged, slot->committed);
    if (!delta || !(*delta == slot->recorded)) {
      *error = "internal: the quota uses recorded differ from what the engine consumed";
      return false;
    }
  }
  return true;
}

void Store::AddRecordStatements(const ChunkRecords& chunk, ChunkWrite* w) {
  static const std::string kKey =
      "INSERT INTO quota_keys(key, ledger_key, quota, label, period, limit_amount, unit) VALUES (?, ?, ?, ?, "
      "?, "
      "?, ?)";
  static const std::string kMoreUse =
      "INSERT INTO more_uses(position, seq, key, amount, before) VALUES (?, ?, ?, ?, ?)";
  std::vector<Param>& params = w->params;
  TextArena& texts = w->texts;
  const std::vector<KeySlot*>& slot_of = use_slots_;
  // Keys used for the first time.
  for (size_t i = 0; i < chunk.uses.size(); ++i) {
    const UseRecord& u = chunk.uses[i];
    KeySlot& slot = *slot_of[i];
    if (slot.id != 0) continue;
    int64_t id = max_key_ + 1;
    size_t first = params.size();
    Push(params, {Param::Int(id), Param::Text(texts.Copy(u.ledger_key)), Param::Text(texts.Copy(u.quota)),
                  Param::Text(texts.Copy(u.label)), Param::Text(texts.Copy(PeriodOf(u.ledger_key))),
                  Amount(u.limit, &texts), Param::Text(texts.Copy(u.unit))});
    AddStatement(w, kKey, first);
    max_key_ = id;
    slot.id = id;
    key_by_id_[id] = &slot;
    dirty_ = true;  // a rolled-back transaction takes the key's id with it: read the keys again
  }
  // The shipments, several rows per statement (one statement per row costs about as much again). On SQLite
  // only the chunk's first row names its position: the others take the next rowid, one more than the largest
  // (saving the check that a given rowid is free, a tenth of an insert); the chunk's last position is then
  // read back and checked.
  const size_t per_statement = rows_per_statement();
  const bool sqlite = conn_->dialect() == Dialect::kSqlite;
  int64_t at = static_cast<int64_t>(std::time(nullptr));
  for (size_t begin = 0, n = 0; begin < chunk.entries.size(); begin += n) {
    // SQLite's numbering statements share one parameter for the run and one for the time (?1, ?2).
    bool numbered = !sqlite || begin == 0;
    n = sqlite && begin == 0 ? 1 : std::min(per_statement, chunk.entries.size() - begin);
    size_t first = params.size();
    if (!numbered) Push(params, {Param::Int(run_), Param::Int(at)});
    for (size_t k = 0; k < n; ++k) {
      const EntryRecord& e = chunk.entries[begin + k];
      if (numbered) params.push_back(Param::Int(next_position_ + static_cast<int64_t>(begin + k)));
      params.push_back(Param::Text(texts.Copy(e.id)));
      params.push_back(Param::Int(static_cast<int64_t>(e.content)));
      if (numbered) params.push_back(Param::Int(run_));
      params.push_back(Param::Int(e.outcome));
      if (numbered) params.push_back(Param::Int(at));
      params.push_back(Param::Text(texts.Copy(e.input)));
      if (e.uses == 0) {
        Push(params, {Param::Null(), Param::Null(), Param::Null()});
      } else {
        const UseRecord& u = chunk.uses[e.first_use];
        Push(params,
             {Param::Int(slot_of[e.first_use]->id), Amount(u.amount, &texts), Amount(u.before, &texts)});
      }
    }
    std::string& sql = (numbered ? sql_cache_ : sql_auto_cache_)[n];
    if (sql.empty()) {
      sql = numbered
                ? "INSERT INTO shipments(position, shipment, content, run, outcome, at, input, key, amount, "
                  "before) VALUES "
                : "INSERT INTO shipments(shipment, content, run, outcome, at, input, key, amount, before) "
                  "VALUES ";
      for (size_t k = 0; k < n; ++k) {
        sql += k ? ", " : "";
        if (numbered) {
          sql += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
          continue;
        }
        // Row k's own parameters are ?(3 + 7k) to ?(9 + 7k).
        std::string p[7];
        for (int j = 0; j < 7; ++j) p[j] = "?" + std::to_string(3 + 7 * k + j);
        sql += "(" + p[0] + ", " + p[1] + ", ?1, " + p[2] + ", ?2, " + p[3] + ", " + p[4] + ", " + p[5] +
               ", " + p[6] + ")";
      }
      sql += " ON CONFLICT (shipment) WHERE voided_by IS NULL DO NOTHING";
    }
    AddStatement(w, sql, first, static_cast<int64_t>(n));
  }
  if (sqlite && chunk.entries.size() > 1) {
    static const std::string kLast = "SELECT MAX(position) FROM shipments";
    AddStatement(w, kLast, params.size());
    w->statements.back().expect = next_position_ + static_cast<int64_t>(chunk.entries.size()) - 1;
  }
  // Second and later uses of a shipment.
  for (size_t k = 0; k < chunk.entries.size(); ++k) {
    const EntryRecord& e = chunk.entries[k];
    for (uint32_t u = 1; u < e.uses; ++u) {
      const UseRecord& use = chunk.uses[e.first_use + u];
      size_t first = params.size();
      Push(params, {Param::Int(next_position_ + static_cast<int64_t>(k)), Param::Int(u),
                    Param::Int(slot_of[e.first_use + u]->id), Amount(use.amount, &texts),
                    Amount(use.before, &texts)});
      AddStatement(w, kMoreUse, first);
    }
  }
}

void Store::AddCommitStatements(int64_t generation, ChunkWrite* w) {
  static const std::string kState = "UPDATE ledger_state SET next_position = ?, generation = ? WHERE one = 1";
  // The new totals, and the generation that tells other processes which totals changed. Several keys per
  // statement, as for the shipments: a chunk touches up to a few thousand.
  const size_t per_statement = rows_per_statement();
  std::vector<Param>& params = w->params;
  for (size_t begin = 0; begin < touched_.size(); begin += per_statement) {
    size_t n = std::min(per_statement, touched_.size() - begin);
    size_t first = params.size();
    for (size_t k = 0; k < n; ++k) {
      const KeySlot* slot = touched_[begin + k];
      Push(params, {Param::Int(slot->id), Amount(slot->staged, &w->texts), Param::Int(generation)});
    }
    std::string& sql = totals_sql_[n];
    if (sql.empty()) {
      sql = "INSERT INTO totals(key, consumed, generation) VALUES ";
      for (size_t k = 0; k < n; ++k) sql += k ? ", (?, ?, ?)" : "(?, ?, ?)";
      sql +=
          " ON CONFLICT (key) DO UPDATE SET consumed = excluded.consumed, generation = excluded.generation";
    }
    AddStatement(w, sql, first);
  }
  size_t first = params.size();
  Push(params, {Param::Int(next_position_), Param::Int(generation)});
  AddStatement(w, kState, first);
}

Store::RecordResult Store::RunStatements(const ChunkWrite& w, std::string* error) {
  for (const ChunkWrite::Statement& st : w.statements) {
    int64_t changes = 0, value = 0;
    RowFn read;
    if (st.expect >= 0) read = [&](std::span<const Cell> row) { return value = row[0].Int(), false; };
    if (!Run(*st.sql, std::span<const Param>(w.params.data() + st.first, st.count), read, error,
             st.rows >= 0 ? &changes : nullptr))
      return RecordResult::kError;
    if (st.rows >= 0 && changes != st.rows) return RecordResult::kIdTaken;
    if (st.expect >= 0 && value != st.expect) {
      *error = "internal: ledger '" + where_ + "' numbered the shipments " + std::to_string(value) +
               " where " + std::to_string(st.expect) + " was meant";
      return RecordResult::kError;
    }
  }
  return RecordResult::kOk;
}

Store::RecordResult Store::Record(const ChunkRecords& chunk, std::string* error) {
  if (!in_transaction_ || !write_) {
    *error = "internal: ledger records outside a write transaction";
    return RecordResult::kError;
  }
  if (chunk.entries.empty()) return RecordResult::kOk;
  if (!EnsureRun(error) || !CheckUses(chunk, error)) return RecordResult::kError;
  record_write_.Clear();
  AddRecordStatements(chunk, &record_write_);
  RecordResult r = RunStatements(record_write_, error);
  if (r != RecordResult::kOk) return r;
  next_position_ += static_cast<int64_t>(chunk.entries.size());
  dirty_ = true;
  return RecordResult::kOk;
}

bool Store::Commit(std::string* error) {
  if (!in_transaction_) return true;
  if (dirty_) {
    record_write_.Clear();
    AddCommitStatements(generation_ + 1, &record_write_);
    if (RunStatements(record_write_, error) != RecordResult::kOk) {
      Rollback();
      return false;
    }
  }
  if (!conn_->Commit(error)) {
    in_transaction_ = false;
    Forget();
    if (run_is_new_) run_ = 0;
    run_is_new_ = false;
    return false;
  }
  in_transaction_ = false;
  if (dirty_) generation_ += 1;
  run_is_new_ = false;
  for (KeySlot* slot : touched_) {
    slot->committed = slot->staged;
    slot->touched = false;
    slot->recorded = Rational{};
  }
  touched_.clear();
  return true;
}

bool Store::BeginStaged(std::string* error) {
  if (!can_stage() || staging_) {
    *error = "internal: a staged chunk needs a committed run and no open transaction";
    return false;
  }
  staging_ = true;
  return true;
}

Store::RecordResult Store::Stage(const ChunkRecords& chunk, ChunkWrite* out, std::string* error) {
  out->Clear();
  out->generation = generation_;
  if (!staging_) {
    *error = "internal: Stage without BeginStaged";
    return RecordResult::kError;
  }
  staging_ = false;
  if (chunk.entries.empty() && touched_.empty() && staged_outcomes_.empty()) return RecordResult::kOk;
  if (!CheckUses(chunk, error)) return RecordResult::kError;
  static const std::string kOutcome = "INSERT INTO outcomes(outcome, decision) VALUES (?, ?)";
  for (int64_t id : staged_outcomes_) {
    size_t first = out->params.size();
    Push(out->params, {Param::Int(id), Param::Text(out->texts.Copy(outcome_text_[id]))});
    AddStatement(out, kOutcome, first);
  }
  staged_outcomes_.clear();
  AddRecordStatements(chunk, out);
  next_position_ += static_cast<int64_t>(chunk.entries.size());
  AddCommitStatements(generation_ + 1, out);
  // As if committed: the next chunk is decided against this one's totals.
  generation_ += 1;
  dirty_ = false;
  for (KeySlot* slot : touched_) {
    slot->committed = slot->staged;
    slot->touched = false;
    slot->recorded = Rational{};
  }
  touched_.clear();
  return RecordResult::kOk;
}

Store::WriteResult Store::Write(const ChunkWrite& w, std::string* error) {
  if (w.statements.empty()) return WriteResult::kOk;
  if (!conn_->Begin(true, error)) return WriteResult::kError;
  int64_t generation = -1;
  if (!Run(
          "SELECT generation FROM ledger_state WHERE one = 1", {},
          [&](std::span<const Cell> row) { return generation = row[0].Int(), false; }, error)) {
    conn_->Rollback();
    return WriteResult::kError;
  }
  if (generation != w.generation) {
    conn_->Rollback();
    return WriteResult::kStale;
  }
  switch (RunStatements(w, error)) {
    case RecordResult::kOk:
      break;
    case RecordResult::kIdTaken:
      conn_->Rollback();
      return WriteResult::kIdTaken;
    case RecordResult::kError:
      conn_->Rollback();
      return WriteResult::kError;
  }
  return conn_->Commit(error) ? WriteResult::kOk : WriteResult::kError;
}

void Store::Unstage() {
  Forget();
  staging_ = false;
  staged_outcomes_.clear();
  dirty_ = false;
}

void Store::Rollback() {
  if (in_transaction_) conn_->Rollback();
  in_transaction_ = false;
  if (dirty_) {
    // Ids handed out in the transaction are void now: read everything again at the next Begin.
    Forget();
    if (run_is_new_) run_ = 0;
    run_is_new_ = dirty_ = false;
    return;
  }
  for (KeySlot* slot : touched_) {
    slot->touched = false;
    slot->recorded = Rational{};
  }
  touched_.clear();
}

}  // namespace edict::ledger
