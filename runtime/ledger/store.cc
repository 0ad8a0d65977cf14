// The ledger's logic, written once for both databases: opening and migrating, the in-memory copy of the
// totals kept in step with the database, and recording a chunk (store_read.cc reads entries back).
#include "runtime/ledger/store.h"

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

Param Store::Amount(const Rational& r, std::string* storage) const {
  if (r.IsInteger() && r.FitsInt64()) return Param::Int(r.ToInt64());
  *storage = AmountText(r);
  return Param::Text(*storage);
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
  recorded_.clear();
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

Store::RecordResult Store::Record(const ChunkRecords& chunk, std::string* error) {
  if (!in_transaction_ || !write_) {
    *error = "internal: ledger records outside a write transaction";
    return RecordResult::kError;
  }
  if (chunk.entries.empty()) return RecordResult::kOk;
  if (!EnsureRun(error)) return RecordResult::kError;
  // What the engines added must be what the uses say, key by key (over every Record of the transaction).
  // Each use's key is looked up once (a hash of its text); most chunks repeat a few thousand keys.
  std::unordered_map<KeySlot*, Rational>& sums = recorded_;
  std::vector<KeySlot*>& slot_of = use_slots_;
  slot_of.resize(chunk.uses.size());
  for (size_t i = 0; i < chunk.uses.size(); ++i) {
    const UseRecord& u = chunk.uses[i];
    auto it = keys_.find(u.ledger_key);
    if (it == keys_.end() || !it->second.touched) {
      *error = "internal: quota use of an untouched ledger key";
      return RecordResult::kError;
    }
    slot_of[i] = &it->second;
    Rational& sum = sums[slot_of[i]];
    auto added = edict::Add(sum, u.amount);
    if (!added) {
      *error = "internal: overflow adding quota uses";
      return RecordResult::kError;
    }
    sum = *added;
  }
  for (KeySlot* slot : touched_) {
    auto delta = Sub(slot->staged, slot->committed);
    if (!delta || !(*delta == sums[slot])) {
      *error = "internal: the quota uses recorded differ from what the engine consumed";
      return RecordResult::kError;
    }
  }
  std::string s1, s2;
  // Keys used for the first time.
  for (size_t i = 0; i < chunk.uses.size(); ++i) {
    const UseRecord& u = chunk.uses[i];
    KeySlot& slot = *slot_of[i];
    if (slot.id != 0) continue;
    int64_t id = max_key_ + 1;
    Param params[] = {Param::Int(id),       Param::Text(u.ledger_key),           Param::Text(u.quota),
                      Param::Text(u.label), Param::Text(PeriodOf(u.ledger_key)), Amount(u.limit, &s1),
                      Param::Text(u.unit)};
    if (!Run("INSERT INTO quota_keys(key, ledger_key, quota, label, period, limit_amount, unit) VALUES (?, "
             "?, ?, "
             "?, ?, ?, ?)",
             params, nullptr, error))
      return RecordResult::kError;
    max_key_ = id;
    slot.id = id;
    key_by_id_[id] = &slot;
  }
  // The shipments, several rows per statement (one statement per row costs about as much again).
  const size_t per_statement = conn_->dialect() == Dialect::kSqlite ? 64 : 500;
  int64_t at = static_cast<int64_t>(std::time(nullptr));
  std::vector<Param> params;
  std::vector<std::string> storage;
  int64_t inserted = 0;
  for (size_t begin = 0; begin < chunk.entries.size(); begin += per_statement) {
    size_t n = std::min(per_statement, chunk.entries.size() - begin);
    params.clear();
    storage.assign(3 * n, std::string());
    for (size_t k = 0; k < n; ++k) {
      const EntryRecord& e = chunk.entries[begin + k];
      params.push_back(Param::Int(next_position_ + static_cast<int64_t>(begin + k)));
      params.push_back(Param::Text(e.id));
      params.push_back(Param::Int(static_cast<int64_t>(e.content)));
      params.push_back(Param::Int(run_));
      params.push_back(Param::Int(e.outcome));
      params.push_back(Param::Int(at));
      params.push_back(Param::Text(e.input));
      if (e.uses == 0) {
        params.insert(params.end(), {Param::Null(), Param::Null(), Param::Null()});
      } else {
        const UseRecord& u = chunk.uses[e.first_use];
        params.push_back(Param::Int(slot_of[e.first_use]->id));
        params.push_back(Amount(u.amount, &storage[3 * k]));
        params.push_back(Amount(u.before, &storage[3 * k + 1]));
      }
    }
    if (sql_cache_.size() <= n) sql_cache_.resize(n + 1);
    std::string& sql = sql_cache_[n];
    if (sql.empty()) {
      sql =
          "INSERT INTO shipments(position, shipment, content, run, outcome, at, input, key, amount, before) "
          "VALUES ";
      for (size_t k = 0; k < n; ++k)
        sql += k ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      sql += " ON CONFLICT (shipment) WHERE voided_by IS NULL DO NOTHING";
    }
    int64_t changes = 0;
    if (!Run(sql, params, nullptr, error, &changes)) return RecordResult::kError;
    inserted += changes;
    if (static_cast<size_t>(changes) != n) return RecordResult::kIdTaken;
  }
  // Second and later uses of a shipment.
  for (size_t k = 0; k < chunk.entries.size(); ++k) {
    const EntryRecord& e = chunk.entries[k];
    for (uint32_t u = 1; u < e.uses; ++u) {
      const UseRecord& use = chunk.uses[e.first_use + u];
      Param p[] = {Param::Int(next_position_ + static_cast<int64_t>(k)), Param::Int(u),
                   Param::Int(slot_of[e.first_use + u]->id), Amount(use.amount, &s1),
                   Amount(use.before, &s2)};
      if (!Run("INSERT INTO more_uses(position, seq, key, amount, before) VALUES (?, ?, ?, ?, ?)", p, nullptr,
               error))
        return RecordResult::kError;
    }
  }
  next_position_ += inserted;
  dirty_ = true;
  return RecordResult::kOk;
}

bool Store::Commit(std::string* error) {
  if (!in_transaction_) return true;
  bool ok = true;
  if (dirty_) {
    // The new totals, and the generation that tells other processes which totals changed.
    // Several keys per statement, as for the shipments: a chunk touches up to a few thousand.
    int64_t generation = generation_ + 1;
    const size_t per_statement = conn_->dialect() == Dialect::kSqlite ? 64 : 500;
    std::vector<Param> params;
    std::vector<std::string> storage;
    for (size_t begin = 0; ok && begin < touched_.size(); begin += per_statement) {
      size_t n = std::min(per_statement, touched_.size() - begin);
      params.clear();
      storage.assign(n, std::string());
      for (size_t k = 0; k < n; ++k) {
        const KeySlot* slot = touched_[begin + k];
        params.push_back(Param::Int(slot->id));
        params.push_back(Amount(slot->staged, &storage[k]));
        params.push_back(Param::Int(generation));
      }
      if (totals_sql_.size() <= n) totals_sql_.resize(n + 1);
      std::string& sql = totals_sql_[n];
      if (sql.empty()) {
        sql = "INSERT INTO totals(key, consumed, generation) VALUES ";
        for (size_t k = 0; k < n; ++k) sql += k ? ", (?, ?, ?)" : "(?, ?, ?)";
        sql +=
            " ON CONFLICT (key) DO UPDATE SET consumed = excluded.consumed, generation = excluded.generation";
      }
      ok = Run(sql, params, nullptr, error);
    }
    Param state[] = {Param::Int(next_position_), Param::Int(generation)};
    ok = ok && Run("UPDATE ledger_state SET next_position = ?, generation = ? WHERE one = 1", state, nullptr,
                   error);
    if (!ok) {
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
  recorded_.clear();
  for (KeySlot* slot : touched_) {
    slot->committed = slot->staged;
    slot->touched = false;
  }
  touched_.clear();
  return true;
}

void Store::Rollback() {
  if (in_transaction_) conn_->Rollback();
  in_transaction_ = false;
  if (dirty_) {
    // Ids handed out in the transaction are void now: read everything again at the next Begin.
    Forget();
    if (run_is_new_) run_ = 0;
    run_is_new_ = dirty_ = false;
    recorded_.clear();
    return;
  }
  for (KeySlot* slot : touched_) slot->touched = false;
  touched_.clear();
  recorded_.clear();
}

}  // namespace edict::ledger
