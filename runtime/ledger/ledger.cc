#include "runtime/ledger/ledger.h"

#include <algorithm>
#include <functional>

namespace edict {

int32_t MemoryLedger::Index(std::string_view key, size_t hash) const {
  if (index_.empty()) return -1;
  size_t mask = index_.size() - 1;
  for (size_t at = hash & mask;; at = (at + 1) & mask) {
    int32_t s = index_[at];
    if (s < 0) return -1;
    if (KeyOf(slots_[s]) == key) return s;
  }
}

const Rational* MemoryLedger::Find(std::string_view key) const {
  int32_t s = Index(key, std::hash<std::string_view>()(key));
  return s < 0 ? nullptr : &slots_[s].value;
}

Rational MemoryLedger::Consumed(std::string_view key) const {
  const Rational* r = Find(key);
  return r ? *r : Rational{};
}

bool MemoryLedger::Add(const std::string& key, const Rational& amount) {
  size_t hash = std::hash<std::string_view>()(key);
  int32_t s = Index(key, hash);
  if (s < 0) {
    // A new key: its entry exists from now on, even if the addition below overflows (as a map's would).
    if (2 * (slots_.size() + 1) > index_.size()) {
      size_t cap = index_.empty() ? 64 : 2 * index_.size();
      index_.assign(cap, -1);
      for (size_t k = 0; k < slots_.size(); ++k) {
        size_t at = std::hash<std::string_view>()(KeyOf(slots_[k])) & (cap - 1);
        while (index_[at] >= 0) at = (at + 1) & (cap - 1);
        index_[at] = static_cast<int32_t>(k);
      }
    }
    s = static_cast<int32_t>(slots_.size());
    slots_.push_back(Slot{arena_.size(), key.size(), Rational{}});
    arena_ += key;
    size_t mask = index_.size() - 1;
    size_t at = hash & mask;
    while (index_[at] >= 0) at = (at + 1) & mask;
    index_[at] = s;
  }
  ordered_valid_ = false;
  Rational& value = slots_[s].value;
  auto sum = edict::Add(value, amount);
  if (!sum) return false;
  value = *sum;
  return true;
}

const std::map<std::string, Rational, std::less<>>& MemoryLedger::entries() const {
  if (!ordered_valid_) {
    ordered_.clear();
    for (const Slot& s : slots_) ordered_.emplace(std::string(KeyOf(s)), s.value);
    ordered_valid_ = true;
  }
  return ordered_;
}

void MemoryLedger::Clear() {
  arena_.clear();
  slots_.clear();
  std::fill(index_.begin(), index_.end(), -1);
  ordered_.clear();
  ordered_valid_ = true;
}

}  // namespace edict
