// `--keep COLS|all`: input columns copied into each decision, so that results join back to the rows they
// came from. In JSON output they are one object, `"input":{...}` (the decision's own keys stay as they
// are); in CSV output they are columns after the decision's, named as in the input (`input.NAME` when the
// name is one of the decision's columns).
//
// CSV input: the columns named (case-insensitively; each must be in the header), or every column of the
// header with `all`, as text. JSON Lines input: the keys named, or every key of the line with `all` (in CSV
// output: every input field of the schema), with their JSON values.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/io/csv.h"

namespace edict::io {

class KeepColumns {
 public:
  KeepColumns() = default;
  // "all", or names separated by commas; false with `error` for an empty name.
  bool Parse(std::string_view spec, std::string* error);
  bool active() const { return all_ || !names_.empty(); }

  // CSV input: finds the columns in the header. False with `error` for a name the header lacks.
  bool UseCsvHeader(std::span<const std::string_view> header, std::string* error);
  // JSON Lines input: with `all`, CSV output shows the program's input fields.
  void UseJson(const ir::Program& program);

  // The CSV output header's extra cells, each after a comma; `taken`: the decision's own columns.
  std::string CsvHeaderCells(std::span<const std::string> taken) const;

 private:
  friend class KeepWriter;
  bool all_ = false;
  bool csv_ = false;
  std::vector<std::string> names_;   // as given, or (CSV input, all; JSON input, all) filled in
  std::vector<int> columns_;         // CSV input: each name's column in the header
  std::vector<std::string> header_;  // CSV input: the header's names
};

// One per worker: the kept values of one record, appended to its decision.
class KeepWriter {
 public:
  KeepWriter(const KeepColumns& columns, bool json_output);
  ~KeepWriter();

  // Reads the kept values of `record` (a CSV record, or a JSON line). Values a record does not have (an
  // invalid line, a key not given) are left out of JSON and empty in CSV.
  void Read(std::string_view record);
  // `out` ends with a JSON object: the kept values go in as its last key, "input".
  void AppendJson(std::string& out) const;
  // `out` ends with a CSV row: the kept values follow as cells.
  void AppendCsv(std::string& out) const;

 private:
  struct Json;
  const KeepColumns& columns_;
  bool json_output_;
  CsvCells cells_;
  std::unique_ptr<Json> json_;
  std::vector<std::pair<std::string, std::string>> object_;  // JSON output: (key, JSON value)
  std::vector<std::string> row_;                             // CSV output: one per kept column
};

}  // namespace edict::io
