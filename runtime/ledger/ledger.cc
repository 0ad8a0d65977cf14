#include "runtime/ledger/ledger.h"

namespace edict {

Rational MemoryLedger::Consumed(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? Rational{} : it->second;
}

bool MemoryLedger::Add(const std::string& key, const Rational& amount) {
  Rational& slot = entries_[key];
  auto sum = edict::Add(slot, amount);
  if (!sum) return false;
  slot = *sum;
  return true;
}

}  // namespace edict
