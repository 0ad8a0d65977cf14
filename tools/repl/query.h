// The short form of a shipment query, read like a test step:
//   ship 2000 nvidia-h100-sxm to IN consignee "Reliance" on 2025-03-01 [hq CC] [end use X] [with FIELD =
//   VALUE] ...
// It is parsed here, against the schema of the program that will decide it, with no compilation (fast), and
// every error carries the columns of the offending words so the REPL can put a caret under them.
#pragma once

#include <string>
#include <string_view>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"

namespace edict::repl {

struct QueryError {
  std::string message;
  std::string hint;
  int col = 0, end_col = 0;  // 0-based columns in the query's text
};

struct QueryDefaults {
  bool has_date = false;  // a date for queries that give none (the session's :as-of)
  int date = 0;
  std::string id;  // the id given to queries without `id "..."`
};

// Parses `text` (starting with the word `ship`) into `rec`, laid out for `program`'s schema. Defaults and
// derived fields are left to the interpreter. False with `error` set when the query is malformed or
// incomplete.
bool ParseShipQuery(const ir::Program& program, std::string_view text, const QueryDefaults& defaults,
                    interp::Record* rec, QueryError* error);

// The option words of the short form, for completion and help.
const std::vector<std::string>& ShipOptionWords();

}  // namespace edict::repl
