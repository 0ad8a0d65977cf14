// Name -> index lookup for the reader's hot path: field names and enum members (country codes, catalog ids)
// of every input line. Open addressing over FNV-1a, sized at build time; the keys are views of names the
// program owns. About a tenth of std::unordered_map's cost on the two- to twenty-byte keys of a shipment.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace edict::io {

class NameTable {
 public:
  void Add(std::string_view name, int index) {
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    Place(name, index);
    ++count_;
  }

  // The index given to `name`, or -1.
  int Find(std::string_view name) const {
    if (slots_.empty()) return -1;
    size_t mask = slots_.size() - 1;
    for (size_t i = Hash(name) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.index < 0) return -1;
      if (s.name.size() == name.size() && std::memcmp(s.name.data(), name.data(), name.size()) == 0)
        return s.index;
    }
  }

 private:
  struct Slot {
    std::string_view name;
    int index = -1;
  };

  static uint64_t Hash(std::string_view s) {
    uint64_t h = 14695981039346656037ull;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h ^ (h >> 29);
  }

  void Place(std::string_view name, int index) {
    size_t mask = slots_.size() - 1;
    size_t i = Hash(name) & mask;
    while (slots_[i].index >= 0) {
      if (slots_[i].name == name) {  // a repeated name keeps its first index, as emplace would
        return;
      }
      i = (i + 1) & mask;
    }
    slots_[i] = {name, index};
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    for (const Slot& s : old)
      if (s.index >= 0) Place(s.name, s.index);
  }

  std::vector<Slot> slots_;  // a power of two, at most half full
  size_t count_ = 0;
};

}  // namespace edict::io
