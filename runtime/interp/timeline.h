// Which policy of a timeline decides a date, and which policy's compliance date has not come yet
// (docs/language.md, "Effective and compliance dates"). Every engine, the diff and the generated documents
// dispatch through these, so they cannot disagree.
#pragma once

#include <vector>

#include "compiler/ir/ir.h"

namespace edict::interp {

// The first day an entry's policy binds: its `from`, or its policy's compliance date when that is later.
int BindingFrom(const ir::TimelineEntry& entry);

// The entry of a timeline that decides `date`: the last whose policy binds on it (`from` and compliance date
// on or before it). An entry whose compliance date is later is passed over, so the policy it amends (the
// binding entry before it) decides; null when no entry binds (no policy in force).
const ir::TimelineEntry* EntryInForce(const ir::Program& timeline, int date);

// A policy in force on `date` whose compliance date is later, or null. For a timeline: the last entry passed
// over by EntryInForce. For a policy alone: the policy itself, which then decides by its own rules.
const ir::Program* CompliancePending(const ir::Program& program, int date);

// The rules of `program` (not a timeline: the policy that decided) in force on `date` whose compliance date
// is later: they do not bind yet, so no engine applies them, and a decision names them. Ascending indices.
std::vector<int> PendingRules(const ir::Program& program, int date);

// A number that is the same for two dates exactly when PendingRules is (the period between compliance edges);
// 0 for every date of a program without rule compliance dates. Caches of decision texts key on it; on a
// timeline it separates the periods of every policy it applies.
int PendingRulesPeriod(const ir::Program& program, int date);

// A timeline cut into the periods in which the same entry decides and the same policy is pending, from its
// first entry's `from` up to `until` (inclusive); `entry` is null in a period where no entry binds yet.
struct TimelinePeriod {
  int from = 0, to = 0;
  const ir::TimelineEntry* entry = nullptr;
  const ir::Program* pending = nullptr;
};
std::vector<TimelinePeriod> TimelinePeriods(const ir::Program& timeline, int until);

}  // namespace edict::interp
