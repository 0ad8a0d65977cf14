// A deep copy of a freshly parsed module, so that one parse can serve many compilations (sema::ParseCache).
// Only what the front end sets is copied: the checker's annotations (Expr::sema, Decl::type, sema_index,
// FieldDecl::sema_type) and the loader's Import::resolved start empty, as after a parse. Spans keep pointing
// at the original's source file.
#pragma once

#include <memory>

#include "compiler/ast/ast.h"

namespace edict::ast {

std::unique_ptr<Module> CloneParsed(const Module& module);

}  // namespace edict::ast
