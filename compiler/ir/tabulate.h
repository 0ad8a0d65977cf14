// Tabulation: an IR-to-IR pass after lowering. A sub-expression whose only input is one enum field (say the
// ECCN of the shipped item, which compares and divides catalog rationals) has one value per member of that
// enum; it is evaluated for every member at compile time, by the reference evaluator, and replaced by a
// lookup in the resulting column. Every engine then reads one array cell where it walked the expression.
#pragma once

#include "compiler/ir/ir.h"

namespace edict::ir {

// Rewrites `p`'s field formulas and defaults, rule conditions, notify expressions and quota measures and keys
// in place. An expression is left as written when any member's value is an error (division by zero,
// overflow): the error must still be raised, with its location, when a shipment reaches it. Returns how many
// expressions were tabulated.
int Tabulate(Program& p);

}  // namespace edict::ir
