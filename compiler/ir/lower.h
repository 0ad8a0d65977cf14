// Lowering: checked AST -> decision IR. Inlines functions, folds constants (with the reference evaluator),
// links exceptions to rules, applies withdrawals and replacements of imported policies, and lowers the tests.
#pragma once

#include <memory>

#include "compiler/diag/diagnostics.h"
#include "compiler/ir/ir.h"
#include "compiler/sema/check.h"

namespace edict::ir {

// Reports E05xx (rule references) and E0601 (a constant that cannot be evaluated). Returns null on error.
// Timeline entries are listed with their paths; the driver compiles and attaches their programs.
std::shared_ptr<Program> Lower(const sema::CheckedProgram& checked, DiagnosticList& diags);

}  // namespace edict::ir
