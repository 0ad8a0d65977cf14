// A readable dump of IR expressions and rules, for `edict check --dump-ir` and for debugging lowering.
#pragma once

#include <string>

#include "compiler/ir/ir.h"

namespace edict::ir {

std::string DumpExpr(const Program& p, const Expr& e);
std::string DumpProgram(const Program& p);

}  // namespace edict::ir
