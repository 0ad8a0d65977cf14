// Human explanations of a decision: every rule considered, the values of its condition, what overrode what,
// the quota arithmetic, with citations and doc comments. Used by `edict explain`, `eval --explain` (table)
// and `:why`.
#pragma once

#include <string>

#include "runtime/interp/decide.h"

namespace edict::driver {

std::string ExplainText(const ir::Program& top, const interp::Record& record,
                        const interp::Decision& decision, const interp::Trace& trace);

// Lines saying that a policy in force on the decision's date is not yet binding (its compliance date is
// later), and which policy decided instead; "" when none is.
std::string PendingNote(const interp::Decision& d);

// One line: "license_exception(LPP, notify: true) by lpp_exception [15 CFR 740.29]".
std::string DecisionSummary(const interp::Decision& d);

}  // namespace edict::driver
