// Shipment input: JSON Lines (simdjson) and CSV, converted field by field against the program's schema. A bad
// line is reported with its number and reason; the caller goes on with the next one.
#pragma once

#include <istream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/batch/packed.h"
#include "runtime/interp/decide.h"
#include "runtime/io/name_table.h"

namespace edict::io {

class RecordParser {
 public:
  explicit RecordParser(const ir::Program& program);
  ~RecordParser();

  // One JSON object. On failure returns false with `error` set (and `id` when the line had one).
  bool ParseJson(std::string_view line, interp::Record* rec, std::string* error, std::string* id);
  // CSV: the header gives the column names, matched to the schema's fields without regard to case. A
  // column the schema does not have is left out of every row and named in `ignored` (with `strict`, it is
  // an error instead); a name given twice (in any case) is an error. Then each row's cells.
  bool SetCsvHeader(std::span<const std::string_view> columns, bool strict, std::vector<std::string>* ignored,
                    std::string* error);
  bool ParseCsv(std::span<const std::string_view> cells, interp::Record* rec, std::string* error,
                std::string* id);

  // The same, appending the shipment to a packed batch (laid out for this parser's program) instead; on
  // failure nothing is appended. `line_no` is the input line number the batch records. The slots are written
  // directly (no interp::Record, no Value, no allocation per line once the batch has room); texts go to the
  // batch's TextTable (interned where the layout says so) once the line has proved valid. Same checks and
  // messages as the record overloads, and the same bytes as those followed by batch::Pack.
  bool ParseJson(std::string_view line, batch::Batch* batch, int line_no, std::string* error,
                 std::string* id);
  bool ParseCsv(std::span<const std::string_view> cells, batch::Batch* batch, int line_no, std::string* error,
                std::string* id);

  // Whether the flat-line scanner (flat_json.h) may read a JSON line before simdjson does; on by default.
  // Off, every line goes through simdjson: tests and the fuzzer compare the two.
  void set_fast_json(bool on) { fast_json_ = on; }

  // Converts text to a field's value (dates, countries, catalog ids, numbers, booleans); false with a reason.
  bool FromText(int field, std::string_view text, interp::Record* rec, std::string* error);

 private:
  // The conversion of one line, shared by the record and packed paths so that they cannot drift apart: the
  // `Sink` (reader.cc) either sets the record's Values or writes the packed record's slots.
  template <typename Sink>
  bool ParseJsonInto(std::string_view line, Sink& sink, std::string* error, std::string* id);
  // The common flat line without simdjson (flat_json.h): true when read; false when the scanner declined or
  // the line has an error, after which the caller reads it again with ParseJsonInto on a clean sink.
  template <typename Sink>
  bool FastJsonInto(std::string_view line, Sink& sink, std::string* id);
  template <typename Sink>
  bool ParseCsvInto(std::span<const std::string_view> cells, Sink& sink, std::string* error, std::string* id);
  template <typename Sink>
  bool ConvertText(int field, std::string_view text, Sink& sink, std::string* error);
  template <typename Sink>
  bool ConvertNumber(int field, std::string_view token, Sink& sink, std::string* error);
  template <typename Sink>
  bool Finish(const Sink& sink, std::string* error);

  // The packed JSON path for the usual flat line (packed_json.cc): the line scanned once (flat_json.h) and
  // each value written straight into its slot; false (nothing kept) to leave the line to the general path.
  bool FastPacked(std::string_view line, batch::Batch* batch, uint8_t* rec, std::string* id);
  void PrepareFast(const batch::PackedLayout& layout);
  // What a field's value becomes in the packed record, for FastPacked.
  struct FastField {
    enum Action : uint8_t { kDecline, kText, kEnum, kDate, kBool, kNumber };
    Action action = kDecline;  // for a value other than null
    bool derived = false, required = false;
    bool whole = false, count = false, nonnegative = false;  // a number's checks (ConvertNumber)
    bool int_slot = false;                                   // kNumber: an i64 slot, else an exact rational
    uint32_t offset = 0;
    const NameTable* members = nullptr;  // kEnum
    NameKey key;                         // the field's name, to check the name expected at a position
  };

  const ir::Program& program_;
  // Keys are views of the program's own names, so lookups of input text allocate nothing.
  NameTable field_index_;
  std::vector<NameTable> members_;  // per enum
  std::vector<int> required_;       // input fields with no default
  std::vector<uint8_t> seen_;       // per field, while reading one JSON object
  std::vector<int> csv_columns_;    // per CSV column: its field, or -1 (ignored)
  struct Json;
  std::unique_ptr<Json> json_;
  std::vector<int> text_fields_;         // fields of type text, in schema order
  std::vector<std::string_view> texts_;  // per field: a text read for the packed record, until it is kept
  std::vector<FastField> fast_;          // per field, for the layout fast_layout_
  const batch::PackedLayout* fast_layout_ = nullptr;
  uint64_t required_bits_ = 0;  // presence bits of the required fields (programs of up to 64 fields)
  std::vector<int> order_;      // the field of each member position of the last line FastPacked read
  bool fast_json_ = true;
  std::string fast_error_;  // FastJsonInto's messages, discarded (ParseJsonInto gives them)
};

}  // namespace edict::io
