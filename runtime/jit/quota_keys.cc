// QuotaState's interning: a key as compiled code passes it (texts by the batch's ids) becomes a canonical
// tuple (texts by content), kept from batch to batch, with the slot of its ledger key; and the texts made
// from keys, for the ledger (QuotaKey in the interpreter) and for people (QuotaKeyText).
#include <algorithm>
#include <charconv>
#include <cstring>

#include "runtime/date.h"
#include "runtime/jit/quotas.h"

namespace edict::jit {

namespace {

// A tuple's hash covers the quota, its used key pairs and the period.
uint64_t TupleHash(int32_t quota, int32_t keys, const QuotaKeyParts& key) {
  uint64_t h = static_cast<uint64_t>(quota) + 1;
  for (int i = 0; i < 2 * keys; ++i) h = (h ^ static_cast<uint64_t>(key.parts[i])) * 0xff51afd7ed558ccdull;
  h = (h ^ static_cast<uint64_t>(key.period)) * 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 32);
}

// Compiled code zeroes the unused pairs, so the used ones and the period decide.
bool SameKey(int32_t keys, const QuotaKeyParts& a, const QuotaKeyParts& b) {
  for (int i = 0; i < 2 * keys; ++i)
    if (a.parts[i] != b.parts[i]) return false;
  return a.period == b.period;
}

// Grows an open-addressing index of `ids` to twice its size when it is half full.
template <typename HashOf>
void Grow(std::vector<int32_t>* index, size_t n, HashOf hash_of, const int32_t* ids = nullptr) {
  if (2 * (n + 1) <= index->size()) return;
  size_t cap = index->empty() ? 256 : 2 * index->size();
  index->assign(cap, -1);
  for (size_t k = 0; k < n; ++k) {
    int32_t id = ids ? ids[k] : static_cast<int32_t>(k);
    size_t at = hash_of(id) & (cap - 1);
    while ((*index)[at] >= 0) at = (at + 1) & (cap - 1);
    (*index)[at] = id;
  }
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

}  // namespace

int64_t QuotaState::Period(int32_t quota, int64_t date) {
  if (!info_[quota].calendar_year) return 0;
  // Shipments of one batch mostly fall in a few years: the last year found is tried first.
  if (date < year_first_ || date > year_last_) {
    // The days of January 1st from 1900 to 2201 (a checked date lies in 1900-2199), made once.
    static const std::vector<int32_t> jan1 = [] {
      std::vector<int32_t> v;
      for (int y = 1900; y <= 2201; ++y) v.push_back(DaysFromCivil(y, 1, 1));
      return v;
    }();
    if (date >= jan1.front() && date < jan1.back()) {
      auto next = std::upper_bound(jan1.begin(), jan1.end(), static_cast<int32_t>(date));
      year_ = 1900 + (next - jan1.begin()) - 1;
      year_first_ = next[-1];
      year_last_ = next[0] - 1;
    } else {
      int year = YearOf(static_cast<int>(date));
      year_ = year;
      year_first_ = DaysFromCivil(year, 1, 1);
      year_last_ = DaysFromCivil(year, 12, 31);
    }
  }
  return year_;
}

// The key's texts become indices in kept_texts_ (by content), so a tuple means the same in every batch. A
// quota keyed by one text or enum finds its tuples by that index (then the period) without hashing.
int32_t QuotaState::Intern(int32_t quota, const QuotaKeyParts& from_code, int64_t period) {
  const QuotaInfo& info = info_[quota];
  QuotaKeyParts key = from_code;
  key.period = period;
  for (int k = 0; k < info.keys; ++k)
    if (key.parts[2 * k] == kKeyText)
      key.parts[2 * k + 1] = kept_texts_.Intern(texts_->Get(static_cast<uint32_t>(key.parts[2 * k + 1])));
  if (info.direct_tag != 0 && key.parts[0] == info.direct_tag && key.parts[1] >= 0) {
    std::vector<int32_t>& first = kept_direct_[quota];
    size_t id = static_cast<size_t>(key.parts[1]);
    if (id >= first.size()) first.resize(id + 1, -1);
    for (int32_t t = first[id]; t >= 0; t = tuples_[t].next)
      if (tuples_[t].key.period == period) return t;
    int32_t t = NewTuple(quota, key);
    tuples_[t].next = first[id];
    first[id] = t;
    return t;
  }
  uint64_t h = TupleHash(quota, info.keys, key);
  size_t mask = tuple_index_.size() - 1;
  if (!tuple_index_.empty()) {
    for (size_t at = h & mask;; at = (at + 1) & mask) {
      int32_t t = tuple_index_[at];
      if (t < 0) break;
      const Tuple& e = tuples_[t];
      if (e.quota == quota && SameKey(info.keys, e.key, key)) return t;
    }
  }
  Grow(
      &tuple_index_, hashed_.size(),
      [&](int32_t id) {
        const Tuple& e = tuples_[id];
        return TupleHash(e.quota, info_[e.quota].keys, e.key);
      },
      hashed_.data());
  mask = tuple_index_.size() - 1;
  int32_t t = NewTuple(quota, key);
  hashed_.push_back(t);
  size_t at = h & mask;
  while (tuple_index_[at] >= 0) at = (at + 1) & mask;
  tuple_index_[at] = t;
  return t;
}

// Two different tuples may name one ledger entry (a key read as an enum in one policy and a text in
// another): the entry's text decides.
int32_t QuotaState::NewTuple(int32_t quota, const QuotaKeyParts& key) {
  scratch_.clear();
  AppendKey(quota, key, &scratch_);
  int32_t slot = SlotForText(scratch_);
  int32_t t = static_cast<int32_t>(tuples_.size());
  tuples_.push_back(Tuple{quota, slot, -1, key});
  return t;
}

int32_t QuotaState::SlotForText(std::string_view key) {
  uint64_t h = LedgerKeyHash(key);
  size_t mask = slot_index_.size() - 1;
  if (!slot_index_.empty()) {
    for (size_t at = h & mask;; at = (at + 1) & mask) {
      int32_t s = slot_index_[at];
      if (s < 0) break;
      if (key_hash_[s] == h && keys_[s] == key) return s;
    }
  }
  Grow(&slot_index_, keys_.size(), [&](int32_t id) { return key_hash_[id]; });
  mask = slot_index_.size() - 1;
  int32_t slot = static_cast<int32_t>(keys_.size());
  keys_.emplace_back(key);
  key_hash_.push_back(h);
  slot_epoch_.push_back(0);  // not loaded in any batch
  totals_.emplace_back();
  initial_.emplace_back();
  added_.push_back(0);
  stale_ = true;
  size_t at = h & mask;
  while (slot_index_[at] >= 0) at = (at + 1) & mask;
  slot_index_[at] = slot;
  return slot;
}

// A key value as the interpreter writes it, in the ledger key (QuotaKey) and for people (QuotaKeyText).
void QuotaState::AppendPart(int32_t quota, int k, const QuotaKeyParts& key, std::string* out) const {
  int64_t tag = key.parts[2 * k], v = key.parts[2 * k + 1];
  switch (tag) {
    case kKeyBool:
      *out += v ? "true" : "false";
      return;
    case kKeyInt:
      AppendInt(v, out);
      return;
    case kKeyText:
      *out += kept_texts_.Get(static_cast<uint32_t>(v));
      return;
    case kKeyDate:
      *out += FormatDate(static_cast<int>(v));
      return;
    case kKeyEnum: {
      // By name where the key is a field, in the ledger key as for people (the interpreter's QuotaKey).
      const QuotaRef& ref = plan_->quotas[quota];
      const ir::Expr* e = ref.program->quotas[ref.quota].keys[k];
      int en = e->op == ir::Op::kField ? ref.program->fields[e->index].enum_index : -1;
      if (en >= 0)
        *out += ref.program->enums[en].members[v];
      else
        *out += "#" + std::to_string(v);
      return;
    }
    default:
      *out += "-";
  }
}

void QuotaState::AppendKey(int32_t quota, const QuotaKeyParts& key, std::string* out) const {
  const QuotaRef& ref = plan_->quotas[quota];
  const ir::Quota& q = ref.program->quotas[ref.quota];
  *out += q.ledger_id;
  for (size_t k = 0; k < q.keys.size(); ++k) {
    out->push_back('\x1f');
    AppendPart(quota, static_cast<int>(k), key, out);
  }
  out->push_back('\x1f');
  if (q.calendar_year)
    AppendInt(key.period, out);
  else
    *out += info_[quota].period_text;
}

interp::QuotaUse QuotaState::Explain(const Use& use) const {
  const QuotaRef& ref = plan_->quotas[use.quota];
  const ir::Quota& q = ref.program->quotas[ref.quota];
  interp::QuotaUse out;
  out.quota = ref.quota;
  out.limit = q.limit;
  out.before = use.before;
  out.amount = use.amount;
  out.after = *Add(use.before, use.amount);  // it did not overflow when the use was made
  if (use.slot >= 0) out.key = keys_[use.slot];
  // A key's text depends on the tuple alone: made once per tuple, as most uses repeat one.
  if (key_texts_.size() < tuples_.size()) key_texts_.resize(tuples_.size());
  std::string& text = key_texts_[use.tuple];
  if (text.empty()) {
    const QuotaKeyParts& key = tuples_[use.tuple].key;
    for (size_t k = 0; k < q.keys.size(); ++k) {
      if (!text.empty()) text += ", ";
      text += q.key_texts[k] + "=";
      AppendPart(use.quota, static_cast<int>(k), key, &text);
    }
    if (q.calendar_year) text += std::string(text.empty() ? "" : ", ") + "year=" + std::to_string(key.period);
    if (q.window)
      text += std::string(text.empty() ? "" : ", ") + "window=" + FormatDate(q.window_from) + ".." +
              FormatDate(q.window_to);
  }
  out.key_text = text;
  return out;
}

}  // namespace edict::jit
