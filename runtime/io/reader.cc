#include "runtime/io/reader.h"

#include <simdjson.h>

#include "runtime/date.h"

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
  }
  members_.resize(program.enums.size());
  for (size_t e = 0; e < program.enums.size(); ++e)
    for (size_t m = 0; m < program.enums[e].members.size(); ++m)
      members_[e].Add(program.enums[e].members[m], static_cast<int>(m));
}

RecordParser::~RecordParser() = default;

namespace {

std::string Shorten(std::string_view s) {
  std::string out(s.substr(0, 40));
  if (s.size() > 40) out += "...";
  return out;
}

}  // namespace

bool RecordParser::SetNumber(int field, std::string_view token, interp::Record* rec, std::string* error) {
  const ir::Field& f = program_.fields[field];
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r'))
    token.remove_suffix(1);
  auto r = ParseRational(token);
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
  rec->values[field] = Value::Number(*r);
  return true;
}

bool RecordParser::FromText(int field, std::string_view text, interp::Record* rec, std::string* error) {
  const ir::Field& f = program_.fields[field];
  if (f.kind == ir::Field::kDerived) {
    *error = "field '" + f.name + "' is computed by the policy and cannot be given";
    return false;
  }
  switch (f.type ? f.type->kind : TypeKind::kError) {
    case TypeKind::kText:
      rec->values[field] = Value::Text(rec->Keep(text));
      return true;
    case TypeKind::kDate: {
      auto d = ParseDate(text);
      if (!d) {
        *error = "field '" + f.name + "': '" + Shorten(text) + "' is not a date (YYYY-MM-DD)";
        return false;
      }
      rec->values[field] = Value::Date(*d);
      return true;
    }
    case TypeKind::kBool:
      if (text == "true" || text == "false") {
        rec->values[field] = Value::Bool(text == "true");
        return true;
      }
      *error = "field '" + f.name + "': '" + Shorten(text) + "' is not true or false";
      return false;
    case TypeKind::kNumber:
      return SetNumber(field, text, rec, error);
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
      rec->values[field] = Value::Enum(member);
      return true;
    }
    default:
      *error = "field '" + f.name + "' cannot be read from input";
      return false;
  }
}

bool RecordParser::Finish(interp::Record* rec, std::string* error) {
  for (int i : required_)
    if (rec->values[i].absent()) {
      *error = "missing required field '" + program_.fields[i].name + "'";
      return false;
    }
  return true;
}

bool RecordParser::ParseJson(std::string_view line, interp::Record* rec, std::string* error,
                             std::string* id) {
  using namespace simdjson;
  rec->values.assign(program_.fields.size(), Value{});
  rec->strings.clear();
  json_->buffer.assign(line.data(), line.size());
  json_->buffer.append(SIMDJSON_PADDING, ' ');
  ondemand::document doc;
  auto fail = [&](std::string msg) {
    *error = std::move(msg);
    return false;
  };
  auto json_error = [&](error_code err) {
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
        if (field == program_.id_field) *id = std::string(s);
        if (f.type && f.type->kind == TypeKind::kNumber)
          return fail("field '" + f.name + "' must be a JSON number, not a string");
        if (f.type && f.type->kind == TypeKind::kBool)
          return fail("field '" + f.name + "' must be true or false");
        if (!FromText(field, s, rec, error)) return false;
        break;
      }
      case ondemand::json_type::number: {
        if (!f.type || f.type->kind != TypeKind::kNumber)
          return fail("field '" + f.name + "' must not be a number");
        std::string_view token = value.raw_json_token();
        if (!SetNumber(field, token, rec, error)) return false;
        break;
      }
      case ondemand::json_type::boolean: {
        bool b;
        if (value.get_bool().get(b)) return fail("not valid JSON (boolean)");
        if (!f.type || f.type->kind != TypeKind::kBool)
          return fail("field '" + f.name + "' must not be true/false");
        rec->values[field] = Value::Bool(b);
        break;
      }
      default:
        return fail("field '" + f.name + "' must be a string, number or boolean");
    }
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == SUCCESS) return fail("not valid JSON (text after the object)");
  return Finish(rec, error);
}

bool RecordParser::SetCsvHeader(const std::vector<std::string>& columns, std::string* error) {
  csv_columns_.clear();
  for (const auto& c : columns) {
    int field = field_index_.Find(c);
    if (field < 0) {
      *error = "unknown column '" + Shorten(c) + "'";
      return false;
    }
    csv_columns_.push_back(field);
  }
  return true;
}

bool RecordParser::ParseCsv(const std::vector<std::string>& cells, interp::Record* rec, std::string* error,
                            std::string* id) {
  rec->values.assign(program_.fields.size(), Value{});
  rec->strings.clear();
  if (cells.size() != csv_columns_.size()) {
    *error =
        "expected " + std::to_string(csv_columns_.size()) + " cells, found " + std::to_string(cells.size());
    return false;
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    if (csv_columns_[i] == program_.id_field) *id = cells[i];
    if (cells[i].empty()) continue;  // an empty cell is an absent value
    if (!FromText(csv_columns_[i], cells[i], rec, error)) return false;
  }
  return Finish(rec, error);
}

// For now through the interpreter's record form; then packed.
bool RecordParser::ParseJson(std::string_view line, batch::Batch* batch, int line_no, std::string* error,
                             std::string* id) {
  if (!ParseJson(line, &scratch_, error, id)) return false;
  scratch_.line = line_no;
  if (!batch::Pack(batch->layout(), program_, scratch_, batch)) {
    batch->PopBack();
    *error = "a value does not fit the packed layout";
    return false;
  }
  return true;
}

bool RecordParser::ParseCsv(const std::vector<std::string>& cells, batch::Batch* batch, int line_no,
                            std::string* error, std::string* id) {
  if (!ParseCsv(cells, &scratch_, error, id)) return false;
  scratch_.line = line_no;
  if (!batch::Pack(batch->layout(), program_, scratch_, batch)) {
    batch->PopBack();
    *error = "a value does not fit the packed layout";
    return false;
  }
  return true;
}

bool SplitCsv(std::string_view line, std::vector<std::string>* cells) {
  cells->clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells->push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  cells->push_back(std::move(cur));
  return !quoted;
}

}  // namespace edict::io
