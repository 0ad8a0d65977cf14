// Soundness check of the behavioural diff: a witness shipment is decided by the reference interpreter on both
// versions, with a ledger seeded so that each quota had consumed, before the shipment, what the witness says.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/diff/behaviour.h"
#include "compiler/ir/ir.h"

namespace edict::diff {

struct ReplaySide {
  std::string outcome;  // "error (conflicting rules)" / "error: MESSAGE" when the decision is an error
  std::vector<std::string> rules;
  std::map<std::string, Rational> uses;  // quota id -> what the shipment adds to its ledger entry
};

struct ReplayResult {
  bool differ = false;  // the outcomes differ, or what the shipment adds to a paired quota does
  std::string old_outcome, new_outcome;
  std::vector<std::string> old_rules, new_rules;
  std::vector<std::string> old_uses, new_uses;  // "quota amount", set when the quota uses differ
};

// The policy `p` applies to a shipment dated `date`: `p` itself, or for a timeline the policy in force then
// (null before its first entry).
const ir::Program* InForce(const ir::Program& p, int date);

// Either version may be a timeline: the witness is decided as `edict eval` would, through its date dispatch.
// `uses`: the quotas whose use must be alike, as (old, new) indices into the two policies in force (-1: that
// policy lacks it; see Period::uses); when null, those of the witness's period (periods.h), which for two
// plain policies are PairQuotas of the two.
ReplayResult Replay(const ir::Program& old_program, const ir::Program& new_program, const Witness& witness,
                    const std::vector<std::pair<int, int>>* uses = nullptr);

// One version's decision of the witness; `is_old` picks the witness's ledger entries for that version.
// `decide` is the engine (the interpreter when null).
ReplaySide ReplayOne(const ir::Program& p, bool is_old, const Witness& w, const Decider& decide = nullptr);

}  // namespace edict::diff
