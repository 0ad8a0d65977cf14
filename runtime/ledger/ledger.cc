#include "runtime/ledger/ledger.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace edict {

// Ledger keys are a few dozen bytes ("aid_lpp\x1fConsignee 7\x1f2025"): hashed eight bytes at a time.
uint64_t LedgerKeyHash(std::string_view s) {
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

int32_t MemoryLedger::Index(std::string_view key, uint64_t hash) const {
  if (index_.empty()) return -1;
  size_t mask = index_.size() - 1;
  for (size_t at = hash & mask;; at = (at + 1) & mask) {
    int32_t s = index_[at];
    if (s < 0) return -1;
    if (slots_[s].hash == hash && KeyOf(slots_[s]) == key) return s;
  }
}

const Rational* MemoryLedger::Find(std::string_view key) const {
  if (slots_.empty()) return nullptr;  // (a fresh ledger: nothing to hash the key for)
  int32_t s = Index(key, LedgerKeyHash(key));
  return s < 0 ? nullptr : &slots_[s].value;
}

Rational MemoryLedger::Consumed(std::string_view key) const {
  const Rational* r = Find(key);
  return r ? *r : Rational{};
}

Rational MemoryLedger::ConsumedHashed(std::string_view key, uint64_t hash) const {
  int32_t s = Index(key, hash);
  return s < 0 ? Rational{} : slots_[s].value;
}

void MemoryLedger::Rehash(size_t cap) {
  index_.assign(cap, -1);
  for (size_t k = 0; k < slots_.size(); ++k) {
    size_t at = slots_[k].hash & (cap - 1);
    while (index_[at] >= 0) at = (at + 1) & (cap - 1);
    index_[at] = static_cast<int32_t>(k);
  }
}

void MemoryLedger::Reserve(size_t keys, size_t bytes) {
  slots_.reserve(slots_.size() + keys);
  arena_.reserve(arena_.size() + bytes);
  size_t cap = index_.empty() ? 64 : index_.size();
  while (2 * (slots_.size() + keys) > cap) cap *= 2;
  if (cap != index_.size()) Rehash(cap);
}

bool MemoryLedger::Add(const std::string& key, const Rational& amount) {
  return AddHashed(key, LedgerKeyHash(key), amount);
}

uint64_t MemoryLedger::Version() const {
  static std::atomic<uint64_t> versions{0};
  if (mark_.changed) {
    mark_.version = ++versions;
    mark_.changed = false;
  }
  return mark_.version;
}

bool MemoryLedger::AddHashed(const std::string& key, uint64_t hash, const Rational& amount) {
  mark_.changed = true;
  int32_t s = Index(key, hash);
  if (s < 0) {
    // A new key: its entry exists from now on, even if the addition below overflows (as a map's would).
    if (2 * (slots_.size() + 1) > index_.size()) Rehash(index_.empty() ? 64 : 2 * index_.size());
    s = static_cast<int32_t>(slots_.size());
    slots_.push_back(Slot{arena_.size(), key.size(), hash, Rational{}});
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
  mark_.changed = true;
  arena_.clear();
  slots_.clear();
  std::fill(index_.begin(), index_.end(), -1);
  ordered_.clear();
  ordered_valid_ = true;
}

}  // namespace edict
