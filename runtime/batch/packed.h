// The packed shipment layout: one fixed-size record per shipment, decided at compile time from a program's
// schema, that readers write and compiled code reads (the JIT's input contract; no LLVM types here).
//
// A record is `PackedLayout::size` bytes (a multiple of 16), aligned to 16:
//   [0, 8 * presence_words)  presence bits, bit i of word i / 64 for schema field i (an absent optional, a
//                            default or derived field not given, a field the policy in force does not have)
//   then one slot per field, at `PackedField::offset`, by kind:
//     kBool      u8    0 or 1
//     kEnum      u16   member index (countries, catalog ids, ECCNs, enums)
//     kDate      i32   days since 1970-01-01
//     kInt       i64   int-typed numbers and counts (whole, 64-bit: the reader checks)
//     kRational  i128 numerator, i128 denominator (> 0, reduced): decimals and quantities, exact
//     kText      u32   id in the batch's TextTable; equal texts have equal ids where `interned`
// The slots of a field that is absent hold zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"

namespace edict::batch {

enum class SlotKind : uint8_t { kNone, kBool, kEnum, kDate, kInt, kRational, kText };

struct PackedField {
  SlotKind kind = SlotKind::kNone;
  uint32_t offset = 0;
  bool interned = false;  // kText: equal texts share one index (compared or used as quota keys)
};

struct PackedLayout {
  std::vector<PackedField> fields;  // per schema field of the program
  uint32_t presence_words = 1;
  uint32_t size = 16;

  // Null-free for every schema whose field types are bool, enum, date, number or text.
  static PackedLayout For(const ir::Program& program);
};

// Texts of a batch. An interned text (a field compared or used as a quota key, and the compiled policy's
// constants, interned first) has an id below kAppended: equal texts share it, index 0 is "". Other texts (a
// shipment's id, say) are only appended, with ids from kAppended up. A batch refilled for the next piece of
// input drops its appended texts but keeps its interned ones (Batch::Clear): a consignee keeps its id from
// batch to batch, so the quota bookkeeping finds it by id (jit/quotas.h). Each table's ids hold as long as
// its generation() does; a Truncate that drops interned texts starts a new one. Storage is kept across
// clears, so a batch refilled line by line allocates nothing once it has grown.
class TextTable {
 public:
  static constexpr uint32_t kAppended = 0x80000000u;

  TextTable() { Truncate(1); }
  TextTable(const TextTable&) = delete;
  TextTable& operator=(const TextTable&) = delete;
  uint32_t Intern(std::string_view s);
  uint32_t Append(std::string_view s) {
    appended_.push_back(s.empty() ? std::string_view() : appended_store_.Store(s));
    return kAppended | static_cast<uint32_t>(appended_.size() - 1);
  }
  std::string_view Get(uint32_t id) const {
    return id & kAppended ? appended_[id & ~kAppended] : interned_texts_[id];
  }
  // Interned texts (ids 0 to size() - 1) and appended ones.
  size_t size() const { return interned_texts_.size(); }
  size_t appended() const { return appended_.size(); }
  // The bytes the interned texts take.
  size_t interned_bytes() const { return interned_bytes_; }
  // Process-wide unique: equal generations, equal ids for equal interned texts.
  uint64_t generation() const { return generation_; }
  // Keeps the first `n` interned texts (a compiled policy's constants), drops the rest and the appended.
  void Truncate(size_t n);
  // Drops the appended texts; the interned ones keep their ids.
  void ClearAppended() {
    appended_.clear();
    appended_store_.Reset();
  }

 private:
  // Text storage in chunks that never move; chunks before `chunk` are full, `used` bytes of `chunk` used.
  struct Arena {
    std::string_view Store(std::string_view s);
    void Reset() { chunk = used = 0; }
    // Frees what was stored after `end` (the end of a text it stored).
    void ResetAfter(const char* end);
    std::vector<std::unique_ptr<char[]>> chunks;
    std::vector<size_t> sizes;
    size_t chunk = 0, used = 0;
  };
  struct Slot {
    uint32_t hash = 0;
    uint32_t index = kEmpty;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;
  static uint64_t Hash(std::string_view s);
  void Insert(uint32_t hash, uint32_t index);
  void Rehash(size_t slots);

  std::vector<std::string_view> interned_texts_, appended_;
  Arena interned_store_, appended_store_;
  size_t interned_bytes_ = 0;
  uint64_t generation_ = 0;
  // The interned texts: open addressing over a power of two of slots, at most half full.
  std::vector<Slot> slots_;
  size_t interned_ = 0;
};

// Records laid out by one PackedLayout, with the texts they refer to.
class Batch {
 public:
  explicit Batch(const PackedLayout& layout) : layout_(&layout) {}
  const PackedLayout& layout() const { return *layout_; }
  size_t size() const { return count_; }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(words_.data()); }
  const uint8_t* record(size_t i) const { return data() + i * layout_->size; }
  uint8_t* record(size_t i) { return reinterpret_cast<uint8_t*>(words_.data()) + i * layout_->size; }
  TextTable& texts() { return texts_; }
  const TextTable& texts() const { return texts_; }
  std::vector<int>& lines() { return lines_; }
  const std::vector<int>& lines() const { return lines_; }

  // A new zeroed record at the end.
  uint8_t* Add(int line) {
    size_t words = layout_->size / 16;
    if ((count_ + 1) * words > words_.size()) Grow((count_ + 1) * words);
    uint8_t* rec = record(count_++);
    std::memset(rec, 0, layout_->size);
    lines_.push_back(line);
    return rec;
  }
  // Drops the last record (a line that turned out invalid).
  void PopBack();
  // Drops the records and the appended texts. With `keep_interned`, the interned texts stay (their ids hold
  // for the next records: the quota bookkeeping finds keys by them) up to kKeptTexts of them or
  // kKeptTextBytes beyond the first `keep_texts`; past that, and without it, only the first `keep_texts`
  // stay. (Kept texts cost lookups in a larger, colder table: a policy without quotas does not keep them.)
  // The storage stays for the next records.
  void Clear(size_t keep_texts, bool keep_interned = true);
  static constexpr size_t kKeptTexts = size_t{1} << 16, kKeptTextBytes = size_t{4} << 20;

 private:
  void Grow(size_t words);
  const PackedLayout* layout_;
  std::vector<unsigned __int128> words_;  // 16-byte aligned storage, room for at least count_ records
  size_t count_ = 0;
  std::vector<int> lines_;
  TextTable texts_;
};

// Converting between the interpreter's records and packed ones. Pack fails (false) only for a value that
// its slot cannot hold (a fraction in an int field, say): the caller decides that record with the
// interpreter.
bool Pack(const PackedLayout& layout, const ir::Program& program, const interp::Record& record, Batch* batch);
void Unpack(const PackedLayout& layout, const ir::Program& program, const Batch& batch, size_t index,
            interp::Record* record);

inline bool Present(const uint8_t* rec, int field) {
  uint64_t w;
  std::memcpy(&w, rec + 8 * (field / 64), 8);
  return (w >> (field % 64)) & 1;
}
inline void SetPresent(uint8_t* rec, int field) {
  uint64_t w;
  std::memcpy(&w, rec + 8 * (field / 64), 8);
  w |= uint64_t{1} << (field % 64);
  std::memcpy(rec + 8 * (field / 64), &w, 8);
}

}  // namespace edict::batch
