#include "runtime/jit/quotas.h"

#include <charconv>
#include <cstring>

#include "runtime/date.h"

namespace edict::jit {

namespace {

// Texts of a few dozen bytes: eight at a time.
uint64_t HashText(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 32);
}

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
void Grow(std::vector<int32_t>* index, const std::vector<int32_t>& ids, HashOf hash_of) {
  if (2 * (ids.size() + 1) <= index->size()) return;
  size_t cap = index->empty() ? 256 : 2 * index->size();
  index->assign(cap, -1);
  for (int32_t id : ids) {
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

// a + b, for the usual whole amounts without a call; nullopt on overflow.
inline std::optional<Rational> Sum(const Rational& a, const Rational& b) {
  if (a.den == 1 && b.den == 1) {
    i128 r;
    if (__builtin_add_overflow(a.num, b.num, &r)) return std::nullopt;
    return Rational{r, 1};
  }
  return Add(a, b);
}

}  // namespace

void QuotaState::Begin(const Plan& plan, const batch::TextTable& texts, Ledger& ledger, bool keep_uses) {
  plan_ = &plan;
  keep_uses_ = keep_uses;
  key_count_.clear();
  direct_tag_.clear();
  direct_.resize(plan.quotas.size());
  for (auto& d : direct_) d.clear();  // capacity kept; refilled with -1 as values appear
  calendar_year_.clear();
  limit_.clear();
  period_text_.clear();
  for (const QuotaRef& ref : plan.quotas) {
    const ir::Quota& q = ref.program->quotas[ref.quota];
    key_count_.push_back(static_cast<int32_t>(q.keys.size()));
    int64_t tag = 0;
    if (q.keys.size() == 1 && q.keys[0]->kind == ValueKind::kText) tag = kKeyText;
    if (q.keys.size() == 1 && q.keys[0]->kind == ValueKind::kEnum) tag = kKeyEnum;
    direct_tag_.push_back(tag);
    calendar_year_.push_back(q.calendar_year ? 1 : 0);
    limit_.push_back(&q.limit);
    period_text_.push_back(q.calendar_year ? ""
                           : q.window      ? FormatDate(q.window_from) + ".." + FormatDate(q.window_to)
                                           : "all");
  }
  texts_ = &texts;
  ledger_ = &ledger;
  // Text ids and ledger totals belong to one batch: every tuple and slot is made again.
  tuples_.clear();
  hashed_.clear();
  slot_ids_.clear();
  std::fill(tuple_index_.begin(), tuple_index_.end(), -1);
  arena_.clear();
  key_begin_.assign(1, 0);
  std::fill(slot_index_.begin(), slot_index_.end(), -1);
  totals_.clear();
  initial_.clear();
  touched_.clear();
  added_.clear();
  listed_.clear();
  uses_.clear();
  key_texts_.clear();
}

int64_t QuotaState::Period(int32_t quota, int64_t date) {
  if (!calendar_year_[quota]) return 0;
  // Shipments of one batch mostly fall in a few years: the last year found is tried first.
  if (date < year_first_ || date > year_last_) {
    int d = static_cast<int>(date);
    year_ = YearOf(d);
    year_first_ = DaysFromCivil(static_cast<int>(year_), 1, 1);
    year_last_ = DaysFromCivil(static_cast<int>(year_), 12, 31);
  }
  return year_;
}

int32_t QuotaState::TupleFor(int32_t quota, const QuotaKeyParts& from_code) {
  int64_t period = Period(quota, from_code.period);
  int64_t tag = direct_tag_[quota];
  if (tag == 0 || from_code.parts[0] != tag || from_code.parts[1] < 0) {
    QuotaKeyParts key = from_code;
    key.period = period;
    return HashedTuple(quota, key);
  }
  size_t value = static_cast<size_t>(from_code.parts[1]);
  std::vector<int32_t>& first = direct_[quota];
  if (value >= first.size()) first.resize(value + 1, -1);
  for (int32_t t = first[value]; t >= 0; t = tuples_[t].next)
    if (tuples_[t].key.period == period) return t;
  int32_t t = static_cast<int32_t>(tuples_.size());
  Tuple& e = tuples_.emplace_back();
  e.quota = quota;
  e.next = first[value];
  e.key.parts[0] = tag;
  e.key.parts[1] = from_code.parts[1];
  e.key.period = period;
  first[value] = t;
  return t;
}

int32_t QuotaState::HashedTuple(int32_t quota, const QuotaKeyParts& key) {
  int32_t keys = key_count_[quota];
  uint64_t h = TupleHash(quota, keys, key);
  size_t mask = tuple_index_.size() - 1;
  if (!tuple_index_.empty()) {
    for (size_t at = h & mask;; at = (at + 1) & mask) {
      int32_t t = tuple_index_[at];
      if (t < 0) break;
      const Tuple& e = tuples_[t];
      if (e.quota == quota && SameKey(keys, e.key, key)) return t;
    }
  }
  Grow(&tuple_index_, hashed_, [&](int32_t id) {
    const Tuple& e = tuples_[id];
    return TupleHash(e.quota, key_count_[e.quota], e.key);
  });
  mask = tuple_index_.size() - 1;
  int32_t t = static_cast<int32_t>(tuples_.size());
  tuples_.push_back(Tuple{quota, -1, -1, key});
  hashed_.push_back(t);
  size_t at = h & mask;
  while (tuple_index_[at] >= 0) at = (at + 1) & mask;
  tuple_index_[at] = t;
  return t;
}

// Two different tuples may name one ledger entry (a key read as an enum in one policy and a text in
// another): the entry's text decides.
int32_t QuotaState::SlotOf(int32_t tuple) {
  Tuple& t = tuples_[tuple];
  if (t.slot >= 0) return t.slot;
  scratch_.clear();
  AppendKey(t.quota, t.key, &scratch_);
  int32_t slot = SlotForText(scratch_);
  tuples_[tuple].slot = slot;
  return slot;
}

int32_t QuotaState::SlotForText(std::string_view key) {
  uint64_t h = HashText(key);
  size_t mask = slot_index_.size() - 1;
  if (!slot_index_.empty()) {
    for (size_t at = h & mask;; at = (at + 1) & mask) {
      int32_t s = slot_index_[at];
      if (s < 0) break;
      if (KeyOf(s) == key) return s;
    }
  }
  Grow(&slot_index_, slot_ids_, [&](int32_t id) { return HashText(KeyOf(id)); });
  mask = slot_index_.size() - 1;
  int32_t slot = static_cast<int32_t>(totals_.size());
  slot_ids_.push_back(slot);
  totals_.push_back(ledger_->Consumed(key));
  initial_.push_back(totals_.back());
  added_.push_back(0);
  listed_.push_back(0);
  arena_.append(key);  // `key` may be scratch_, never the arena itself
  key_begin_.push_back(static_cast<uint32_t>(arena_.size()));
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
      *out += texts_->Get(static_cast<uint32_t>(v));
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
    *out += period_text_[quota];
}

int64_t QuotaState::Fits(int32_t quota, const QuotaKeyParts& key, const Rational& amount) {
  int32_t tuple = TupleFor(quota, key);
  int32_t slot = SlotOf(tuple);
  auto total = Sum(totals_[slot], amount);
  if (!total) return -1;
  const Rational& limit = *limit_[quota];
  bool fits = total->den == 1 && limit.den == 1 ? total->num <= limit.num : Compare(*total, limit) <= 0;
  return (static_cast<int64_t>(tuple) + 1) << 1 | (fits ? 1 : 0);
}

inline void QuotaState::Added(int32_t slot) {
  if (added_[slot]++ == 0 && !listed_[slot]) {
    listed_[slot] = 1;
    touched_.push_back(slot);
  }
}

int32_t QuotaState::Consume(int64_t record, int32_t quota, const QuotaKeyParts& key, int32_t tuple,
                            bool in_window, const Rational& amount, bool apply) {
  // Without the figures, the log serves Rollback alone, which undoes the last record's uses only.
  if (!keep_uses_ && !uses_.empty() && uses_.back().record != record) uses_.clear();
  Use& use = uses_.emplace_back();
  use.record = record;
  use.quota = quota;
  use.tuple = tuple >= 0 ? tuple : TupleFor(quota, key);
  use.amount = amount;
  if (in_window) {
    use.slot = SlotOf(use.tuple);
    use.before = totals_[use.slot];
  }
  auto after = Sum(use.before, amount);
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
  while (!uses_.empty() && uses_.back().record == record) {
    const Use& u = uses_.back();
    if (u.applied) {
      totals_[u.slot] = u.before;
      --added_[u.slot];  // at zero, Flush passes the slot over
    }
    uses_.pop_back();
  }
}

interp::QuotaUse QuotaState::Explain(const Use& use) const {
  const QuotaRef& ref = plan_->quotas[use.quota];
  const ir::Quota& q = ref.program->quotas[ref.quota];
  interp::QuotaUse out;
  out.quota = ref.quota;
  out.limit = q.limit;
  out.before = use.before;
  out.amount = use.amount;
  out.after = *Sum(use.before, use.amount);  // it did not overflow when the use was made
  if (use.slot >= 0) out.key = std::string(KeyOf(use.slot));
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

void QuotaState::Flush() {
  std::string key;
  for (int32_t slot : touched_) {
    if (added_[slot] == 0) continue;  // only uses that were undone
    key.assign(KeyOf(slot));
    // The change over the batch, in one Add. Where it does not fit in a Rational (a total that went from
    // far below zero to far above it), two: back to zero, then up to the total; every partial sum the
    // ledger holds is then one the batch's totals held, so none overflows. The ledger ends where the
    // interpreter's amount-by-amount additions would leave it.
    if (auto delta = Sub(totals_[slot], initial_[slot])) {
      ledger_->Add(key, *delta);
    } else {
      ledger_->Add(key, Rational{-initial_[slot].num, initial_[slot].den});
      ledger_->Add(key, totals_[slot]);
    }
  }
  for (int32_t slot : touched_) added_[slot] = listed_[slot] = 0;
  touched_.clear();
}

extern "C" {

int64_t edict_q_fits(Context* ctx, int32_t quota, const QuotaKeyParts* key, const i128* amount) {
  return ctx->quotas->Fits(quota, *key, Rational{amount[0], amount[1]});
}

int32_t edict_q_consume(Context* ctx, int64_t record, int32_t quota, const QuotaKeyParts* key, int32_t tuple,
                        int32_t in_window, const i128* amount, int32_t apply) {
  return ctx->quotas->Consume(record, quota, *key, tuple, in_window != 0, Rational{amount[0], amount[1]},
                              apply != 0);
}

}  // extern "C"

Rational QuotaState::View::Consumed(std::string_view key) const {
  return s_.totals_[s_.SlotForText(key)];
}

bool QuotaState::View::Add(const std::string& key, const Rational& amount) {
  int32_t slot = s_.SlotForText(key);
  auto total = edict::Add(s_.totals_[slot], amount);
  if (!total) return false;
  s_.totals_[slot] = *total;
  s_.Added(slot);
  return true;
}

}  // namespace edict::jit
