#include "runtime/batch/packed.h"

#include <algorithm>
#include <atomic>

namespace edict::batch {

namespace {

SlotKind KindOf(const ir::Field& f) {
  if (!f.type) return SlotKind::kNone;
  switch (f.type->kind) {
    case TypeKind::kBool:
      return SlotKind::kBool;
    case TypeKind::kEnum:
      return SlotKind::kEnum;
    case TypeKind::kDate:
      return SlotKind::kDate;
    case TypeKind::kNumber:
      return f.type->integer || f.count ? SlotKind::kInt : SlotKind::kRational;
    case TypeKind::kText:
      return SlotKind::kText;
    default:
      return SlotKind::kNone;
  }
}

size_t SizeOf(SlotKind k) {
  switch (k) {
    case SlotKind::kBool:
      return 1;
    case SlotKind::kEnum:
      return 2;
    case SlotKind::kDate:
    case SlotKind::kText:
      return 4;
    case SlotKind::kInt:
      return 8;
    case SlotKind::kRational:
      return 32;
    case SlotKind::kNone:
      return 0;
  }
  return 0;
}

// Root fields some expression reads, directly or through a timeline's field map.
std::vector<uint8_t> ReadFields(const ir::Program& root) {
  std::vector<uint8_t> read(root.fields.size(), 0);
  for (const ir::Expr& e : root.exprs)
    if (e.op == ir::Op::kField && e.index >= 0) read[e.index] = 1;
  for (const auto& entry : root.timeline)
    for (const ir::Expr& e : entry.program->exprs)
      if (e.op == ir::Op::kField && e.index >= 0 && static_cast<size_t>(e.index) < entry.field_map.size() &&
          entry.field_map[e.index] >= 0)
        read[entry.field_map[e.index]] = 1;
  return read;
}

template <typename T>
void Put(uint8_t* at, T v) {
  std::memcpy(at, &v, sizeof v);
}
template <typename T>
T Get(const uint8_t* at) {
  T v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

}  // namespace

PackedLayout PackedLayout::For(const ir::Program& program) {
  PackedLayout layout;
  size_t n = program.fields.size();
  layout.fields.resize(n);
  layout.presence_words = static_cast<uint32_t>(std::max<size_t>(1, (n + 63) / 64));
  std::vector<uint8_t> read = ReadFields(program);
  for (size_t i = 0; i < n; ++i) {
    layout.fields[i].kind = KindOf(program.fields[i]);
    // A shipment id is unique per line: interning it would only grow the table, unless a rule compares it.
    layout.fields[i].interned =
        layout.fields[i].kind == SlotKind::kText && (static_cast<int>(i) != program.id_field || read[i]);
  }
  // Widest slots first, so each is aligned to its size.
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return SizeOf(layout.fields[a].kind) > SizeOf(layout.fields[b].kind);
  });
  size_t offset = 8 * layout.presence_words;
  offset = (offset + 15) / 16 * 16;
  for (size_t i : order) {
    size_t size = SizeOf(layout.fields[i].kind);
    if (!size) continue;
    size_t align = std::min<size_t>(size, 16);
    offset = (offset + align - 1) / align * align;
    layout.fields[i].offset = static_cast<uint32_t>(offset);
    offset += size;
  }
  layout.size = static_cast<uint32_t>((offset + 15) / 16 * 16);
  return layout;
}

// ---- TextTable ----

uint64_t TextTable::Hash(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = (n + 1) * 0x9E3779B97F4A7C15ull;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
  }
  if (n) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0xC2B2AE3D27D4EB4Full;
  }
  return h ^ (h >> 32);
}

std::string_view TextTable::Arena::Store(std::string_view s) {
  constexpr size_t kChunk = 1 << 16;
  if (chunks.empty() || used + s.size() > sizes[chunk]) {
    // The next chunk (kept from before a reset, or new); a long text gets a chunk of its own. Chunks are not
    // zeroed (only written bytes are read).
    if (!chunks.empty() && used > 0) ++chunk;
    size_t size = std::max(kChunk, s.size());
    if (chunk == chunks.size()) {
      chunks.emplace_back(new char[size]);
      sizes.push_back(size);
    } else if (sizes[chunk] < size) {  // (texts after `chunk` were all dropped)
      chunks[chunk].reset(new char[size]);
      sizes[chunk] = size;
    }
    used = 0;
  }
  char* at = chunks[chunk].get() + used;
  std::memcpy(at, s.data(), s.size());
  used += s.size();
  return std::string_view(at, s.size());
}

void TextTable::Arena::ResetAfter(const char* end) {
  for (size_t c = 0; c < chunks.size(); ++c)
    if (end > chunks[c].get() && end <= chunks[c].get() + sizes[c]) {
      chunk = c;
      used = static_cast<size_t>(end - chunks[c].get());
      return;
    }
  Reset();
}

void TextTable::Insert(uint32_t hash, uint32_t index) {
  size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].index != kEmpty) i = (i + 1) & mask;
  slots_[i] = {hash, index};
  ++interned_;
}

void TextTable::Rehash(size_t slots) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(slots, Slot{});
  interned_ = 0;
  for (const Slot& s : old)
    if (s.index != kEmpty) Insert(s.hash, s.index);
}

