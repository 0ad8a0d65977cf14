// CSV input (RFC 4180) through libcsv: where records end, and the cells of one record. docs/csv.md has the
// format as users see it.
//
// A record is one line, or several when a quoted cell holds a line break. The input is cut into records first
// (CsvRecordEnd, a scan of the quotes that agrees with libcsv's strict mode on every well-formed record), so
// that records can be numbered by their first line, split by several workers at once, and a malformed one
// reported and skipped without losing the rest of the file. Each record is then split by libcsv in strict
// mode: a double quote opens a cell, closes it, or is doubled inside it; spaces belong to the cell (RFC 4180:
// "Spaces are considered part of a field and should not be ignored").
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edict::io {

// Fed the lines of the input in order (each without its '\n'): says whether the record they belong to ends
// with the line, that is whether the line ends outside any quoted cell.
class CsvRecordEnd {
 public:
  bool Line(std::string_view line);
  // True between a line that ended inside a quoted cell and the line that closes it.
  bool open() const { return state_ == kQuoted; }

 private:
  enum State : uint8_t { kCellStart, kUnquoted, kQuoted, kQuoteInQuoted };
  State state_ = kCellStart;
};

// The cells of one record.
class CsvCells {
 public:
  CsvCells();
  ~CsvCells();
  CsvCells(const CsvCells&) = delete;
  CsvCells& operator=(const CsvCells&) = delete;

  // Splits `record` (its lines joined by '\n', without the final line break; a '\r' before that break is
  // dropped). False with `error` set when the quoting is malformed. The cells are views, valid until the
  // next Split and while `record` lives.
  bool Split(std::string_view record, std::string* error);
  std::span<const std::string_view> cells() const { return views_; }

 private:
  struct Parser;  // libcsv's state (csv.h stays out of this header)
  static void OnCell(void* data, size_t size, void* self);
  static void OnEnd(int terminator, void* self);
  bool Reset(std::string* error);

  std::unique_ptr<Parser> parser_;
  std::string data_;            // the cells libcsv gave, back to back
  std::vector<uint32_t> ends_;  // where each ends in data_
  std::vector<std::string_view> views_;
  int records_ = 0;  // records libcsv ended in this Split (more than one: a bare carriage return)
};

}  // namespace edict::io
