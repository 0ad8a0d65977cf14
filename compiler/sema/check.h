// The checker: name resolution and type checking over a loaded program. It annotates the AST (Expr::sema,
// Decl::type) and reports E02xx (names), E03xx (types) and E04xx (rules, quotas, tests). It never evaluates.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostics.h"
#include "compiler/sema/load.h"

namespace edict::sema {

// What later passes need from checking, besides the annotated AST.
struct CheckedProgram {
  const LoadedProgram* loaded = nullptr;
  const ast::Decl* schema = nullptr;        // the query schema (one per program)
  std::vector<const ast::Decl*> enums;      // enums and tables, indexed by Decl::sema_index
  std::vector<const ast::Decl*> quotas;     // indexed by Decl::sema_index
  std::vector<const ast::Decl*> functions;  // in an order where callees come first
  std::vector<int> schema_order;            // schema field indices: each after the fields it reads
  const ast::Decl* review_enum = nullptr;   // ear.outcomes review_policy
  const ast::Decl* symbol_enum = nullptr;   // ear.outcomes exception_symbol
  const ast::Decl* timeline = nullptr;
  std::set<std::string> count_units;  // units declared `count`
};

bool Check(LoadedProgram& program, DiagnosticList& diags, CheckedProgram* out);

// Every diagnostic code with a one-line description (for `edict check --explain-codes` and the golden tests).
const std::vector<std::pair<std::string, std::string>>& DiagnosticCodes();

}  // namespace edict::sema
