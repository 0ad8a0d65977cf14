// Why a shipment was refused, for a client to act on: the field at fault and a hint (`did you mean `DE`
// (Germany)?`, the closest catalog ids, the expected form of a date). The reader of `edict eval`
// (runtime/io/reader.h) says what is wrong; this only looks at the shipment again, after it failed.
#pragma once

#include <string>
#include <string_view>

#include "compiler/ir/ir.h"

namespace edict::serve {

struct ShipmentProblem {
  std::string message;  // the reader's
  std::string field;    // the schema field or the member at fault ("" when none is)
  std::string hint;     // "" when there is nothing to add
};

// `text` is the shipment's JSON object and `message` the reader's reason for refusing it.
ShipmentProblem Diagnose(const ir::Program& program, std::string_view text, const std::string& message);

}  // namespace edict::serve
