// Quota ledgers: how much of each quota (per key and period) earlier shipments consumed. Behind an interface
// so a persistent ledger can replace the in-memory one without touching the engines.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "runtime/rational.h"

namespace edict {

class Ledger {
 public:
  virtual ~Ledger() = default;
  // Amount consumed under `key` (quota id, key values and period; see QuotaKey in the interpreter).
  virtual Rational Consumed(std::string_view key) const = 0;
  // Returns false when the new total would overflow (the caller reports it).
  virtual bool Add(const std::string& key, const Rational& amount) = 0;
};

class MemoryLedger : public Ledger {
 public:
  Rational Consumed(std::string_view key) const override;
  bool Add(const std::string& key, const Rational& amount) override;
  // Ordered, for display (`:ledger`) and for what-if sessions that roll back.
  const std::map<std::string, Rational, std::less<>>& entries() const { return entries_; }
  void Clear() { entries_.clear(); }

 private:
  std::map<std::string, Rational, std::less<>> entries_;
};

}  // namespace edict
