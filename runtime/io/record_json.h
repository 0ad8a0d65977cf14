// A parsed shipment written back as a JSON Lines input line: what a ledger records as the input of a
// shipment that was not read from a file (a REPL query), so that `edict explain --ledger` and `edict ledger
// export` read it like any other.
#pragma once

#include <string>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"

namespace edict::io {

// {"id":...,"date":"2025-06-02",...}: the id, then every input field present in `record`, in schema order
// (enum members by name, dates ISO, numbers exact). Derived fields and absent values are left out. Reading
// it back with RecordParser::ParseJson gives the same record (and the same ledger::ShipmentHash).
std::string RecordJson(const ir::Program& program, const interp::Record& record, std::string_view id);

}  // namespace edict::io
