// Quota bookkeeping for compiled code. Each (quota, key values, period) tuple a shipment names is interned
// into a tuple with a dense slot: the slot is the ledger entry (several tuples may name one), with its ledger
// key made once, when the slot is. Tuples and slots are kept from batch to batch (texts interned by content,
// as batches with other text tables number texts their own way), so a batch over keys seen before makes no
// string; a slot's total is read from the Ledger the first time a batch uses it (unless the ledger has not
// changed since the last batch's), and each slot's change is added to the Ledger once at the end of the
// batch (Flush). A quota keyed by one text or enum finds its tuple by the key's id in a direct table,
// without hashing, kept for as long as the batch's text table keeps its ids (batch::TextTable). The
// explanations (interp::QuotaUse, with its key text) are made only when a writer asks for them (Explain). The
// interpreter, deciding a shipment the compiled code handed back, reads and writes the same totals through
// AsLedger(), so both engines see one ledger during a batch.
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
  // Starts a batch of the policy planned by `plan`, whose texts are `texts`, over `ledger`. Tuples and
  // slots are kept from the last batch of the same plan (up to kKeptTuples of them). Without `keep_uses`,
  // uses() keeps the last record's uses only (enough for Rollback), not the batch's.
  void Begin(const Plan& plan, const batch::TextTable& texts, Ledger& ledger, bool keep_uses = true);

  // What compiled code reads and updates itself (abi.h); current after Begin and after each call below.
  QuotaFast* fast() { return &fast_; }
  // Points fast() at the tables where they are now, if any may have moved.
  void Sync() {
    if (stale_) SyncSlow();
  }

  // Compiled code (through the helpers below). Fits: (slot + 1) << 32 | (tuple + 1) << 1 | fits, where
  // tuple is the key's and slot its ledger entry's (for Consume to reuse); -1 when the sum overflows.
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
  // The batch's uses when Begin was asked to keep them (the figures); else empty.
  const std::vector<Use>& uses() const { return uses_; }
  // Undoes the uses of `record` (the last record that made any): the interpreter redoes its decision.
  void Rollback(int64_t record);
  // The explanation of a use, as the interpreter's QuotaUse (key text "consignee=..., year=2025").
  interp::QuotaUse Explain(const Use& use) const;

  // A Ledger over the running totals, for the interpreter.
  Ledger& AsLedger() { return view_; }
  // Adds what the batch consumed to the real ledger: one Add per ledger key, of the key's change over the
  // batch, in the order the keys were first consumed (two where that change does not fit in a Rational).
  void Flush();

  // Beyond this many tuples, Begin forgets the kept ones (memory stays bounded over long inputs).
  static constexpr size_t kKeptTuples = size_t{1} << 18;

 private:
  // A tuple's key is canonical: a text is its index in kept_texts_, the period the year (or 0).
  struct Tuple {
    int32_t quota = 0;
    int32_t slot = -1;
    int32_t next = -1;  // the next tuple of its quota and key in kept_direct_ (another period)
    QuotaKeyParts key;
  };
  struct QuotaInfo {
    int32_t keys = 0;
    int64_t direct_tag = 0;  // kKeyText or kKeyEnum: one key of that kind, found by id; else 0
    bool calendar_year = false;
    const Rational* limit = nullptr;
    std::string period_text;  // in a ledger key, for a quota not per calendar year
  };
  class View : public Ledger {
   public:
    explicit View(QuotaState& s) : s_(s) {}
    Rational Consumed(std::string_view key) const override;
    bool Add(const std::string& key, const Rational& amount) override;

   private:
    QuotaState& s_;
  };

  // Batch side (quotas.cc).
  // The tuple of (quota, key as compiled code passed it), its slot loaded (TupleFor) or not (Intern).
  int32_t TupleFor(int32_t quota, const QuotaKeyParts& key);
  void Load(int32_t slot) {
    if (slot_epoch_[slot] != load_epoch_) LoadSlow(slot);
  }
  void LoadSlow(int32_t slot);  // the slot's total, as the ledger has it, for this batch
  void Added(int32_t slot);     // notes an amount added to the slot's total
  void Forget();                // drops every tuple and slot
  void SyncSlow();
  void Undoable(int64_t record, int32_t slot);  // notes a use about to change the slot (no figures kept)

  // Interning (quota_keys.cc).
  int64_t Period(int32_t quota, int64_t date);
  int32_t Intern(int32_t quota, const QuotaKeyParts& key, int64_t period);
  int32_t NewTuple(int32_t quota, const QuotaKeyParts& key);
  int32_t SlotForText(std::string_view key);
  void AppendKey(int32_t quota, const QuotaKeyParts& key, std::string* out) const;
  void AppendPart(int32_t quota, int k, const QuotaKeyParts& key, std::string* out) const;

  const Plan* plan_ = nullptr;
  uint64_t plan_serial_ = 0;
  bool keep_uses_ = true;
  const batch::TextTable* texts_ = nullptr;
  Ledger* ledger_ = nullptr;
  View view_{*this};
  QuotaFast fast_;                          // its epoch: the batch's direct set's
  int64_t year_ = 0;                        // the calendar year Period found last,
  int32_t year_first_ = 1, year_last_ = 0;  // and its days
  std::vector<QuotaInfo> info_;             // per Plan::quotas entry

  // Kept from batch to batch (for one plan): texts of keys, tuples and their open-addressing index
  // (capacity a power of two; -1: empty), slots' ledger keys and theirs.
  batch::TextTable kept_texts_;
  std::vector<Tuple> tuples_;
  std::vector<int32_t> tuple_index_;
  std::vector<int32_t> hashed_;                    // the tuples in tuple_index_
  std::vector<std::vector<int32_t>> kept_direct_;  // per quota with a direct table: first tuple per key index
  std::vector<std::string> keys_;                  // per slot: its ledger key
  std::vector<uint64_t> key_hash_;                 // per slot: its LedgerKeyHash
  std::vector<int32_t> slot_index_;                // open addressing over the keys' text
  mutable std::vector<std::string> key_texts_;  // Explain's text per tuple, made on first use ("": not yet)
  // Direct tables, one set per text table the batches came with (by generation: a batch keeps its interned
  // ids from one piece of input to the next, so a key found once is found by id in every later batch):
  // per quota with a direct table (else empty), per key id, the tuple and slot last found. An entry holds
  // while its epoch is its set's; a set's epoch changes when its entries may no longer hold (a slot not
  // loaded, tuples forgotten). Up to kDirectSets sets, the least recently used replaced.
  struct DirectSet {
    uint64_t generation = 0;
    uint64_t used = 0;  // Begin's count when last used
    uint32_t epoch = 0;
    std::vector<std::vector<QuotaRecent>> tables;
  };
  static constexpr size_t kDirectSets = 8;
  uint32_t NextEpoch();
  void InvalidateDirect();  // no entry of any set holds
  std::vector<DirectSet> sets_;
  DirectSet* set_ = nullptr;  // this batch's
  uint32_t epochs_ = 0;       // the last epoch given out
  uint64_t begins_ = 0;
  std::vector<QuotaDirect> fast_direct_;  // this batch's set, for compiled code

  // Per slot, when slot_epoch_ holds load_epoch_ (read from this ledger since it last changed): the running
  // total, the total the batch started with, how many amounts were added in this batch (and not undone).
  uint32_t load_epoch_ = 0;
  uint64_t flushed_version_ = 0;  // the ledger's Version() after the last Flush (0: none, or not since Begin)
  std::vector<uint32_t> slot_epoch_;
  std::vector<Rational> totals_, initial_;
  std::vector<uint32_t> added_;
  // The slots added to, in the order first added to (fast_.touched_count of them; a slot whose additions
  // were all undone and then made again is listed twice, and added to the ledger once).
  std::vector<int32_t> touched_;
  bool stale_ = true;  // a table fast_ points at may have moved
  std::vector<Use> uses_;
  std::vector<QuotaUndo> undo_;  // without the figures: the last record's uses (fast_.undo_count of them)
  std::string scratch_;
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
