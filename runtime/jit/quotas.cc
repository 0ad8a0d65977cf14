#include "runtime/jit/quotas.h"

#include <cstring>

#include "runtime/date.h"

namespace edict::jit {

QuotaState::QuotaState(const Plan& plan, const batch::TextTable& texts, Ledger& ledger)
    : plan_(plan), texts_(texts), ledger_(ledger) {
  std::unordered_map<std::string, int32_t> ids;
  for (const QuotaRef& q : plan.quotas) {
    const std::string& id = q.program->quotas[q.quota].ledger_id;
    auto it = ids.emplace(id, static_cast<int32_t>(ids.size())).first;
    ledger_of_.push_back(it->second);
  }
}

bool QuotaState::SlotKey::operator==(const SlotKey& o) const {
  return ledger == o.ledger && n == o.n && std::memcmp(&key, &o.key, sizeof key) == 0;
}

size_t QuotaState::SlotKeyHash::operator()(const SlotKey& k) const {
  uint64_t h = static_cast<uint64_t>(k.ledger) * 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 2 * k.n; ++i) h = (h ^ static_cast<uint64_t>(k.key.parts[i])) * 0xff51afd7ed558ccdull;
  h = (h ^ static_cast<uint64_t>(k.key.period)) * 0xc4ceb9fe1a85ec53ull;
  return static_cast<size_t>(h ^ (h >> 29));
}

// A key value as the interpreter writes it, in the ledger key (QuotaKey) and for people (QuotaKeyText).
std::string QuotaState::Part(int32_t quota, int k, const QuotaKeyParts& key) const {
  int64_t tag = key.parts[2 * k], v = key.parts[2 * k + 1];
  switch (tag) {
    case kKeyBool:
      return v ? "true" : "false";
    case kKeyInt:
      return Rational::Int(v).ToString();
    case kKeyText:
      return std::string(texts_.Get(static_cast<uint32_t>(v)));
    case kKeyDate:
      return FormatDate(static_cast<int>(v));
    case kKeyEnum: {
      // By name where the key is a field, in the ledger key as for people (the interpreter's QuotaKey).
      const QuotaRef& ref = plan_.quotas[quota];
      const ir::Expr* e = ref.program->quotas[ref.quota].keys[k];
      int en = e->op == ir::Op::kField ? ref.program->fields[e->index].enum_index : -1;
      if (en >= 0) return ref.program->enums[en].members[v];
      return "#" + std::to_string(v);
    }
    default:
      return "-";
  }
}

std::string QuotaState::KeyString(int32_t quota, const QuotaKeyParts& key) const {
  const QuotaRef& ref = plan_.quotas[quota];
  const ir::Quota& q = ref.program->quotas[ref.quota];
  std::string out = q.ledger_id;
  for (size_t k = 0; k < q.keys.size(); ++k) {
    out.push_back('\x1f');
    out += Part(quota, static_cast<int>(k), key);
  }
  out.push_back('\x1f');
  if (q.calendar_year)
    out += std::to_string(key.period);
  else if (q.window)
    out += FormatDate(q.window_from) + ".." + FormatDate(q.window_to);
  else
    out += "all";
  return out;
}

int32_t QuotaState::SlotForText(const std::string& key) {
  auto it = by_text_.find(key);
  if (it != by_text_.end()) return it->second;
  int32_t slot = static_cast<int32_t>(totals_.size());
  totals_.push_back(ledger_.Consumed(key));
  keys_.push_back(key);
  by_text_.emplace(key, slot);
  return slot;
}

int32_t QuotaState::SlotFor(int32_t quota, const QuotaKeyParts& key) {
  SlotKey k;
  k.ledger = ledger_of_[quota];
  const QuotaRef& ref = plan_.quotas[quota];
  k.n = static_cast<int32_t>(ref.program->quotas[ref.quota].keys.size());
  for (int i = 0; i < 2 * k.n; ++i) k.key.parts[i] = key.parts[i];
  k.key.period = key.period;
  auto it = slots_.find(k);
  if (it != slots_.end()) return it->second;
  // Two different tuples may name one ledger entry (a key read as an enum in one policy and a text in
  // another): the entry's text decides.
  int32_t slot = SlotForText(KeyString(quota, key));
  slots_.emplace(k, slot);
  return slot;
}

