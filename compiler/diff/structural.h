// Structural diff of two policy versions: what changed in the text of the policy, by declaration (rules and
// exceptions, quotas, constants, sets by member, header dates), independent of layout and declaration order.
#pragma once

#include <string>
#include <vector>

#include "compiler/diff/source.h"
#include "compiler/ir/ir.h"

namespace edict::diff {

struct Change {
  enum Kind { kAdded, kRemoved, kChanged } kind = kChanged;
  std::string what;    // "rule", "exception", "quota", "constant", "set", "header"
  std::string name;    // declaration name or rule id
  std::string detail;  // "condition", "members", "limit", ... (kChanged)
  std::string before, after;
  // When the versions are timelines: the policies of the timeline the change is in (a change to a policy
  // that others import shows in each of them); empty for the file itself.
  std::vector<std::string> in;
};

// The inputs are re-read for the declarations the IR folds away (constants and sets). For timelines, their
// entries (policy and start date) and the changes within each policy both apply.
std::vector<Change> StructuralDiff(const ir::Program& old_program, const ir::Program& new_program,
                                   const PolicyInput& old_input, const PolicyInput& new_input);

}  // namespace edict::diff
