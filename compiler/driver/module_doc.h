// The reference of a stdlib module (`edict doc` on a file that starts with `module`): what it declares, for policy
// authors who should never need to read stdlib source. Every unit, enumeration (with its members), set (as written
// and with its members worked out), constant (with its value), record, table (every row with its figures, sources
// and notes), function (signature, doc, body as written) and schema field. Committed as docs/stdlib/NAME.md and
// checked by tests/doc. Deterministic: no absolute paths, no timestamps.
#pragma once

#include <string>

#include "compiler/ir/ir.h"
#include "compiler/sema/load.h"

namespace edict::driver {

// `program` is the module compiled on its own (its constants and sets folded); `loaded` its AST.
std::string ModuleDocMarkdown(const ir::Program& program, const sema::LoadedProgram& loaded);

}  // namespace edict::driver
