// The front end: source text -> AST. The only part of edict that sees ANTLR; it never throws.
#pragma once

#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostics.h"

namespace edict::frontend {

// Parses one file. Syntax errors go to `diags` (E0001-E0009) with the span of the offending token; the
// returned module holds whatever declarations could be built (it is non-null even when errors were reported).
std::unique_ptr<ast::Module> ParseModule(const SourceFile& file, DiagnosticList& diags);

}  // namespace edict::frontend
