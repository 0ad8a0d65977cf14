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
//     kText      u32   index in the batch's TextTable; equal texts have equal indices where `interned`
// The slots of a field that is absent hold zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
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

// Texts of a batch. Index 0 is "". A text stored `interned` is looked up first, so equal texts share an
// index; others (shipment ids, say) are only appended.
class TextTable {
 public:
  TextTable() { Clear(); }
  uint32_t Intern(std::string_view s);
  uint32_t Append(std::string_view s);
  std::string_view Get(uint32_t index) const { return texts_[index]; }
  size_t size() const { return texts_.size(); }
  // Keeps the first `n` texts (a compiled policy's constants), drops the rest.
  void Truncate(size_t n);
  void Clear();

 private:
  std::string_view Store(std::string_view s);
  std::vector<std::string_view> texts_;
  std::deque<std::unique_ptr<char[]>> chunks_;  // storage; texts never move
  size_t chunk_size_ = 0;
  size_t chunk_used_ = 0;
  std::unordered_map<std::string_view, uint32_t> index_;
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
  uint8_t* Add(int line);
  // Drops the last record (a line that turned out invalid).
  void PopBack();
  // Drops the records (and the texts beyond the first `keep_texts`).
  void Clear(size_t keep_texts);

 private:
  const PackedLayout* layout_;
  std::vector<unsigned __int128> words_;  // 16-byte aligned storage
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