uint32_t TextTable::Intern(std::string_view s) {
  uint32_t hash = static_cast<uint32_t>(Hash(s));
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.index == kEmpty) break;
    if (slot.hash == hash) {
      std::string_view t = interned_texts_[slot.index];
      if (t.size() == s.size() && (s.empty() || std::memcmp(t.data(), s.data(), s.size()) == 0))
        return slot.index;
    }
  }
  if ((interned_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
  interned_texts_.push_back(s.empty() ? std::string_view() : interned_store_.Store(s));
  interned_bytes_ += s.size();
  auto index = static_cast<uint32_t>(interned_texts_.size() - 1);
  Insert(hash, index);
  return index;
}

namespace {
std::atomic<uint64_t> g_text_generations{0};
}  // namespace

void TextTable::Truncate(size_t n) {
  n = std::max<size_t>(n, 1);
  ClearAppended();
  if (interned_texts_.empty()) {
    generation_ = ++g_text_generations;
    interned_texts_.push_back(std::string_view());
    slots_.assign(16, Slot{});
    Insert(static_cast<uint32_t>(Hash("")), 0);
    return;
  }
  if (n >= interned_texts_.size()) return;
  generation_ = ++g_text_generations;  // ids from n on may now mean other texts
  interned_texts_.resize(n);
  // The storage after the last text kept is free again.
  interned_store_.Reset();
  interned_bytes_ = 0;
  for (size_t i = n; i-- > 1;) {
    if (interned_texts_[i].empty()) continue;
    interned_store_.ResetAfter(interned_texts_[i].data() + interned_texts_[i].size());
    break;
  }
  for (size_t i = 0; i < n; ++i) interned_bytes_ += interned_texts_[i].size();
  // The kept texts, interned again (as constants are).
  std::fill(slots_.begin(), slots_.end(), Slot{});
  interned_ = 0;
  for (size_t i = 0; i < n; ++i) {
    if ((interned_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
    Insert(static_cast<uint32_t>(Hash(interned_texts_[i])), static_cast<uint32_t>(i));
  }
}

// ---- Batch ----

void Batch::Grow(size_t words) {
  words_.resize(std::max(words, 2 * words_.size()));
}

void Batch::PopBack() {
  if (!count_) return;
  --count_;
  lines_.pop_back();
}

void Batch::Clear(size_t keep_texts, bool keep_interned) {
  lines_.clear();
  count_ = 0;
  if (!keep_interned || texts_.size() > keep_texts + kKeptTexts || texts_.interned_bytes() > kKeptTextBytes)
    texts_.Truncate(keep_texts);
  else
    texts_.ClearAppended();
}

// ---- conversions ----

bool Pack(const PackedLayout& layout, const ir::Program& program, const interp::Record& record,
          Batch* batch) {
  uint8_t* rec = batch->Add(record.line);
  for (size_t i = 0; i < program.fields.size() && i < record.values.size(); ++i) {
    const Value& v = record.values[i];
    if (v.absent()) continue;
    const PackedField& f = layout.fields[i];
    uint8_t* at = rec + f.offset;
    switch (f.kind) {
      case SlotKind::kBool:
        if (v.kind != ValueKind::kBool) return false;
        Put<uint8_t>(at, v.b ? 1 : 0);
        break;
      case SlotKind::kEnum:
        if (v.kind != ValueKind::kEnum || v.i < 0 || v.i > 0xffff) return false;
        Put<uint16_t>(at, static_cast<uint16_t>(v.i));
        break;
      case SlotKind::kDate:
        if (v.kind != ValueKind::kDate) return false;
        Put<int32_t>(at, v.i);
        break;
      case SlotKind::kInt:
        if (v.kind != ValueKind::kNumber || !v.num.FitsInt64()) return false;
        Put<int64_t>(at, v.num.ToInt64());
        break;
      case SlotKind::kRational:
        if (v.kind != ValueKind::kNumber) return false;
        Put<i128>(at, v.num.num);
        Put<i128>(at + 16, v.num.den);
        break;
      case SlotKind::kText: {
        if (v.kind != ValueKind::kText) return false;
        TextTable& t = batch->texts();
        Put<uint32_t>(at, f.interned ? t.Intern(v.text) : t.Append(v.text));
        break;
      }
      case SlotKind::kNone:
        return false;
    }
    SetPresent(rec, static_cast<int>(i));
  }
  return true;
}

void Unpack(const PackedLayout& layout, const ir::Program& program, const Batch& batch, size_t index,
            interp::Record* record) {
  const uint8_t* rec = batch.record(index);
  record->values.assign(program.fields.size(), Value{});
  record->strings.clear();
  record->line = index < batch.lines().size() ? batch.lines()[index] : 0;
  for (size_t i = 0; i < program.fields.size(); ++i) {
    if (!Present(rec, static_cast<int>(i))) continue;
    const PackedField& f = layout.fields[i];
    const uint8_t* at = rec + f.offset;
    Value& v = record->values[i];
    switch (f.kind) {
      case SlotKind::kBool:
        v = Value::Bool(Get<uint8_t>(at) != 0);
        break;
      case SlotKind::kEnum:
        v = Value::Enum(Get<uint16_t>(at));
        break;
      case SlotKind::kDate:
        v = Value::Date(Get<int32_t>(at));
        break;
      case SlotKind::kInt:
        v = Value::Number(Rational::Int(Get<int64_t>(at)));
        break;
      case SlotKind::kRational:
        v = Value::Number(Rational{Get<i128>(at), Get<i128>(at + 16)});
        break;
      case SlotKind::kText:
        v = Value::Text(record->Keep(batch.texts().Get(Get<uint32_t>(at))));
        break;
      case SlotKind::kNone:
        break;
    }
  }
}

}  // namespace edict::batch
