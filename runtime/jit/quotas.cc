#include "runtime/jit/quotas.h"

#include <algorithm>
#include <span>

#include "runtime/date.h"

namespace edict::jit {

uint32_t QuotaState::NextEpoch() {
  if (++epochs_ != 0) return epochs_;
  // After 2^32 epochs: every entry is cleared, and every set takes a new epoch.
  for (DirectSet& set : sets_) {
    for (auto& table : set.tables) table.assign(table.size(), QuotaRecent{});
    set.epoch = ++epochs_;
  }
  return ++epochs_;
}

void QuotaState::InvalidateDirect() {
  for (DirectSet& set : sets_) set.epoch = NextEpoch();
}

void QuotaState::Forget() {
  sets_.clear();  // their entries name the tuples and slots dropped below
  sets_.reserve(kDirectSets);
  set_ = nullptr;
  kept_texts_.Truncate(1);
  tuples_.clear();
  hashed_.clear();
  for (auto& d : kept_direct_) d.clear();
  std::fill(tuple_index_.begin(), tuple_index_.end(), -1);
  keys_.clear();
  key_hash_.clear();
  std::fill(slot_index_.begin(), slot_index_.end(), -1);
  key_texts_.clear();
  slot_epoch_.clear();
  totals_.clear();
  initial_.clear();
  added_.clear();
  stale_ = true;
}

void QuotaState::Begin(const Plan& plan, const batch::TextTable& texts, Ledger& ledger, bool keep_uses) {
  // What was kept serves the same plan only (a plan without a serial is never the same).
  if (plan.serial == 0 || plan.serial != plan_serial_ || tuples_.size() + keys_.size() > kKeptTuples) {
    Forget();
    plan_serial_ = plan.serial;
    info_.clear();
    for (const QuotaRef& ref : plan.quotas) {
      const ir::Quota& q = ref.program->quotas[ref.quota];
      QuotaInfo& info = info_.emplace_back();
      info.keys = static_cast<int32_t>(q.keys.size());
      if (q.keys.size() == 1 && q.keys[0]->kind == ValueKind::kText) info.direct_tag = kKeyText;
      if (q.keys.size() == 1 && q.keys[0]->kind == ValueKind::kEnum) info.direct_tag = kKeyEnum;
      info.calendar_year = q.calendar_year;
      info.limit = &q.limit;
      info.period_text = q.calendar_year ? ""
                         : q.window      ? FormatDate(q.window_from) + ".." + FormatDate(q.window_to)
                                         : "all";
    }
    kept_direct_.resize(info_.size());
    for (auto& d : kept_direct_) d.clear();
  }
  plan_ = &plan;
  keep_uses_ = keep_uses;
  texts_ = &texts;
  // The totals kept from the last batch still hold when that batch's Flush was the ledger's last change (an
  // eval's batches over its one ledger); else each slot reads the ledger again when first used, or, for an
  // empty ledger, starts from zero here.
  const bool totals_hold =
      &ledger == ledger_ && flushed_version_ != 0 && ledger.Version() == flushed_version_;
  flushed_version_ = 0;  // until this batch's Flush
  ledger_ = &ledger;
  if (!totals_hold) {
    if (++load_epoch_ == 0) {  // after 2^32 batches, every mark is cleared
      std::fill(slot_epoch_.begin(), slot_epoch_.end(), 0);
      load_epoch_ = 1;
    }
    if (ledger.KnownEmpty()) {
      // Every slot is loaded (at zero): the direct entries, which name loaded slots, still hold.
      std::fill(slot_epoch_.begin(), slot_epoch_.end(), load_epoch_);
      std::fill(totals_.begin(), totals_.end(), Rational{});
      std::fill(initial_.begin(), initial_.end(), Rational{});
      std::fill(added_.begin(), added_.end(), 0);
    } else {
      InvalidateDirect();  // each slot reads the ledger again, through the helpers
    }
  }
  // The direct set of this batch's texts: kept from an earlier batch with the same, or a fresh one.
  ++begins_;
  set_ = nullptr;
  for (DirectSet& set : sets_)
    if (set.generation == texts.generation()) set_ = &set;
  if (!set_) {
    if (sets_.size() < kDirectSets) {
      set_ = &sets_.emplace_back();
      set_->tables.resize(info_.size());
    } else {
      set_ = &*std::min_element(sets_.begin(), sets_.end(),
                                [](const DirectSet& a, const DirectSet& b) { return a.used < b.used; });
    }
    set_->generation = texts.generation();
    set_->epoch = NextEpoch();  // none of its entries holds
  }
  set_->used = begins_;
  fast_.epoch = set_->epoch;
  // A text key's ids go up to the batch's interned texts: its direct table is made that large.
  for (size_t q = 0; q < info_.size(); ++q)
    if (info_[q].direct_tag == kKeyText && set_->tables[q].size() < kPeriodsPerKey * texts.size())
      set_->tables[q].resize(kPeriodsPerKey * texts.size());
  fast_.touched_count = 0;
  uses_.clear();
  // Without the figures, compiled code records a use itself where it can (undo_ then serves Rollback).
  fast_.consume_inline = keep_uses ? 0 : 1;
  fast_.undo_count = 0;
  if (undo_.empty()) undo_.resize(16);
  if (touched_.empty()) touched_.resize(256);
  stale_ = true;
  Sync();
}

void QuotaState::SyncSlow() {
  stale_ = false;
  fast_direct_.resize(set_->tables.size());
  for (size_t q = 0; q < set_->tables.size(); ++q)
    fast_direct_[q] = QuotaDirect{set_->tables[q].data(), set_->tables[q].size() / kPeriodsPerKey};
  fast_.direct = fast_direct_.data();
  fast_.totals = totals_.data();
  fast_.added = added_.data();
  fast_.undo = undo_.data();
  fast_.undo_cap = undo_.size();
  fast_.touched = touched_.data();
  fast_.touched_cap = touched_.size();
}

void QuotaState::LoadSlow(int32_t slot) {
  slot_epoch_[slot] = load_epoch_;
  totals_[slot] = initial_[slot] = ledger_->ConsumedHashed(keys_[slot], key_hash_[slot]);
  added_[slot] = 0;
}

int32_t QuotaState::TupleFor(int32_t quota, const QuotaKeyParts& key) {
  int64_t period = Period(quota, key.period);
  const QuotaInfo& info = info_[quota];
  if (info.direct_tag != 0 && key.parts[0] == info.direct_tag && key.parts[1] >= 0) {
    std::vector<QuotaRecent>& direct = set_->tables[quota];
    size_t id = static_cast<size_t>(key.parts[1]);
    auto holds = [&](const QuotaRecent& r) {
      return r.epoch == fast_.epoch &&
             (!info.calendar_year || (key.period >= r.first && key.period <= r.last));
    };
    if (kPeriodsPerKey * id < direct.size()) {
      for (size_t k = 0; k < kPeriodsPerKey; ++k)
        if (holds(direct[kPeriodsPerKey * id + k]))
          return QuotaMemoTuple(direct[kPeriodsPerKey * id + k].memo);
    } else {
      direct.resize(kPeriodsPerKey * (id + 1));
      stale_ = true;
    }
    int32_t t = Intern(quota, key, period);
    int32_t slot = tuples_[t].slot;
    Load(slot);
    // A key's first entry is filled first; its second takes another year (a batch's dates across New Year),
    // and is the one replaced after that.
    QuotaRecent* entry = &direct[kPeriodsPerKey * id];
    if (info.calendar_year && entry->epoch == fast_.epoch) ++entry;
    QuotaRecent& r = *entry;
    r.epoch = fast_.epoch;
    r.first = info.calendar_year ? year_first_ : INT32_MIN;  // Period just found the shipment's year
    r.last = info.calendar_year ? year_last_ : INT32_MAX;
    r.memo = QuotaMemo(slot, t);
    return t;
  }
  int32_t t = Intern(quota, key, period);
  Load(tuples_[t].slot);
  return t;
}

int64_t QuotaState::Fits(int32_t quota, const QuotaKeyParts& key, const Rational& amount) {
  int32_t tuple = TupleFor(quota, key);
  int32_t slot = tuples_[tuple].slot;
  auto total = Add(totals_[slot], amount);
  if (!total) return -1;
  const Rational& limit = *info_[quota].limit;
  bool fits = total->den == 1 && limit.den == 1 ? total->num <= limit.num : Compare(*total, limit) <= 0;
  return QuotaMemo(slot, tuple) | (fits ? 1 : 0);
}

inline void QuotaState::Added(int32_t slot) {
  if (added_[slot]++ != 0) return;
  uint64_t n = fast_.touched_count;
  if (n == touched_.size()) {
    touched_.resize(2 * n);
    stale_ = true;
  }
  touched_[n] = slot;
  fast_.touched_count = n + 1;
}

void QuotaState::Undoable(int64_t record, int32_t slot) {
  uint64_t n = fast_.undo_count;
  if (n > 0 && undo_[n - 1].record != record) n = 0;  // an earlier record's: no longer needed
  if (n == undo_.size()) {
    undo_.resize(2 * n);
    stale_ = true;
  }
  undo_[n] = QuotaUndo{record, slot, totals_[slot]};
  fast_.undo_count = n + 1;
}

int32_t QuotaState::Consume(int64_t record, int32_t quota, const QuotaKeyParts& key, int32_t tuple,
                            bool in_window, const Rational& amount, bool apply) {
  if (!keep_uses_) {
    // No figures: only what Rollback needs is noted.
    if (!in_window || !apply) return 0;  // nothing changes (a sum from zero cannot overflow)
    int32_t slot = tuples_[tuple >= 0 ? tuple : TupleFor(quota, key)].slot;
    auto after = Add(totals_[slot], amount);
    if (!after) return -1;
    Undoable(record, slot);
    totals_[slot] = *after;
    Added(slot);
    return 0;
  }
  Use& use = uses_.emplace_back();
  use.record = record;
  use.quota = quota;
  use.amount = amount;
  if (in_window) {
    // `tuple`, from this record's Fits, has its slot loaded.
    use.tuple = tuple >= 0 ? tuple : TupleFor(quota, key);
    use.slot = tuples_[use.tuple].slot;
    use.before = totals_[use.slot];
  } else {
    // Outside the window the tuple only names the use (Explain); no total is read.
    use.tuple = tuple >= 0 ? tuple : Intern(quota, key, Period(quota, key.period));
  }
  auto after = Add(use.before, amount);
  if (!after) {
    uses_.pop_back();
    return -1;
  }
  if (apply && in_window) {
    totals_[use.slot] = *after;
    Added(use.slot);
    use.applied = true;
  }
  return 0;
}

void QuotaState::Rollback(int64_t record) {
  for (uint64_t& n = fast_.undo_count; n > 0 && undo_[n - 1].record == record; --n) {
    const QuotaUndo& u = undo_[n - 1];
    totals_[u.slot] = u.before;
    --added_[u.slot];
  }
  while (!uses_.empty() && uses_.back().record == record) {
    const Use& u = uses_.back();
    if (u.applied) {
      totals_[u.slot] = u.before;
      --added_[u.slot];  // at zero, Flush passes the slot over
    }
    uses_.pop_back();
  }
}

void QuotaState::Flush() {
  const std::span<const int32_t> touched(touched_.data(), fast_.touched_count);
  size_t keys = 0, bytes = 0;
  for (int32_t slot : touched)
    if (added_[slot] != 0) ++keys, bytes += keys_[slot].size();
  if (keys > 1) ledger_->Reserve(keys, bytes);
  for (int32_t slot : touched) {
    if (added_[slot] == 0) continue;  // only uses that were undone, or listed before
    added_[slot] = 0;
    const std::string& key = keys_[slot];
    // The change over the batch, in one Add. Where it does not fit in a Rational (a total that went from
    // far below zero to far above it), two: back to zero, then up to the total; every partial sum the
    // ledger holds is then one the batch's totals held, so none overflows. The ledger ends where the
    // interpreter's amount-by-amount additions would leave it.
    uint64_t hash = key_hash_[slot];
    if (auto delta = Sub(totals_[slot], initial_[slot])) {
      ledger_->AddHashed(key, hash, *delta);
    } else {
      ledger_->AddHashed(key, hash, Rational{-initial_[slot].num, initial_[slot].den});
      ledger_->AddHashed(key, hash, totals_[slot]);
    }
    initial_[slot] = totals_[slot];  // what the ledger now holds
  }
  fast_.touched_count = 0;
  flushed_version_ = ledger_->Version();
}

extern "C" {

int64_t edict_q_fits(Context* ctx, int32_t quota, const QuotaKeyParts* key, const i128* amount) {
  int64_t r = ctx->quotas->Fits(quota, *key, Rational{amount[0], amount[1]});
  ctx->quotas->Sync();
  return r;
}

int32_t edict_q_consume(Context* ctx, int64_t record, int32_t quota, const QuotaKeyParts* key, int32_t tuple,
                        int32_t in_window, const i128* amount, int32_t apply) {
  int32_t r = ctx->quotas->Consume(record, quota, *key, tuple, in_window != 0, Rational{amount[0], amount[1]},
                                   apply != 0);
  ctx->quotas->Sync();
  return r;
}

}  // extern "C"

Rational QuotaState::View::Consumed(std::string_view key) const {
  int32_t slot = s_.SlotForText(key);
  s_.Load(slot);
  s_.Sync();
  return s_.totals_[slot];
}

bool QuotaState::View::Add(const std::string& key, const Rational& amount) {
  int32_t slot = s_.SlotForText(key);
  s_.Load(slot);
  s_.Sync();
  auto total = edict::Add(s_.totals_[slot], amount);
  if (!total) return false;
  s_.totals_[slot] = *total;
  s_.Added(slot);
  return true;
}

}  // namespace edict::jit
