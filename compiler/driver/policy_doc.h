// Human-readable policy summaries: Markdown rendered from a compiled program (header, rules with their
// exceptions nested, conditions as written, outcomes, quotas, withdrawals, tests, a timeline's periods). Used
// by `edict doc` and the committed docs/policies/NAME.md. The output is deterministic: no paths beyond file
// names, no timestamps.
#pragma once

#include <string>

#include "compiler/ir/ir.h"
#include "compiler/sema/load.h"

namespace edict::driver {

// `loaded` is the program's AST as loaded by sema::LoadProgram; it supplies what the IR does not keep (the
// headers of the policies built upon, `withdraw` and `replaces` declarations, quota measures). It may be
// null: those parts are then rendered from the IR alone.
std::string PolicyDocMarkdown(const ir::Program& program, const sema::LoadedProgram* loaded);

}  // namespace edict::driver
