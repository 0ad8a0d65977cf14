// Quota bookkeeping for compiled code. Each (quota, key values, period) tuple a shipment names is interned
// once per batch into a flat open-addressing table (no allocation per lookup); the tuples that name one
// ledger entry share a dense slot with a running total, loaded from the Ledger when the slot is made. At the
// end of the batch each slot's change is added to the Ledger once (Flush). Nothing is turned into text on the
// hot path: a slot's ledger key is made when the slot is, and the explanations (interp::QuotaUse, with its
// key text) only when a writer asks for them (Explain). The interpreter, deciding a shipment the compiled
// code handed back, reads and writes the same totals through AsLedger(), so both engines see one ledger
// during a batch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/batch/packed.h"
#include "runtime/interp/decide.h"
#include "runtime/jit/abi.h"
#include "runtime/ledger/ledger.h"

namespace edict::jit {

constexpr int kMaxQuotaKeys = 4;

// A key value as compiled code passes it: a tag and a 64-bit payload.
enum KeyTag : int64_t { kKeyAbsent = 0, kKeyBool, kKeyInt, kKeyText, kKeyDate, kKeyEnum };

struct QuotaKeyParts {
  int64_t parts[2 * kMaxQuotaKeys] = {};  // (tag, value) per key; unused pairs are zero
  // From compiled code: the shipment's date (days), for a quota per calendar year, which the host turns
  // into the year; else 0. In a tuple (below): the year, or 0.
  int64_t period = 0;
};

class QuotaState {
 public:
  // Starts a batch of the policy planned by `plan`, whose texts are `texts`, over `ledger`. Storage is kept
  // from the last batch. Without `keep_uses`, uses() keeps the last record's uses only (enough for
  // Rollback), not the batch's.
  void Begin(const Plan& plan, const batch::TextTable& texts, Ledger& ledger, bool keep_uses = true);

  // Compiled code (through the helpers below). Fits: ((tuple + 1) << 1) | fits, where tuple is the key's
  // (for Consume to reuse); -1 when the sum overflows.
  int64_t Fits(int32_t quota, const QuotaKeyParts& key, const Rational& amount);
  // Records one use by record `record` (outside the quota's window: no slot, nothing added); -1 when the
  // total overflows. `tuple`: the key's, as Fits returned it for this record, or -1 to look it up.
  int32_t Consume(int64_t record, int32_t quota, const QuotaKeyParts& key, int32_t tuple, bool in_window,
                  const Rational& amount, bool apply);

  struct Use {
    int64_t record = 0;
    int32_t quota = 0;  // Plan::quotas index
    int32_t tuple = 0;  // index of its (quota, key, period) tuple
    int32_t slot = -1;  // -1: outside the quota's window
    bool applied = false;
    Rational before, amount;
  };
  const std::vector<Use>& uses() const { return uses_; }
  // Undoes the uses of `record` (the last in the log): its decision is being redone by the interpreter.
  void Rollback(int64_t record);
  // The explanation of a use, as the interpreter's QuotaUse (key text "consignee=..., year=2025").
  interp::QuotaUse Explain(const Use& use) const;

  // A Ledger over the running totals, for the interpreter.
  Ledger& AsLedger() { return view_; }
  // Adds what the batch consumed to the real ledger: one Add per ledger key, of the key's change over the
  // batch, in the order the keys were first consumed (two where that change does not fit in a Rational).
  void Flush();

 private:
  struct Tuple {
    int32_t quota = 0;
    int32_t slot = -1;  // -1 until a use inside the window needs one
    int32_t next = -1;  // the next tuple of its quota and key value in direct_ (other periods)
    QuotaKeyParts key;
  };
  class View : public Ledger {
   public:
    explicit View(QuotaState& s) : s_(s) {}
    Rational Consumed(std::string_view key) const override;
    bool Add(const std::string& key, const Rational& amount) override;

   private:
    QuotaState& s_;
  };

  // The tuple of (quota, key) with the period the host derives from the date compiled code passed.
  int32_t TupleFor(int32_t quota, const QuotaKeyParts& key);
  int32_t HashedTuple(int32_t quota, const QuotaKeyParts& key);  // key.period: the period
  int64_t Period(int32_t quota, int64_t date);
  int32_t SlotOf(int32_t tuple);
  int32_t SlotForText(std::string_view key);
  void AppendKey(int32_t quota, const QuotaKeyParts& key, std::string* out) const;
  void AppendPart(int32_t quota, int k, const QuotaKeyParts& key, std::string* out) const;
  std::string_view KeyOf(int32_t slot) const {
    return std::string_view(arena_).substr(key_begin_[slot], key_begin_[slot + 1] - key_begin_[slot]);
  }
  void Added(int32_t slot);  // notes an amount added to the slot's total

  const Plan* plan_ = nullptr;
  bool keep_uses_ = true;
  const batch::TextTable* texts_ = nullptr;
  Ledger* ledger_ = nullptr;
  View view_{*this};
  // Per Plan::quotas entry: how many keys, the limit, the period's text in a ledger key (a window's).
  std::vector<int32_t> key_count_;
  std::vector<uint8_t> calendar_year_;
  std::vector<const Rational*> limit_;
  int64_t year_first_ = 1, year_last_ = 0, year_ = 0;  // the last year found, and its days
  std::vector<std::string> period_text_;

  // Tuples, and an open-addressing index of them (capacity a power of two; -1: empty).
  std::vector<Tuple> tuples_;
  std::vector<int32_t> tuple_index_;
  std::vector<int32_t> hashed_;  // the tuples in tuple_index_
  // A quota with one key that is a text or an enum (a consignee, a destination): key values are small dense
  // ids, so its tuples are found by the value (then the period) without hashing. Per quota: the key's tag
  // (0: hashed instead), and the first tuple per value (-1: none yet).
  std::vector<int64_t> direct_tag_;
  std::vector<std::vector<int32_t>> direct_;
  // Slots: ledger keys (in one arena), running totals and the totals they started the batch with.
  std::string arena_;
  std::vector<uint32_t> key_begin_{0};  // slot k's key is arena_[key_begin_[k], key_begin_[k + 1])
  std::vector<int32_t> slot_index_;     // open addressing over the keys' text
  std::vector<int32_t> slot_ids_;       // 0, 1, ... (what slot_index_ holds)
  std::vector<Rational> totals_, initial_;
  std::vector<int32_t> touched_;  // slots added to, in the order first added to
  std::vector<uint32_t> added_;   // per slot: amounts added (and not undone) in this batch
  std::vector<uint8_t> listed_;   // per slot: in touched_
  std::vector<Use> uses_;
  std::string scratch_;
  mutable std::vector<std::string> key_texts_;  // Explain's text per tuple, made on first use ("": not yet)
};

// The C ABI helpers compiled code calls for quotas (bound by name, HelperSymbols in helpers.cc).
extern "C" {
// `fits`: QuotaState::Fits.
int64_t edict_q_fits(Context* ctx, int32_t quota, const QuotaKeyParts* key, const i128* amount);
// One use of a quota by record `record`; 0, or -1 when the total overflows.
int32_t edict_q_consume(Context* ctx, int64_t record, int32_t quota, const QuotaKeyParts* key, int32_t tuple,
                        int32_t in_window, const i128* amount, int32_t apply);
}

}  // namespace edict::jit
