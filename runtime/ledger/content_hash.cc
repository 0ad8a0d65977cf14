#include "runtime/ledger/content_hash.h"

#include <cstring>
#include <string_view>

namespace edict::ledger {

namespace {

// A small streaming hash: 8-byte words multiplied in, a murmur-style finish.
class Hasher {
 public:
  Hasher() = default;
  explicit Hasher(uint64_t state) : h_(state) {}
  uint64_t state() const { return h_; }
  void Word(uint64_t w) { h_ = (h_ ^ w) * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull; }
  void Bytes(std::string_view s) {
    Word(s.size());
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      Word(w);
    }
    uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    Word(tail);
  }
  void Wide(i128 v) {
    Word(static_cast<uint64_t>(v));
    Word(static_cast<uint64_t>(static_cast<unsigned __int128>(v) >> 64));
  }
  uint64_t Finish() const {
    uint64_t h = h_;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
  }

 private:
  uint64_t h_ = 0x243f6a8885a308d3ull;
};

enum Tag : uint64_t { kBool = 1, kNumber, kText, kDate, kEnum };

// Per field, one hash of (name, tag, value); the fields' hashes are summed, so their order does not count.
struct FieldHash {
  const ir::Program& p;
  int field;
  Hasher h;
  FieldHash(const ir::Program& program, int f) : p(program), field(f) { h.Bytes(p.fields[f].name); }
  // From the state after the field's name (ShipmentHasher keeps it).
  FieldHash(const ir::Program& program, int f, uint64_t named) : p(program), field(f), h(named) {}
  void Bool(bool b) {
    h.Word(kBool);
    h.Word(b);
  }
  void Number(const Rational& r) {
    h.Word(kNumber);
    h.Wide(r.num);
    h.Wide(r.den);
  }
  void Text(std::string_view s) {
    h.Word(kText);
    h.Bytes(s);
  }
  void Date(int days) {
    h.Word(kDate);
    h.Word(static_cast<uint64_t>(static_cast<int64_t>(days)));
  }
  void Enum(int member) {
    h.Word(kEnum);
    int e = p.fields[field].enum_index;
    if (e >= 0 && member >= 0 && static_cast<size_t>(member) < p.enums[e].members.size())
      h.Bytes(p.enums[e].members[member]);
    else
      h.Word(static_cast<uint64_t>(member));
  }
};

bool Counted(const ir::Program& p, size_t i) {
  return p.fields[i].kind != ir::Field::kDerived && static_cast<int>(i) != p.id_field;
}

}  // namespace

uint64_t ShipmentHash(const ir::Program& program, const interp::Record& record) {
  uint64_t sum = 0;
  for (size_t i = 0; i < program.fields.size() && i < record.values.size(); ++i) {
    const Value& v = record.values[i];
    if (!Counted(program, i) || v.absent()) continue;
    FieldHash f(program, static_cast<int>(i));
    switch (v.kind) {
      case ValueKind::kBool:
        f.Bool(v.b);
        break;
      case ValueKind::kNumber:
        f.Number(v.num);
        break;
      case ValueKind::kText:
        f.Text(v.text);
        break;
      case ValueKind::kDate:
        f.Date(v.i);
        break;
      case ValueKind::kEnum:
        f.Enum(v.i);
        break;
      default:
        continue;  // input fields hold no sets
    }
    sum += f.h.Finish();
  }
  return sum;
}

ShipmentHasher::ShipmentHasher(const ir::Program& program)
    : program_(program), fields_(program.fields.size()) {
  for (size_t i = 0; i < fields_.size(); ++i) {
    Field& f = fields_[i];
    f.counted = Counted(program, i);
    f.named = FieldHash(program, static_cast<int>(i)).h.state();
    for (bool b : {false, true}) {
      FieldHash h(program, static_cast<int>(i), f.named);
      h.Bool(b);
      f.bools[b] = h.h.Finish();
    }
    int e = program.fields[i].enum_index;
    if (e < 0) continue;
    for (size_t m = 0; m < program.enums[e].members.size(); ++m) {
      FieldHash h(program, static_cast<int>(i), f.named);
      h.Enum(static_cast<int>(m));
      f.members.push_back(h.h.Finish());
    }
  }
}

uint64_t ShipmentHasher::operator()(const batch::Batch& batch, size_t index) const {
  const batch::PackedLayout& layout = batch.layout();
  const uint8_t* rec = batch.record(index);
  uint64_t sum = 0;
  for (size_t i = 0; i < fields_.size() && i < layout.fields.size(); ++i) {
    const Field& field = fields_[i];
    if (!field.counted || !batch::Present(rec, static_cast<int>(i))) continue;
    const batch::PackedField& slot = layout.fields[i];
    const uint8_t* at = rec + slot.offset;
    auto get = [&](auto v, size_t off = 0) {
      std::memcpy(&v, at + off, sizeof v);
      return v;
    };
    FieldHash f(program_, static_cast<int>(i), field.named);
    switch (slot.kind) {
      case batch::SlotKind::kBool:
        sum += field.bools[get(uint8_t{}) != 0];
        continue;
      case batch::SlotKind::kEnum: {
        uint16_t m = get(uint16_t{});
        if (m < field.members.size()) {
          sum += field.members[m];
          continue;
        }
        f.Enum(m);
        break;
      }
      case batch::SlotKind::kDate:
        f.Date(get(int32_t{}));
        break;
      case batch::SlotKind::kInt:
        f.Number(Rational::Int(get(int64_t{})));
        break;
      case batch::SlotKind::kRational:
        f.Number(Rational{get(i128{}), get(i128{}, 16)});
        break;
      case batch::SlotKind::kText:
        f.Text(batch.texts().Get(get(uint32_t{})));
        break;
      case batch::SlotKind::kNone:
        continue;
    }
    sum += f.h.Finish();
  }
  return sum;
}

uint64_t ShipmentHash(const ir::Program& program, const batch::Batch& batch, size_t index) {
  const batch::PackedLayout& layout = batch.layout();
  const uint8_t* rec = batch.record(index);
  uint64_t sum = 0;
  for (size_t i = 0; i < program.fields.size() && i < layout.fields.size(); ++i) {
    if (!Counted(program, i) || !batch::Present(rec, static_cast<int>(i))) continue;
    const batch::PackedField& slot = layout.fields[i];
    const uint8_t* at = rec + slot.offset;
    FieldHash f(program, static_cast<int>(i));
    auto get = [&](auto v, size_t off = 0) {
      std::memcpy(&v, at + off, sizeof v);
      return v;
    };
    switch (slot.kind) {
      case batch::SlotKind::kBool:
        f.Bool(get(uint8_t{}) != 0);
        break;
      case batch::SlotKind::kEnum:
        f.Enum(get(uint16_t{}));
        break;
      case batch::SlotKind::kDate:
        f.Date(get(int32_t{}));
        break;
      case batch::SlotKind::kInt:
        f.Number(Rational::Int(get(int64_t{})));
        break;
      case batch::SlotKind::kRational:
        f.Number(Rational{get(i128{}), get(i128{}, 16)});
        break;
      case batch::SlotKind::kText:
        f.Text(batch.texts().Get(get(uint32_t{})));
        break;
      case batch::SlotKind::kNone:
        continue;
    }
    sum += f.h.Finish();
  }
  return sum;
}

}  // namespace edict::ledger
