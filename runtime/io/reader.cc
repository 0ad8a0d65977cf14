#include "runtime/io/reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "runtime/date.h"
#include "runtime/io/flat_json.h"

namespace edict::io {

struct RecordParser::Json {
  simdjson::ondemand::parser parser;
  std::string buffer;  // the line plus simdjson's padding
};

RecordParser::RecordParser(const ir::Program& program) : program_(program), json_(std::make_unique<Json>()) {
  for (size_t i = 0; i < program.fields.size(); ++i) {
    const ir::Field& f = program.fields[i];
    field_index_.Add(f.name, static_cast<int>(i));
    if (f.kind == ir::Field::kInput && !f.value) required_.push_back(static_cast<int>(i));
    if (f.type && f.type->kind == TypeKind::kText) text_fields_.push_back(static_cast<int>(i));
  }
  members_.resize(program.enums.size());
  for (size_t e = 0; e < program.enums.size(); ++e)
    for (size_t m = 0; m < program.enums[e].members.size(); ++m)
      members_[e].Add(program.enums[e].members[m], static_cast<int>(m));
  texts_.resize(program.fields.size());
}

RecordParser::~RecordParser() = default;

namespace {

std::string Shorten(std::string_view s) {
  std::string out(s.substr(0, 40));
  if (s.size() > 40) out += "...";
  return out;
}

// Just past the closing brace of the JSON object that `s` starts with (after blanks), or npos when there is
// no such object. Only looks at brackets and strings: the parser says whether the object is valid.
size_t ObjectEnd(std::string_view s) {
  size_t i = s.find_first_not_of(" \t\r");
  if (i == std::string_view::npos || s[i] != '{') return std::string_view::npos;
  int depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

constexpr const char* kTextAfter = "unexpected text after the object";

// Where the field conversions put a value: the interpreter's record...
class RecordSink {
 public:
  explicit RecordSink(interp::Record* rec) : rec_(rec) {}
  void Bool(int field, bool v) { rec_->values[field] = Value::Bool(v); }
  void Enum(int field, int member) { rec_->values[field] = Value::Enum(member); }
  void Date(int field, int days) { rec_->values[field] = Value::Date(days); }
  void Number(int field, const Rational& r) { rec_->values[field] = Value::Number(r); }
  void Text(int field, std::string_view s) { rec_->values[field] = Value::Text(rec_->Keep(s)); }
  bool Has(int field) const { return !rec_->values[field].absent(); }

 private:
  interp::Record* rec_;
};

// ... or the slots of a packed record, as batch::Pack would write them. A text is only noted (a view of the
// line or of simdjson's unescaped copy, valid until the next line) and stored in the batch's TextTable by
// KeepTexts once the whole line has been read, in schema order: an invalid line leaves the table as it was,
// and the indices are those Pack gives. A value the slot cannot hold (Pack's failure) is remembered and
// reported after every check of the record path, in the order the record path then Pack would.
class PackedSink {
 public:
  PackedSink(batch::Batch* batch, uint8_t* rec, std::string_view* texts)
      : layout_(batch->layout()), batch_(batch), rec_(rec), texts_(texts) {}

  void Bool(int field, bool v) {
    if (uint8_t* at = Slot(field, batch::SlotKind::kBool)) *at = v ? 1 : 0;
  }
  void Enum(int field, int member) {
    uint8_t* at = Slot(field, batch::SlotKind::kEnum);
    if (!at) return;
    if (member < 0 || member > 0xffff) {
      misfit_ = true;
      return;
    }
    Put(at, static_cast<uint16_t>(member));
  }
  void Date(int field, int days) {
    if (uint8_t* at = Slot(field, batch::SlotKind::kDate)) Put(at, static_cast<int32_t>(days));
  }
  void Number(int field, const Rational& r) {
    batch::SetPresent(rec_, field);
    const batch::PackedField& f = layout_.fields[field];
    uint8_t* at = rec_ + f.offset;
    if (f.kind == batch::SlotKind::kInt && r.FitsInt64()) {
      Put(at, r.ToInt64());
    } else if (f.kind == batch::SlotKind::kRational) {
      Put(at, r.num);
      Put(at + 16, r.den);
    } else {
      misfit_ = true;
    }
  }
  void Text(int field, std::string_view s) {
    if (Slot(field, batch::SlotKind::kText)) texts_[field] = s;
  }
  bool Has(int field) const { return batch::Present(rec_, field); }

  // After the line has been read: false when a value did not fit its slot, else stores the texts.
  bool KeepTexts(const std::vector<int>& text_fields) {
    if (misfit_) return false;
    batch::TextTable& table = batch_->texts();
    for (int field : text_fields) {
      if (!batch::Present(rec_, field)) continue;
      const batch::PackedField& f = layout_.fields[field];
      Put(rec_ + f.offset, f.interned ? table.Intern(texts_[field]) : table.Append(texts_[field]));
    }
    return true;
  }

 private:
  // Marks the field present (as the record path would have set its value); its slot, or null (remembered)
  // when the slot is of another kind.
  uint8_t* Slot(int field, batch::SlotKind kind) {
    batch::SetPresent(rec_, field);
    const batch::PackedField& f = layout_.fields[field];
    if (f.kind != kind) {
      misfit_ = true;
      return nullptr;
    }
    return rec_ + f.offset;
  }
  template <typename T>
  static void Put(uint8_t* at, T v) {
    std::memcpy(at, &v, sizeof v);
  }

  const batch::PackedLayout& layout_;
  batch::Batch* batch_;
  uint8_t* rec_;
  std::string_view* texts_;
  bool misfit_ = false;
};

constexpr const char* kMisfit = "a value does not fit the packed layout";

}  // namespace

template <typename Sink>
bool RecordParser::ConvertNumber(int field, std::string_view token, Sink& sink, std::string* error) {
  const ir::Field& f = program_.fields[field];
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r'))
    token.remove_suffix(1);
  // Most numbers are small whole ones ("quantity":1500): read directly; ParseRational gives the same value.
  std::optional<Rational> r;
  if (!token.empty() && token.size() <= 18 &&
      std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t v = 0;
    for (char c : token) v = v * 10 + (c - '0');
    r = Rational::Int(v);
  } else {
    r = ParseRational(token);
  }
  if (!r) {
    *error = "field '" + f.name + "': '" + Shorten(token) + "' is not a number (or is out of range)";
    return false;
  }
  if (f.type && f.type->integer && !r->FitsInt64()) {
    *error = "field '" + f.name + "': " + Shorten(token) + " is not a 64-bit integer";
    return false;
  }
  if (f.count && (!r->IsInteger() || r->num < 1 || !r->FitsInt64())) {
    *error = "field '" + f.name + "' must be a whole number of at least 1, got " + Shorten(token);
    return false;
  }
  if (r->num < 0 && f.type && !f.type->dims.empty()) {
    *error = "field '" + f.name + "' cannot be negative, got " + Shorten(token);
    return false;
  }
  sink.Number(field, *r);
  return true;
}

template <typename Sink>
bool RecordParser::ConvertText(int field, std::string_view text, Sink& sink, std::string* error) {
  const ir::Field& f = program_.fields[field];
  if (f.kind == ir::Field::kDerived) {
    *error = "field '" + f.name + "' is computed by the policy and cannot be given";
    return false;
  }
  switch (f.type ? f.type->kind : TypeKind::kError) {
    case TypeKind::kText:
      sink.Text(field, text);
      return true;
    case TypeKind::kDate: {
      auto d = ParseDate(text);
      if (!d) {
        *error = "field '" + f.name + "': '" + Shorten(text) + "' " + DateError(text);
        return false;
      }
      sink.Date(field, *d);
      return true;
    }
    case TypeKind::kBool:
      if (text == "true" || text == "false") {
        sink.Bool(field, text == "true");
        return true;
      }
      *error = "field '" + f.name + "': '" + Shorten(text) + "' is not true or false";
      return false;
    case TypeKind::kNumber:
      return ConvertNumber(field, text, sink, error);
    case TypeKind::kEnum: {
      const NameTable& m = members_[f.enum_index];
      int member = m.Find(text);
      if (member < 0) {
        const ir::Enum& en = program_.enums[f.enum_index];
        *error = "field '" + f.name + "': unknown " + (en.is_table ? "catalog id" : en.name) + " '" +
                 Shorten(text) + "'";
        std::string upper(text);
        for (char& c : upper) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
        if (upper != text && m.Find(upper) >= 0) *error += " (codes are upper case: '" + upper + "')";
        return false;
      }
      sink.Enum(field, member);
      return true;
    }
    default:
      *error = "field '" + f.name + "' cannot be read from input";
      return false;
  }
}

bool RecordParser::FromText(int field, std::string_view text, interp::Record* rec, std::string* error) {
  RecordSink sink(rec);
  return ConvertText(field, text, sink, error);
}

template <typename Sink>
bool RecordParser::Finish(const Sink& sink, std::string* error) {
  for (int i : required_)
    if (!sink.Has(i)) {
      *error = "missing required field '" + program_.fields[i].name + "'";
      return false;
    }
  return true;
}

template <typename Sink>
bool RecordParser::ParseJsonInto(std::string_view line, Sink& sink, std::string* error, std::string* id) {
  using namespace simdjson;
  json_->buffer.assign(line.data(), line.size());
  json_->buffer.append(SIMDJSON_PADDING, ' ');
  ondemand::document doc;
  auto fail = [&](std::string msg) {
    *error = std::move(msg);
    return false;
  };
  auto json_error = [&](error_code err) {
    // simdjson may report text after a complete object as an object that "ended early": when the object
    // alone reads, the trouble is what follows it.
    size_t end = ObjectEnd(line);
    if (end != std::string_view::npos && line.find_first_not_of(" \t\r", end) != std::string_view::npos) {
      std::string prefix_error;
      if (ParseJsonInto(line.substr(0, end), sink, &prefix_error, id) || prefix_error == kTextAfter)
        return fail(kTextAfter);
      return fail(prefix_error);
    }
    if (err == UTF8_ERROR) return fail("invalid UTF-8");
    if (err == INCORRECT_TYPE) return fail("each line must be a JSON object {...}");
    return fail(std::string("not valid JSON (") + error_message(err) + ")");
  };
  if (auto err = json_->parser.iterate(json_->buffer.data(), line.size(), json_->buffer.size()).get(doc))
    return json_error(err);
  ondemand::object obj;
  if (auto err = doc.get_object().get(obj)) return json_error(err);
  std::vector<uint8_t>& seen = seen_;
  seen.assign(program_.fields.size(), 0);
  for (auto member : obj) {
    std::string_view key;
    if (auto err = member.unescaped_key().get(key)) return json_error(err);
    ondemand::value value;
    if (auto err = member.value().get(value)) return json_error(err);
    int field = field_index_.Find(key);
    if (field < 0) return fail("unknown field '" + Shorten(key) + "'");
    if (seen[field]) return fail("field '" + std::string(key) + "' is given twice");
    seen[field] = 1;
    ondemand::json_type type;
    if (value.type().get(type)) return fail("not valid JSON (value of '" + std::string(key) + "')");
    const ir::Field& f = program_.fields[field];
    if (f.kind == ir::Field::kDerived)
      return fail("field '" + f.name + "' is computed by the policy and cannot be given");
    switch (type) {
      case ondemand::json_type::null:
        if (f.kind == ir::Field::kInput && !f.value)
          return fail("field '" + f.name + "' is required and cannot be null");
        break;  // absent: the default applies
      case ondemand::json_type::string: {
        std::string_view s;
        if (value.get_string().get(s))
          return fail("invalid string in '" + f.name + "' (bad escape or UTF-8)");
        if (field == program_.id_field) id->assign(s);
        if (f.type && f.type->kind == TypeKind::kNumber)
          return fail("field '" + f.name + "' must be a JSON number, not a string");
        if (f.type && f.type->kind == TypeKind::kBool)
          return fail("field '" + f.name + "' must be true or false");
        if (!ConvertText(field, s, sink, error)) return false;
        break;
      }
      case ondemand::json_type::number: {
        if (!f.type || f.type->kind != TypeKind::kNumber)
          return fail("field '" + f.name + "' must not be a number");
        std::string_view token = value.raw_json_token();
        if (!ConvertNumber(field, token, sink, error)) return false;
        break;
      }
      case ondemand::json_type::boolean: {
        bool b;
        if (value.get_bool().get(b)) return fail("not valid JSON (boolean)");
        if (!f.type || f.type->kind != TypeKind::kBool)
          return fail("field '" + f.name + "' must not be true/false");
        sink.Bool(field, b);
        break;
      }
      default:
        return fail("field '" + f.name + "' must be a string, number or boolean");
    }
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == SUCCESS) return fail(kTextAfter);
  return Finish(sink, error);
}

template <typename Sink>
bool RecordParser::FastJsonInto(std::string_view line, Sink& sink, std::string* id) {
  if (!fast_json_ || program_.fields.size() > 64) return false;
  uint64_t seen = 0;
  std::optional<std::string_view> given_id;  // set only when the whole line reads
  bool read = ScanFlatJson(line, [&](std::string_view key, FlatKind kind, std::string_view text) {
    // The checks of ParseJsonInto, in its order; any failure declines.
    int field = field_index_.Find(key);
    if (field < 0) return false;
    uint64_t bit = uint64_t{1} << field;
    if (seen & bit) return false;
    seen |= bit;
    const ir::Field& f = program_.fields[field];
    if (f.kind == ir::Field::kDerived) return false;
    TypeKind type = f.type ? f.type->kind : TypeKind::kError;
    switch (kind) {
      case FlatKind::kNull:
        return !(f.kind == ir::Field::kInput && !f.value);
      case FlatKind::kString:
        if (field == program_.id_field) given_id = text;
        if (type == TypeKind::kNumber || type == TypeKind::kBool) return false;
        return ConvertText(field, text, sink, &fast_error_);
      case FlatKind::kNumber:
        return type == TypeKind::kNumber && ConvertNumber(field, text, sink, &fast_error_);
      case FlatKind::kTrue:
      case FlatKind::kFalse:
        if (type != TypeKind::kBool) return false;
        sink.Bool(field, kind == FlatKind::kTrue);
        return true;
    }
    return false;
  });
  if (!read || !Finish(sink, &fast_error_)) return false;
  if (given_id) id->assign(*given_id);
  return true;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool RecordParser::SetCsvHeader(std::span<const std::string_view> columns, bool strict,
                                std::vector<std::string>* ignored, std::string* error) {
  csv_columns_.clear();
  ignored->clear();
  // Field names by lower case; a name that two fields share that way is only found exactly.
  std::map<std::string, int> lower;
  for (size_t i = 0; i < program_.fields.size(); ++i) {
    auto [at, fresh] = lower.emplace(Lower(program_.fields[i].name), static_cast<int>(i));
    if (!fresh) at->second = -2;
  }
  std::set<std::string> names;
  for (std::string_view c : columns) {
    // Spaces around a name (a hand-written "id, date") are not part of it.
    while (!c.empty() && (c.front() == ' ' || c.front() == '\t')) c.remove_prefix(1);
    while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) c.remove_suffix(1);
    // As a JSON object may not give a key twice: which cell would win is a guess.
    if (!names.insert(Lower(c)).second) {
      *error = "column '" + Shorten(c) + "' is given twice";
      return false;
    }
    int field = field_index_.Find(c);
    if (field < 0) {
      auto at = lower.find(Lower(c));
      if (at != lower.end() && at->second >= 0) field = at->second;
    }
    if (field < 0) {
      if (strict) {
        *error = "unknown column '" + Shorten(c) + "'";
        return false;
      }
      ignored->push_back(std::string(c));
    }
    csv_columns_.push_back(field);
  }
  // Every row would lack it: said once, here.
  for (int i : required_)
    if (std::find(csv_columns_.begin(), csv_columns_.end(), i) == csv_columns_.end()) {
      *error = "no column for the required field '" + program_.fields[i].name + "'";
      return false;
    }
  return true;
}

template <typename Sink>
bool RecordParser::ParseCsvInto(std::span<const std::string_view> cells, Sink& sink, std::string* error,
                                std::string* id) {
  if (cells.size() != csv_columns_.size()) {
    // The id still names the row when its cell is there.
    for (size_t i = 0; i < cells.size() && i < csv_columns_.size(); ++i)
      if (csv_columns_[i] == program_.id_field) id->assign(cells[i]);
    *error =
        "expected " + std::to_string(csv_columns_.size()) + " cells, found " + std::to_string(cells.size());
    return false;
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    if (csv_columns_[i] < 0) continue;  // a column the schema does not have
    if (csv_columns_[i] == program_.id_field) id->assign(cells[i]);
    if (cells[i].empty()) continue;  // an empty cell is an absent value
    if (!ConvertText(csv_columns_[i], cells[i], sink, error)) return false;
  }
  return Finish(sink, error);
}

bool RecordParser::ParseJson(std::string_view line, interp::Record* rec, std::string* error,
                             std::string* id) {
  rec->values.assign(program_.fields.size(), Value{});
  rec->strings.clear();
  RecordSink sink(rec);
  if (FastJsonInto(line, sink, id)) return true;
  rec->values.assign(program_.fields.size(), Value{});
  rec->strings.clear();
  return ParseJsonInto(line, sink, error, id);
}

bool RecordParser::ParseCsv(std::span<const std::string_view> cells, interp::Record* rec, std::string* error,
                            std::string* id) {
  rec->values.assign(program_.fields.size(), Value{});
  rec->strings.clear();
  RecordSink sink(rec);
  return ParseCsvInto(cells, sink, error, id);
}

bool RecordParser::ParseJson(std::string_view line, batch::Batch* batch, int line_no, std::string* error,
                             std::string* id) {
  // The usual flat line in one pass; anything else (or an error, whose message it leaves to simdjson's
  // reading) from the start again.
  if (fast_json_) {
    if (FastPacked(line, batch, batch->Add(line_no), id)) return true;
    batch->PopBack();
  }
  PackedSink sink(batch, batch->Add(line_no), texts_.data());
  if (!ParseJsonInto(line, sink, error, id)) {
    batch->PopBack();
    return false;
  }
  if (!sink.KeepTexts(text_fields_)) {
    batch->PopBack();
    *error = kMisfit;
    return false;
  }
  return true;
}

bool RecordParser::ParseCsv(std::span<const std::string_view> cells, batch::Batch* batch, int line_no,
                            std::string* error, std::string* id) {
  PackedSink sink(batch, batch->Add(line_no), texts_.data());
  if (!ParseCsvInto(cells, sink, error, id)) {
    batch->PopBack();
    return false;
  }
  if (!sink.KeepTexts(text_fields_)) {
    batch->PopBack();
    *error = kMisfit;
    return false;
  }
  return true;
}

}  // namespace edict::io
