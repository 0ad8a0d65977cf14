// Reading the ledger back (recorded shipments, totals, the state before a position, an export of every entry)
// and voiding a shipment.
#include <algorithm>
#include <ctime>

#include "runtime/ledger/amount.h"
#include "runtime/ledger/store.h"

namespace edict::ledger {

namespace {

constexpr const char* kShipmentColumns =
    "SELECT position, shipment, content, run, outcome, at, input, key, amount, before, voided_by FROM "
    "shipments ";

// "(?, ?, ?)" for n parameters.
std::string Placeholders(size_t n) {
  std::string out = "(";
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out + ")";
}

bool AmountOf(const Cell& c, Rational* out) {
  if (c.kind == Cell::kInt) {
    *out = Rational::Int(c.i);
    return true;
  }
  auto v = ParseAmount(c.s);
  if (v) *out = *v;
  return v.has_value();
}

}  // namespace

bool Store::ReadTransaction(const std::function<bool()>& body, std::string* error) {
  if (in_transaction_) return body();
  if (!Begin(false, error)) return false;
  bool ok = body();
  Rollback();
  return ok;
}

bool Store::ReadRun(int64_t run, RunRecord* out, std::string* error) {
  if (auto it = runs_.find(run); it != runs_.end()) {
    *out = it->second;
    return true;
  }
  Param p = Param::Int(run);
  RunRecord r;
  r.run = run;
  if (!Run(
          "SELECT started_at, command, policy_id, policy_version, policy_hash, edict_version, input_name, "
          "input_format, csv_header FROM runs WHERE run = ?",
          {&p, 1},
          [&](std::span<const Cell> row) {
            r.started_at = row[0].Int();
            r.command = row[1].Text();
            r.policy_id = row[2].Text();
            r.policy_version = row[3].Text();
            r.policy_hash = row[4].Text();
            r.edict_version = row[5].Text();
            r.input_name = row[6].Text();
            r.input_format = row[7].Text();
            r.csv_header = row[8].Text();
            return false;
          },
          error))
    return false;
  runs_[run] = r;
  *out = r;
  return true;
}

bool Store::ReadKey(int64_t key, RecordedUse* out, std::string* error) {
  if (auto it = key_info_.find(key); it != key_info_.end()) {
    *out = it->second;
    return true;
  }
  Param p = Param::Int(key);
  RecordedUse u;
  u.key = key;
  bool found = false;
  if (!Run(
          "SELECT ledger_key, quota, label, period, unit, limit_amount FROM quota_keys WHERE key = ?",
          {&p, 1},
          [&](std::span<const Cell> row) {
            found = true;
            u.ledger_key = row[0].Text();
            u.quota = row[1].Text();
            u.label = row[2].Text();
            u.period = row[3].Text();
            u.unit = row[4].Text();
            Rational limit;
            if (!row[5].null() && AmountOf(row[5], &limit)) u.limit = limit;
            return false;
          },
          error))
    return false;
  if (!found) {
    *error = "ledger '" + where_ + "' is damaged: no quota key " + std::to_string(key);
    return false;
  }
  key_info_[key] = u;
  *out = u;
  return true;
}

bool Store::ReadShipments(const std::string& condition, std::span<const Param> params,
                          std::vector<RecordedShipment>* out, std::string* error) {
  size_t first = out->size();
  std::vector<int64_t> runs, outcomes;
  std::string bad;
  if (!Run(
          std::string(kShipmentColumns) + "WHERE " + condition, params,
          [&](std::span<const Cell> row) {
            RecordedShipment s;
            s.position = row[0].Int();
            s.id = row[1].Text();
            s.content = static_cast<uint64_t>(row[2].Int());
            runs.push_back(row[3].Int());
            outcomes.push_back(row[4].Int());
            s.at = row[5].Int();
            s.input = row[6].Text();
            if (!row[7].null()) {
              RecordedUse u;
              u.key = row[7].Int();
              if (!AmountOf(row[8], &u.amount) || !AmountOf(row[9], &u.before))
                bad = "amount of position " + std::to_string(s.position);
              s.uses.push_back(std::move(u));
            }
            s.voided_by = row[10].null() ? 0 : row[10].Int();
            out->push_back(std::move(s));
            return true;
          },
          error))
    return false;
  // Further uses, several shipments per statement.
  for (size_t begin = first; begin < out->size(); begin += 100) {
    size_t n = std::min<size_t>(100, out->size() - begin);
    std::vector<Param> positions;
    std::unordered_map<int64_t, RecordedShipment*> by_position;
    for (size_t k = begin; k < begin + n; ++k) {
      positions.push_back(Param::Int((*out)[k].position));
      by_position[(*out)[k].position] = &(*out)[k];
    }
    if (!Run(
            "SELECT position, seq, key, amount, before FROM more_uses WHERE position IN " + Placeholders(n) +
                " ORDER BY position, seq",
            positions,
            [&](std::span<const Cell> row) {
              RecordedUse u;
              u.key = row[2].Int();
              if (!AmountOf(row[3], &u.amount) || !AmountOf(row[4], &u.before))
                bad = "amount of position " + row[0].Text();
              by_position[row[0].Int()]->uses.push_back(std::move(u));
              return true;
            },
            error))
      return false;
  }
  for (size_t k = first; k < out->size(); ++k) {
    RecordedShipment& s = (*out)[k];
    if (!ReadRun(runs[k - first], &s.run, error)) return false;
    int64_t outcome = outcomes[k - first];
    auto it = outcome_text_.find(outcome);
    if (it == outcome_text_.end()) {
      Param p = Param::Int(outcome);
      if (!Run(
              "SELECT decision FROM outcomes WHERE outcome = ?", {&p, 1},
              [&](std::span<const Cell> row) { return s.decision = row[0].Text(), false; }, error))
        return false;
    } else {
      s.decision = it->second;
    }
    for (RecordedUse& u : s.uses) {
      RecordedUse info;
      if (!ReadKey(u.key, &info, error)) return false;
      u.ledger_key = info.ledger_key;
      u.quota = info.quota;
      u.label = info.label;
      u.period = info.period;
      u.unit = info.unit;
      u.limit = info.limit;
    }
  }
  if (!bad.empty()) {
    *error = "ledger '" + where_ + "' is damaged: " + bad;
    return false;
  }
  return true;
}

bool Store::Find(std::span<const std::string_view> ids, std::vector<RecordedShipment>* found,
                 std::string* error) {
  found->clear();
  for (size_t begin = 0; begin < ids.size(); begin += 100) {
    size_t n = std::min<size_t>(100, ids.size() - begin);
    std::vector<Param> params;
    for (size_t k = begin; k < begin + n; ++k) params.push_back(Param::Text(ids[k]));
    if (!ReadShipments("voided_by IS NULL AND shipment IN " + Placeholders(n), params, found, error))
      return false;
  }
  return true;
}

bool Store::Lookup(std::string_view id, RecordedShipment* out, bool* found, std::string* error) {
  return ReadTransaction(
      [&] {
        std::vector<RecordedShipment> rows;
        Param p = Param::Text(id);
        if (!ReadShipments("shipment = ? ORDER BY position DESC", {&p, 1}, &rows, error)) return false;
        *found = !rows.empty();
        if (rows.empty()) return true;
        // The live one when there is one (voided ones are older).
        auto live = std::find_if(rows.begin(), rows.end(), [](const auto& s) { return s.voided_by == 0; });
        *out = live != rows.end() ? *live : rows.front();
        return true;
      },
      error);
}

bool Store::Totals(std::vector<TotalRow>* rows, std::string* error) {
  rows->clear();
  std::string bad;
  bool ok = ReadTransaction(
      [&] {
        return Run(
            "SELECT k.ledger_key, k.quota, k.label, k.period, k.unit, k.limit_amount, t.consumed FROM totals "
            "t "
            "JOIN quota_keys k ON k.key = t.key",
            {},
            [&](std::span<const Cell> row) {
              TotalRow r;
              r.ledger_key = row[0].Text();
              r.quota = row[1].Text();
              r.label = row[2].Text();
              r.period = row[3].Text();
              r.unit = row[4].Text();
              Rational limit;
              if (!row[5].null() && AmountOf(row[5], &limit)) r.limit = limit;
              if (!AmountOf(row[6], &r.consumed)) bad = "total of " + r.ledger_key;
              rows->push_back(std::move(r));
              return true;
            },
            error);
      },
      error);
  if (ok && !bad.empty()) {
    *error = "ledger '" + where_ + "' is damaged: " + bad;
    return false;
  }
  // Byte order, the same on every database (PostgreSQL's collation would differ from SQLite's).
  std::sort(rows->begin(), rows->end(), [](const TotalRow& a, const TotalRow& b) {
    return std::tie(a.quota, a.period, a.label, a.ledger_key) <
           std::tie(b.quota, b.period, b.label, b.ledger_key);
  });
  return ok;
}

bool Store::StateBefore(int64_t position, MemoryLedger* out, std::string* error) {
  out->Clear();
  std::string bad;
  bool ok = ReadTransaction(
      [&] {
        Param p[] = {Param::Int(position), Param::Int(position)};
        return Run(
            "SELECT k.ledger_key, u.amount FROM uses u JOIN shipments s ON s.position = u.position JOIN "
            "quota_keys k ON k.key = u.key WHERE u.position < ? AND (s.voided_by IS NULL OR s.voided_by > ?) "
            "ORDER BY u.position, u.seq",
            p,
            [&](std::span<const Cell> row) {
              Rational amount;
              if (!AmountOf(row[1], &amount) || !out->Add(row[0].Text(), amount)) bad = row[0].Text();
              return true;
            },
            error);
      },
      error);
  if (ok && !bad.empty()) {
    *error = "ledger '" + where_ + "': the uses of key '" + bad + "' cannot be added up";
    return false;
  }
  return ok;
}

bool Store::ForEachEntry(const std::function<bool(const RecordedShipment*, const VoidRecord*)>& each,
                         std::string* error) {
  return ReadTransaction(
      [&] {
        const int64_t kPage = 4096;
        int64_t end = next_position_;
        for (int64_t lo = 1; lo < end; lo += kPage) {
          Param range[] = {Param::Int(lo), Param::Int(lo + kPage)};
          std::vector<RecordedShipment> shipments;
          if (!ReadShipments("position >= ? AND position < ? ORDER BY position", range, &shipments, error))
            return false;
          std::vector<VoidRecord> voids;
          std::vector<int64_t> runs;
          if (!Run(
                  "SELECT v.position, v.voided, s.shipment, v.at, v.reason, v.run FROM voids v JOIN "
                  "shipments s ON "
                  "s.position = v.voided WHERE v.position >= ? AND v.position < ? ORDER BY v.position",
                  range,
                  [&](std::span<const Cell> row) {
                    VoidRecord v;
                    v.position = row[0].Int();
                    v.voided = row[1].Int();
                    v.id = row[2].Text();
                    v.at = row[3].Int();
                    v.reason = row[4].Text();
                    runs.push_back(row[5].Int());
                    voids.push_back(std::move(v));
                    return true;
                  },
                  error))
            return false;
          for (size_t k = 0; k < voids.size(); ++k)
            if (!ReadRun(runs[k], &voids[k].run, error)) return false;
          size_t s = 0, v = 0;
          while (s < shipments.size() || v < voids.size()) {
            bool take_void =
                s == shipments.size() || (v < voids.size() && voids[v].position < shipments[s].position);
            if (!(take_void ? each(nullptr, &voids[v++]) : each(&shipments[s++], nullptr))) return true;
          }
        }
        return true;
      },
      error);
}

bool Store::Void(std::string_view id, std::string_view reason, const RunInfo& run, VoidRecord* out,
                 std::string* error) {
  if (!Begin(true, error)) return false;
  auto fail = [&] {
    Rollback();
    return false;
  };
  std::vector<RecordedShipment> live;
  Param p = Param::Text(id);
  if (!ReadShipments("voided_by IS NULL AND shipment = ?", {&p, 1}, &live, error)) return fail();
  if (live.empty()) {
    RecordedShipment any;
    bool found = false;
    std::vector<RecordedShipment> rows;
    if (!ReadShipments("shipment = ? ORDER BY position DESC", {&p, 1}, &rows, error)) return fail();
    found = !rows.empty();
    if (found) any = rows.front();
    *error = found ? "shipment '" + std::string(id) + "' was voided already (at position " +
                         std::to_string(any.voided_by) + ")"
                   : "no shipment '" + std::string(id) + "' in ledger '" + where_ + "'";
    return fail();
  }
  const RecordedShipment& s = live.front();
  RunInfo info = run;
  info.command = "void";
  SetRun(info);
  if (!EnsureRun(error)) return fail();
  // Give back what it consumed: the totals go down by its uses.
  for (const RecordedUse& u : s.uses) {
    Rational minus{-u.amount.num, u.amount.den};
    if (!Add(u.ledger_key, minus)) {
      *error = "overflow giving back quota " + u.quota;
      return fail();
    }
  }
  int64_t position = next_position_;
  int64_t at = static_cast<int64_t>(std::time(nullptr));
  Param mark[] = {Param::Int(position), Param::Int(s.position)};
  Param row[] = {Param::Int(position), Param::Int(s.position), Param::Int(run_), Param::Int(at),
                 Param::Text(reason)};
  if (!Run("UPDATE shipments SET voided_by = ? WHERE position = ?", mark, nullptr, error) ||
      !Run("INSERT INTO voids(position, voided, run, at, reason) VALUES (?, ?, ?, ?, ?)", row, nullptr,
           error))
    return fail();
  next_position_ += 1;
  dirty_ = true;
  if (!Commit(error)) return false;
  out->position = position;
  out->voided = s.position;
  out->id = s.id;
  out->at = at;
  out->reason = std::string(reason);
  out->run.run = run_;
  static_cast<RunInfo&>(out->run) = info;
  return true;
}

}  // namespace edict::ledger
