// Quota ledgers: how much of each quota (per key and period) earlier shipments consumed. Behind an interface
// so a persistent ledger can replace the in-memory one without touching the engines.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/rational.h"

namespace edict {

// The hash MemoryLedger files a key under. A caller that keeps its keys computes it once and passes it to
// the *Hashed calls below.
uint64_t LedgerKeyHash(std::string_view key);

class Ledger {
 public:
  virtual ~Ledger() = default;
  // Amount consumed under `key` (quota id, key values and period; see QuotaKey in the interpreter).
  virtual Rational Consumed(std::string_view key) const = 0;
  // Returns false when the new total would overflow (the caller reports it).
  virtual bool Add(const std::string& key, const Rational& amount) = 0;
  // The same, for a caller that has the key's LedgerKeyHash (a ledger may use it or not).
  virtual Rational ConsumedHashed(std::string_view key, uint64_t hash) const {
    (void)hash;
    return Consumed(key);
  }
  virtual bool AddHashed(const std::string& key, uint64_t hash, const Rational& amount) {
    (void)hash;
    return Add(key, amount);
  }
  // For a caller that keeps totals of its own between uses of the ledger (the JIT's QuotaState): a number
  // that changes with every change to the ledger, by anyone, and is never 0; 0 when the ledger does not
  // track it (the caller reads the ledger again).
  virtual uint64_t Version() const { return 0; }
  // True when the ledger is known to hold no entry.
  virtual bool KnownEmpty() const { return false; }
  // A hint before a run of Adds: about `keys` keys of `bytes` bytes in all, some of them new.
  virtual void Reserve(size_t keys, size_t bytes) {
    (void)keys;
    (void)bytes;
  }
};

// In memory: an open-addressing table over keys kept in one arena, so that adding a key allocates nothing
// in the common case (a batch of shipments over a fresh ledger adds thousands). The ordered view is built
// when asked for.
class MemoryLedger : public Ledger {
 public:
  Rational Consumed(std::string_view key) const override;
  bool Add(const std::string& key, const Rational& amount) override;
  Rational ConsumedHashed(std::string_view key, uint64_t hash) const override;
  bool AddHashed(const std::string& key, uint64_t hash, const Rational& amount) override;
  // Room for `keys` more keys of `bytes` in all, so that a run of new keys grows the table once.
  void Reserve(size_t keys, size_t bytes) override;
  uint64_t Version() const override;
  bool KnownEmpty() const override { return slots_.empty(); }
  // The entry for `key`, or null when there is none (an entry may hold zero).
  const Rational* Find(std::string_view key) const;
  size_t size() const { return slots_.size(); }
  // Ordered, for display (`:ledger`) and for what-if sessions that roll back; made again after a change.
  const std::map<std::string, Rational, std::less<>>& entries() const;
  void Clear();

 private:
  struct Slot {
    size_t begin = 0, size = 0;  // the key: arena_[begin, begin + size)
    uint64_t hash = 0;           // the key's LedgerKeyHash, so that growing rehashes no text
    Rational value;
  };
  std::string_view KeyOf(const Slot& s) const { return std::string_view(arena_).substr(s.begin, s.size); }
  int32_t Index(std::string_view key, uint64_t hash) const;  // the slot, or -1
  void Rehash(size_t cap);                                   // index_ at `cap` entries

  std::string arena_;
  std::vector<Slot> slots_;
  std::vector<int32_t> index_;  // capacity a power of two (or empty); -1: free
  mutable std::map<std::string, Rational, std::less<>> ordered_;
  // Version(): a number drawn from one process-wide counter (so no two ledgers' versions meet) when asked
  // for after a change. A copy, or a ledger assigned to, counts as changed.
  struct Mark {
    uint64_t version = 0;
    bool changed = true;
    Mark() = default;
    Mark(const Mark&) {}
    Mark& operator=(const Mark&) {
      changed = true;
      return *this;
    }
  };
  mutable Mark mark_;
  mutable bool ordered_valid_ = true;
};

}  // namespace edict
