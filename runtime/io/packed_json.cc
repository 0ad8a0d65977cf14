// RecordParser's fast path for the usual JSON line into a packed batch: one flat object of known fields (no
// escapes, no nesting), each value written straight into its slot. It makes the checks of ParseJsonInto,
// ConvertText, ConvertNumber, Finish and PackedSink (reader.cc) in the same order, and declines the line at
// the first that fails, so that the general path reads it again and gives the reference message; a line it
// reads gives the same bytes, texts and id as the general path (tests/unit/packed_reader_test.cc compares).
#include <algorithm>
#include <cstring>

#include "runtime/date.h"
#include "runtime/io/flat_json.h"
#include "runtime/io/number.h"
#include "runtime/io/reader.h"

namespace edict::io {

namespace {

template <typename T>
void Put(uint8_t* at, T v) {
  std::memcpy(at, &v, sizeof v);
}

}  // namespace

void RecordParser::PrepareFast(const batch::PackedLayout& layout) {
  fast_layout_ = &layout;
  fast_.assign(program_.fields.size(), FastField{});
  required_bits_ = 0;
  for (size_t i = 0; i < program_.fields.size() && i < layout.fields.size(); ++i) {
    const ir::Field& f = program_.fields[i];
    FastField& ff = fast_[i];
    ff.key = NameKey::Of(f.name);
    ff.derived = f.kind == ir::Field::kDerived;
    ff.required = f.kind == ir::Field::kInput && !f.value;
    if (ff.required && i < 64) required_bits_ |= uint64_t{1} << i;
    ff.offset = layout.fields[i].offset;
    batch::SlotKind slot = layout.fields[i].kind;
    switch (f.type ? f.type->kind : TypeKind::kError) {
      case TypeKind::kText:
        if (slot == batch::SlotKind::kText) ff.action = FastField::kText;
        break;
      case TypeKind::kDate:
        if (slot == batch::SlotKind::kDate) ff.action = FastField::kDate;
        break;
      case TypeKind::kBool:
        if (slot == batch::SlotKind::kBool) ff.action = FastField::kBool;
        break;
      case TypeKind::kEnum:
        if (slot == batch::SlotKind::kEnum) {
          ff.action = FastField::kEnum;
          ff.members = &members_[f.enum_index];
        }
        break;
      case TypeKind::kNumber:
        if (slot == batch::SlotKind::kInt || slot == batch::SlotKind::kRational) {
          ff.action = FastField::kNumber;
          ff.int_slot = slot == batch::SlotKind::kInt;
          ff.whole = f.type->integer;
          ff.count = f.count;
          ff.nonnegative = !f.type->dims.empty();
        }
        break;
      default:
        break;
    }
  }
}

bool RecordParser::FastPacked(std::string_view line, batch::Batch* batch, uint8_t* rec, std::string* id) {
  if (program_.fields.size() > 64) return false;
  if (fast_layout_ != &batch->layout()) PrepareFast(batch->layout());
  uint64_t seen = 0, present = 0;
  size_t position = 0;
  std::string_view given_id;
  bool has_id = false;
  bool read = ScanFlatJson(line, [&](std::string_view key, FlatKind kind, std::string_view text) {
    // The field: the one at this position in the last line, when the name matches, else looked up.
    NameKey k = NameKey::Of(key);
    int field = position < order_.size() ? order_[position] : -1;
    if (field < 0 || !k.Same(fast_[field].key, key, program_.fields[field].name)) {
      field = field_index_.Find(k, key);
      if (field < 0) return false;
      if (position >= order_.size()) order_.resize(position + 1, -1);
      order_[position] = field;
    }
    ++position;
    uint64_t bit = uint64_t{1} << field;
    if (seen & bit) return false;
    seen |= bit;
    const FastField& f = fast_[field];
    if (f.derived) return false;
    if (kind == FlatKind::kNull) return !f.required;  // absent: the default applies
    uint8_t* at = rec + f.offset;
    switch (kind) {
      case FlatKind::kString:
        if (field == program_.id_field) given_id = text, has_id = true;
        switch (f.action) {
          case FastField::kText:
            texts_[field] = text;
            break;
          case FastField::kEnum: {
            int member = f.members->Find(text);
            if (member < 0 || member > 0xffff) return false;
            Put(at, static_cast<uint16_t>(member));
            break;
          }
          case FastField::kDate: {
            std::optional<int> d = ParseDate(text);
            if (!d) return false;
            Put(at, static_cast<int32_t>(*d));
            break;
          }
          default:
            return false;
        }
        break;
      case FlatKind::kNumber: {
        if (f.action != FastField::kNumber) return false;
        Rational r;
        if (text.size() <= 18 &&
            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          int64_t v = 0;
          for (char c : text) v = v * 10 + (c - '0');
          r = Rational::Int(v);
        } else if (!ParseSimpleNumber(text, &r)) {
          std::optional<Rational> parsed = ParseRational(text);
          if (!parsed) return false;
          r = *parsed;
        }
        if ((f.whole && !r.FitsInt64()) || (f.count && (!r.IsInteger() || r.num < 1 || !r.FitsInt64())) ||
            (r.num < 0 && f.nonnegative))
          return false;
        if (f.int_slot) {
          if (!r.FitsInt64()) return false;
          Put(at, r.ToInt64());
        } else {
          Put(at, r.num);
          Put(at + 16, r.den);
        }
        break;
      }
      case FlatKind::kTrue:
      case FlatKind::kFalse:
        if (f.action != FastField::kBool) return false;
        *at = kind == FlatKind::kTrue ? 1 : 0;
        break;
      case FlatKind::kNull:
        break;
    }
    present |= bit;
    return true;
  });
  if (!read || (present & required_bits_) != required_bits_) return false;
  // The line reads: its presence bits, then its texts in schema order (as PackedSink::KeepTexts stores them).
  std::memcpy(rec, &present, sizeof present);
  batch::TextTable& table = batch->texts();
  for (int field : text_fields_) {
    if (!(present >> field & 1)) continue;
    const batch::PackedField& slot = fast_layout_->fields[field];
    Put(rec + slot.offset, slot.interned ? table.Intern(texts_[field]) : table.Append(texts_[field]));
  }
  if (has_id) id->assign(given_id);
  return true;
}

}  // namespace edict::io
