// Kinds the language itself defines, spelled once for the AST and the decision IR (lowering copies them).
#pragma once

namespace edict {

// The four decisions, in increasing severity (ir::Program::Severity ranks them in this order).
enum class OutcomeKind { kNoLicenseRequired, kLicenseException, kLicenseRequired, kProhibited };

// The steps of a test written in the language. `assert` checks a condition that needs no shipment (a fact
// about constants, sets and functions), so a policy can test its data without a rule that never applies.
enum class TestStepKind { kGiven, kShip, kAsOf, kExpect, kAssert };

}  // namespace edict
