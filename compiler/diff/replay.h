// Soundness check of the behavioural diff: a witness shipment is decided by the reference interpreter on both
// versions, with a ledger seeded so that each quota had consumed, before the shipment, what the witness says.
#pragma once

#include <string>
#include <vector>

#include "compiler/diff/behaviour.h"
#include "compiler/ir/ir.h"

namespace edict::diff {

struct ReplayResult {
  bool differ = false;
  std::string old_outcome, new_outcome;  // "error (...)" when a decision is an error
  std::vector<std::string> old_rules, new_rules;
};

ReplayResult Replay(const ir::Program& old_program, const ir::Program& new_program, const Witness& witness);

// The interpreter's outcome text for one program, or "error (conflicting rules)" / "error: MESSAGE".
std::string ReplayOne(const ir::Program& p, const Witness& w, std::vector<std::string>* rules);

}  // namespace edict::diff
