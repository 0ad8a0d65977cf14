// A MemoryLedger that remembers what the current shipment changed, so that a failing shipment can be decided
// again (and shrunk) against a copy of the ledger as it stood just before it. Copying the whole ledger before
// every shipment would make the random test several times slower on policies with quotas; the journal costs
// one entry per quota a shipment consumes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/ledger/ledger.h"

namespace edict::jit_test {

class RewindableLedger : public Ledger {
 public:
  Rational Consumed(std::string_view key) const override { return ledger_.Consumed(key); }
  bool Add(const std::string& key, const Rational& amount) override {
    const Rational* before = ledger_.Find(key);
    journal_.emplace_back(key, before ? std::optional(*before) : std::optional<Rational>());
    return ledger_.Add(key, amount);
  }

  // A new shipment: what the previous one changed is forgotten.
  void BeginShipment() { journal_.clear(); }
  void Clear() {
    ledger_.Clear();
    journal_.clear();
  }

  // A copy of the ledger as it stood when the current shipment began.
  MemoryLedger BeforeShipment() const {
    std::map<std::string_view, const std::optional<Rational>*> before;  // the first change of a key knows
    for (const auto& [key, value] : journal_) before.emplace(key, &value);
    MemoryLedger out;
    for (const auto& [key, amount] : ledger_.entries()) {
      auto it = before.find(key);
      if (it == before.end())
        out.Add(key, amount);
      else if (*it->second)  // else the key had no entry
        out.Add(key, **it->second);
    }
    return out;
  }

  const MemoryLedger& ledger() const { return ledger_; }

 private:
  MemoryLedger ledger_;
  std::vector<std::pair<std::string, std::optional<Rational>>> journal_;  // key, its entry before the change
};

}  // namespace edict::jit_test
