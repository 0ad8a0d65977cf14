// Name -> index lookup for the reader's hot path: field names and enum members (country codes, catalog ids)
// of every input line. Open addressing, sized at build time; the keys are views of names the program owns.
// A name of up to 16 bytes is read as two machine words (its first and last eight bytes, overlapping, or
// zero-extended for a shorter name), which both hash it and, with its length, tell it apart from every other
// name, so that most lookups compare three integers and call nothing.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace edict::io {

struct NameKey {
  uint64_t a = 0, b = 0, size = 0;

  static NameKey Of(std::string_view s) {
    NameKey k;
    const char* p = s.data();
    size_t n = s.size();
    k.size = n;
    if (n >= 8) {
      std::memcpy(&k.a, p, 8);
      std::memcpy(&k.b, p + n - 8, 8);
    } else if (n >= 4) {
      uint32_t x, y;
      std::memcpy(&x, p, 4);
      std::memcpy(&y, p + n - 4, 4);
      k.a = x;
      k.b = y;
    } else if (n > 0) {
      k.a = static_cast<uint8_t>(p[0]) | static_cast<uint64_t>(static_cast<uint8_t>(p[n / 2])) << 8 |
            static_cast<uint64_t>(static_cast<uint8_t>(p[n - 1])) << 16;
    }
    return k;
  }
  uint64_t Hash() const {
    uint64_t h = (a ^ (size << 56)) * 0x9E3779B97F4A7C15ull ^ b * 0xC2B2AE3D27D4EB4Full;
    return h ^ (h >> 31);
  }
  // Whether two names are equal, given this key's name `mine` and the other's `theirs`: the words decide
  // for names of up to 16 bytes.
  bool Same(const NameKey& o, std::string_view mine, std::string_view theirs) const {
    return a == o.a && b == o.b && size == o.size &&
           (size <= 16 || std::memcmp(mine.data(), theirs.data(), size) == 0);
  }
};

class NameTable {
 public:
  void Add(std::string_view name, int index) {
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    Place(NameKey::Of(name), name, index);
    ++count_;
  }

  // The index given to `name`, or -1.
  int Find(std::string_view name) const { return Find(NameKey::Of(name), name); }
  int Find(const NameKey& k, std::string_view name) const {
    if (slots_.empty()) return -1;
    size_t mask = slots_.size() - 1;
    for (size_t i = k.Hash() & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.index < 0) return -1;
      if (k.Same(s.key, name, s.name)) return s.index;
    }
  }

 private:
  struct Slot {
    NameKey key;
    std::string_view name;
    int index = -1;
  };

  void Place(const NameKey& k, std::string_view name, int index) {
    size_t mask = slots_.size() - 1;
    size_t i = k.Hash() & mask;
    while (slots_[i].index >= 0) {
      if (slots_[i].name == name) return;  // a repeated name keeps its first index, as emplace would
      i = (i + 1) & mask;
    }
    slots_[i] = {k, name, index};
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    for (const Slot& s : old)
      if (s.index >= 0) Place(s.key, s.name, s.index);
  }

  std::vector<Slot> slots_;  // a power of two, at most half full
  size_t count_ = 0;
};

}  // namespace edict::io
