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

class Ledger {
 public:
  virtual ~Ledger() = default;
  // Amount consumed under `key` (quota id, key values and period; see QuotaKey in the interpreter).
  virtual Rational Consumed(std::string_view key) const = 0;
  // Returns false when the new total would overflow (the caller reports it).
  virtual bool Add(const std::string& key, const Rational& amount) = 0;
};

// In memory: an open-addressing table over keys kept in one arena, so that adding a key allocates nothing
// in the common case (a batch of shipments over a fresh ledger adds thousands). The ordered view is built
// when asked for.
class MemoryLedger : public Ledger {
 public:
  Rational Consumed(std::string_view key) const override;
  bool Add(const std::string& key, const Rational& amount) override;
  // The entry for `key`, or null when there is none (an entry may hold zero).
  const Rational* Find(std::string_view key) const;
  size_t size() const { return slots_.size(); }
  // Ordered, for display (`:ledger`) and for what-if sessions that roll back; made again after a change.
  const std::map<std::string, Rational, std::less<>>& entries() const;
  void Clear();

 private:
  struct Slot {
    size_t begin = 0, size = 0;  // the key: arena_[begin, begin + size)
    Rational value;
  };
  std::string_view KeyOf(const Slot& s) const { return std::string_view(arena_).substr(s.begin, s.size); }
  int32_t Index(std::string_view key, size_t hash) const;  // the slot, or -1

  std::string arena_;
  std::vector<Slot> slots_;
  std::vector<int32_t> index_;  // capacity a power of two (or empty); -1: free
  mutable std::map<std::string, Rational, std::less<>> ordered_;
  mutable bool ordered_valid_ = true;
};

}  // namespace edict