int32_t QuotaState::Fits(int32_t quota, const QuotaKeyParts& key, const Rational& amount) {
  int32_t slot = SlotFor(quota, key);
  auto total = Add(totals_[slot], amount);
  if (!total) return -1;
  const QuotaRef& ref = plan_.quotas[quota];
  return Compare(*total, ref.program->quotas[ref.quota].limit) <= 0 ? 1 : 0;
}

int32_t QuotaState::Consume(int64_t record, int32_t quota, const QuotaKeyParts& key, bool in_window,
                            const Rational& amount, bool apply) {
  Use use;
  use.record = record;
  use.quota = quota;
  use.key = key;
  use.amount = amount;
  if (in_window) {
    use.slot = SlotFor(quota, key);
    use.before = totals_[use.slot];
  }
  auto after = Add(use.before, amount);
  if (!after) return -1;
  use.after = *after;
  if (apply && in_window) {
    totals_[use.slot] = use.after;
    pending_.emplace_back(use.slot, amount);
    use.applied = true;
  }
  uses_.push_back(use);
  return 0;
}

void QuotaState::Rollback(int64_t record) {
  while (!uses_.empty() && uses_.back().record == record) {
    const Use& u = uses_.back();
    if (u.applied) {
      totals_[u.slot] = u.before;
      pending_.pop_back();
    }
    uses_.pop_back();
  }
}

interp::QuotaUse QuotaState::Explain(const Use& use) const {
  const QuotaRef& ref = plan_.quotas[use.quota];
  const ir::Quota& q = ref.program->quotas[ref.quota];
  interp::QuotaUse out;
  out.quota = ref.quota;
  out.limit = q.limit;
  out.before = use.before;
  out.amount = use.amount;
  out.after = use.after;
  if (use.slot >= 0) out.key = keys_[use.slot];
  // A key's text depends on the quota and the key alone: made once per (quota, slot), as most uses repeat
  // one.
  int64_t memo_key = (static_cast<int64_t>(use.quota) << 32) | static_cast<uint32_t>(use.slot);
  if (use.slot >= 0) {
    auto it = key_texts_.find(memo_key);
    if (it != key_texts_.end()) {
      out.key_text = it->second;
      return out;
    }
  }
  for (size_t k = 0; k < q.keys.size(); ++k) {
    if (!out.key_text.empty()) out.key_text += ", ";
    out.key_text += q.key_texts[k] + "=" + Part(use.quota, static_cast<int>(k), use.key);
  }
  if (q.calendar_year)
    out.key_text += std::string(out.key_text.empty() ? "" : ", ") + "year=" + std::to_string(use.key.period);
  if (q.window)
    out.key_text += std::string(out.key_text.empty() ? "" : ", ") + "window=" + FormatDate(q.window_from) +
                    ".." + FormatDate(q.window_to);
  if (use.slot >= 0) key_texts_.emplace(memo_key, out.key_text);
  return out;
}

void QuotaState::Flush() {
  for (const auto& [slot, amount] : pending_) ledger_.Add(keys_[slot], amount);
  pending_.clear();
}

Rational QuotaState::View::Consumed(std::string_view key) const {
  return s_.totals_[s_.SlotForText(std::string(key))];
}

bool QuotaState::View::Add(const std::string& key, const Rational& amount) {
  int32_t slot = s_.SlotForText(key);
  auto total = edict::Add(s_.totals_[slot], amount);
  if (!total) return false;
  s_.totals_[slot] = *total;
  s_.pending_.emplace_back(slot, amount);
  return true;
}

}  // namespace edict::jit
