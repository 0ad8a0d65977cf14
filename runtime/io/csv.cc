#include "runtime/io/csv.h"

#include <csv.h>

#include <cstring>

namespace edict::io {

bool CsvRecordEnd::Line(std::string_view line) {
  // Most lines hold no quote: the state at their end is that of their start, less an unquoted cell.
  if (std::memchr(line.data(), '"', line.size()) == nullptr) {
    if (state_ == kQuoted) return false;
    state_ = kCellStart;
    return true;
  }
  for (char c : line) {
    switch (state_) {
      case kCellStart:
        state_ = c == '"' ? kQuoted : c == ',' ? kCellStart : kUnquoted;
        break;
      case kUnquoted:  // a quote here is malformed; libcsv says so when it splits the record
        if (c == ',') state_ = kCellStart;
        break;
      case kQuoted:
        if (c == '"') state_ = kQuoteInQuoted;
        break;
      case kQuoteInQuoted:  // a doubled quote, the end of the cell, or (malformed) text after the quote
        state_ = c == '"' ? kQuoted : c == ',' ? kCellStart : kUnquoted;
        break;
    }
  }
  if (state_ == kQuoted) return false;
  state_ = kCellStart;
  return true;
}

struct CsvCells::Parser {
  csv_parser p;
};

namespace {

// Nothing is a space: RFC 4180 keeps spaces in the cell.
int NoSpace(unsigned char) {
  return 0;
}

constexpr unsigned char kOptions = CSV_STRICT | CSV_STRICT_FINI;

}  // namespace

CsvCells::CsvCells() : parser_(std::make_unique<Parser>()) {
  std::string error;
  Reset(&error);
}

CsvCells::~CsvCells() {
  csv_free(&parser_->p);
}

bool CsvCells::Reset(std::string* error) {
  csv_free(&parser_->p);
  if (csv_init(&parser_->p, kOptions) != 0) {
    *error = "cannot start the CSV parser (out of memory)";
    return false;
  }
  csv_set_space_func(&parser_->p, NoSpace);
  return true;
}

void CsvCells::OnCell(void* data, size_t size, void* self) {
  auto* c = static_cast<CsvCells*>(self);
  if (size) c->data_.append(static_cast<const char*>(data), size);
  c->ends_.push_back(static_cast<uint32_t>(c->data_.size()));
}

void CsvCells::OnEnd(int, void* self) {
  ++static_cast<CsvCells*>(self)->records_;
}

bool CsvCells::Split(std::string_view record, std::string* error) {
  views_.clear();
  if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
  // Without a quote or a carriage return, libcsv's cells are the text between commas: taken as views of the
  // record, without copying (most rows of most files). tests/unit/csv_test.cc checks both ways agree.
  if (record.find_first_of("\"\r") == std::string_view::npos) {
    size_t start = 0;
    for (;;) {
      size_t comma = record.find(',', start);
      views_.push_back(record.substr(start, comma == std::string_view::npos ? comma : comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return true;
  }
  data_.clear();
  ends_.clear();
  records_ = 0;
  csv_parser* p = &parser_->p;
  bool ok = csv_parse(p, record.data(), record.size(), OnCell, OnEnd, this) == record.size();
  std::string cell = std::to_string(ends_.size() + 1);
  if (ok && csv_fini(p, OnCell, OnEnd, this) != 0) {
    *error = "cell " + cell + ": its opening quote is never closed, so the cell ran to the end of the input";
    Reset(error);
    return false;
  }
  if (!ok) {
    *error =
        csv_error(p) == CSV_EPARSE
            ? "cell " + cell + ": a double quote must open or close a quoted cell, or be doubled inside one"
            : std::string(csv_strerror(csv_error(p)));
    Reset(error);
    return false;
  }
  if (records_ != 1) {
    *error = "a carriage return outside quotes in the middle of a line (line breaks are LF or CRLF)";
    return false;
  }
  uint32_t begin = 0;
  for (uint32_t end : ends_) {
    views_.push_back(std::string_view(data_).substr(begin, end - begin));
    begin = end;
  }
  return true;
}

}  // namespace edict::io
