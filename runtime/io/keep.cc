#include "runtime/io/keep.h"

#include <simdjson.h>

#include <algorithm>

#include "runtime/io/writer.h"

namespace edict::io {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

bool KeepColumns::Parse(std::string_view spec, std::string* error) {
  names_.clear();
  all_ = Trim(spec) == "all";
  if (all_) return true;
  size_t start = 0;
  for (;;) {
    size_t comma = spec.find(',', start);
    std::string_view name = Trim(spec.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (name.empty()) {
      *error =
          "--keep: an empty column name in '" + std::string(spec) + "' (names separated by commas, or all)";
      return false;
    }
    names_.emplace_back(name);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return true;
}

bool KeepColumns::UseCsvHeader(std::span<const std::string_view> header, std::string* error) {
  csv_ = true;
  header_.clear();
  for (std::string_view h : header) header_.emplace_back(Trim(h));
  if (all_) {
    names_ = header_;
    columns_.resize(header_.size());
    for (size_t i = 0; i < header_.size(); ++i) columns_[i] = static_cast<int>(i);
    return true;
  }
  columns_.clear();
  for (const std::string& name : names_) {
    auto at = std::find_if(header_.begin(), header_.end(),
                           [&](const std::string& h) { return Lower(h) == Lower(name); });
    if (at == header_.end()) {
      *error = "--keep: the input has no column '" + name + "'";
      return false;
    }
    columns_.push_back(static_cast<int>(at - header_.begin()));
  }
  for (size_t i = 0; i < names_.size(); ++i) names_[i] = header_[columns_[i]];  // the header's spelling
  return true;
}

void KeepColumns::UseJson(const ir::Program& program) {
  csv_ = false;
  if (!all_) return;
  names_.clear();
  for (const ir::Field& f : program.fields)
    if (f.kind != ir::Field::kDerived) names_.push_back(f.name);
}

std::string KeepColumns::CsvHeaderCells(std::span<const std::string> taken) const {
  std::string out;
  for (const std::string& name : names_) {
    bool clash = std::any_of(taken.begin(), taken.end(),
                             [&](const std::string& t) { return Lower(t) == Lower(name); });
    out += "," + CsvCell(clash ? "input." + name : name);
  }
  return out;
}

struct KeepWriter::Json {
  simdjson::ondemand::parser parser;
  std::string buffer;
};

KeepWriter::KeepWriter(const KeepColumns& columns, bool json_output)
    : columns_(columns), json_output_(json_output), json_(std::make_unique<Json>()) {}

KeepWriter::~KeepWriter() = default;

void KeepWriter::Read(std::string_view record) {
  object_.clear();
  row_.assign(columns_.names_.size(), std::string());
  if (columns_.csv_) {
    std::string error;
    if (!cells_.Split(record, &error) || cells_.cells().size() != columns_.header_.size()) return;
    for (size_t i = 0; i < columns_.columns_.size(); ++i) {
      std::string_view cell = cells_.cells()[columns_.columns_[i]];
      if (json_output_)
        object_.emplace_back(JsonEscape(columns_.names_[i]), JsonEscape(cell));
      else
        row_[i] = std::string(cell);
    }
    return;
  }
  using namespace simdjson;
  json_->buffer.assign(record.data(), record.size());
  json_->buffer.append(SIMDJSON_PADDING, ' ');
  ondemand::document doc;
  ondemand::object obj;
  if (json_->parser.iterate(json_->buffer.data(), record.size(), json_->buffer.size()).get(doc) ||
      doc.get_object().get(obj))
    return;
  auto fail = [&] {
    object_.clear();
    row_.assign(columns_.names_.size(), std::string());
  };
  for (auto member : obj) {
    std::string_view key;
    ondemand::value value;
    ondemand::json_type type;
    if (member.unescaped_key().get(key) || member.value().get(value) || value.type().get(type)) return fail();
    auto at = std::find(columns_.names_.begin(), columns_.names_.end(), key);
    bool wanted = at != columns_.names_.end() || (columns_.all_ && json_output_);
    if (!wanted) continue;  // on demand: an unread value is skipped
    std::string_view raw;   // the value's JSON text
    std::string text;       // as a CSV cell
    switch (type) {
      case ondemand::json_type::object: {
        ondemand::object o;
        if (value.get_object().get(o) || o.raw_json().get(raw)) return fail();
        text = std::string(raw);
        break;
      }
      case ondemand::json_type::array: {
        ondemand::array a;
        if (value.get_array().get(a) || a.raw_json().get(raw)) return fail();
        text = std::string(raw);
        break;
      }
      case ondemand::json_type::string: {
        raw = Trim(value.raw_json_token());
        std::string_view s;
        if (value.get_string().get(s)) return fail();
        text = std::string(s);
        break;
      }
      case ondemand::json_type::null:
        raw = "null";
        break;
      default:
        raw = Trim(value.raw_json_token());
        text = std::string(raw);
        break;
    }
    if (json_output_)
      object_.emplace_back(JsonEscape(key), std::string(raw));
    else
      row_[static_cast<size_t>(at - columns_.names_.begin())] = std::move(text);
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == SUCCESS) fail();  // text after the object
}

void KeepWriter::AppendJson(std::string& out) const {
  if (out.empty() || out.back() != '}') return;
  out.pop_back();
  if (out.back() != '{') out.push_back(',');
  out += "\"input\":{";
  for (size_t i = 0; i < object_.size(); ++i) {
    if (i) out.push_back(',');
    out += object_[i].first;
    out.push_back(':');
    out += object_[i].second;
  }
  out += "}}";
}

void KeepWriter::AppendCsv(std::string& out) const {
  for (const std::string& cell : row_) {
    out.push_back(',');
    out += CsvCell(cell);
  }
}

}  // namespace edict::io
