// Quota bookkeeping for compiled code: each (ledger entry, key values, period) a shipment names becomes a
// dense slot with a running total, loaded from the Ledger on first use and flushed back to it, in input
// order, when the batch ends. The interpreter, deciding a shipment the compiled code handed back, reads and
// writes the same totals through AsLedger(), so both engines see one ledger during a batch.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/batch/packed.h"
#include "runtime/jit/abi.h"
#include "runtime/ledger/ledger.h"

namespace edict::jit {

constexpr int kMaxQuotaKeys = 4;

// A key value as compiled code passes it: a tag and a 64-bit payload.
enum KeyTag : int64_t { kKeyAbsent = 0, kKeyBool, kKeyInt, kKeyText, kKeyDate, kKeyEnum };

struct QuotaKeyParts {
  int64_t parts[2 * kMaxQuotaKeys] = {};  // (tag, value) per key
  int64_t period = 0;                     // the calendar year, when the quota has one
};

class QuotaState {
 public:
  QuotaState(const Plan& plan, const batch::TextTable& texts, Ledger& ledger);

  // Compiled code (through helpers.cc). Fits: 1, 0, or -1 when the sum overflows.
  int32_t Fits(int32_t quota, const QuotaKeyParts& key, const Rational& amount);
  // Records one use by record `record` (-1 slot: outside the quota's window); -1 when the total overflows.
  int32_t Consume(int64_t record, int32_t quota, const QuotaKeyParts& key, bool in_window,
                  const Rational& amount, bool apply);

  struct Use {
    int64_t record = 0;
    int32_t quota = 0;  // Plan::quotas index
    QuotaKeyParts key;
    Rational before, amount, after;
    int32_t slot = -1;
    bool applied = false;
  };
  const std::vector<Use>& uses() const { return uses_; }
  // Undoes the uses of `record` (the last in the log): its decision is being redone by the interpreter.
  void Rollback(int64_t record);
  // The explanation of a use, as the interpreter's QuotaUse (key text "consignee=..., year=2025").
  interp::QuotaUse Explain(const Use& use) const;

  // A Ledger over the running totals, for the interpreter.
  Ledger& AsLedger() { return view_; }
  // Adds what the batch consumed to the real ledger, in input order.
  void Flush();

 private:
  struct SlotKey {
    int32_t ledger = 0, n = 0;
    QuotaKeyParts key;
    bool operator==(const SlotKey& o) const;
  };
  struct SlotKeyHash {
    size_t operator()(const SlotKey& k) const;
  };
  class View : public Ledger {
   public:
    explicit View(QuotaState& s) : s_(s) {}
    Rational Consumed(std::string_view key) const override;
    bool Add(const std::string& key, const Rational& amount) override;

   private:
    QuotaState& s_;
  };

  int32_t SlotFor(int32_t quota, const QuotaKeyParts& key);
  int32_t SlotForText(const std::string& key);
  std::string KeyString(int32_t quota, const QuotaKeyParts& key) const;
  std::string Part(int32_t quota, int k, const QuotaKeyParts& key) const;

  const Plan& plan_;
  const batch::TextTable& texts_;
  Ledger& ledger_;
  View view_{*this};
  std::vector<int32_t> ledger_of_;  // per Plan::quotas entry: index of its ledger id
  std::unordered_map<SlotKey, int32_t, SlotKeyHash> slots_;
  std::unordered_map<std::string, int32_t> by_text_;
  std::vector<std::string> keys_;  // per slot
  std::vector<Rational> totals_;   // per slot
  std::vector<std::pair<int32_t, Rational>> pending_;
  std::vector<Use> uses_;
  mutable std::unordered_map<int64_t, std::string> key_texts_;  // Explain's text per (quota, slot)
};

}  // namespace edict::jit
