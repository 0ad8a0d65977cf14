// Queries typed as JSON objects (as in `edict explain --shipment`): which input is one, the id and date the
// session adds to them, and where in the typed text a reader's error belongs.
#pragma once

#include <string>
#include <string_view>

#include "tools/repl/query.h"

namespace edict::repl {

// `text` with "id" and, when `defaults.has_date`, "date" added where its object has no such key (the keys are
// read by a JSON parser, so values such as "id" do not count). Unchanged when it is not a JSON object: the
// record reader then says what is wrong with it.
std::string WithDefaults(std::string_view text, const QueryDefaults& defaults);

// The bytes of `text` that the record reader's `error` is about: the value of the field it names, or the key
// of an unknown field, or the closing brace when a field is missing. [0, first line's end) otherwise.
struct ByteRange {
  size_t begin = 0, end = 0;
};
ByteRange ErrorRange(std::string_view text, const std::string& error);

}  // namespace edict::repl
