#include "runtime/interp/timeline.h"

#include <algorithm>
#include <climits>
#include <set>

namespace edict::interp {

int BindingFrom(const ir::TimelineEntry& entry) {
  const ir::Program* p = entry.program.get();
  return p && p->has_compliance ? std::max(entry.from, p->compliance) : entry.from;
}

namespace {

// Index of the entry that decides `date`, or -1.
int DecidingIndex(const ir::Program& timeline, int date) {
  int found = -1;
  for (size_t k = 0; k < timeline.timeline.size(); ++k)
    if (BindingFrom(timeline.timeline[k]) <= date) found = static_cast<int>(k);
  return found;
}

}  // namespace

const ir::TimelineEntry* EntryInForce(const ir::Program& timeline, int date) {
  int k = DecidingIndex(timeline, date);
  return k < 0 ? nullptr : &timeline.timeline[k];
}

const ir::Program* CompliancePending(const ir::Program& program, int date) {
  if (program.timeline.empty())
    return program.has_compliance && date >= program.from && date <= program.until &&
                   date < program.compliance
               ? &program
               : nullptr;
  // Entries after the deciding one that have begun are, by construction, before their compliance date.
  const ir::Program* pending = nullptr;
  for (size_t k = DecidingIndex(program, date) + 1; k < program.timeline.size(); ++k)
    if (program.timeline[k].from <= date) pending = program.timeline[k].program.get();
  return pending;
}

std::vector<int> PendingRules(const ir::Program& program, int date) {
  std::vector<int> out;
  if (program.rule_compliance_edges.empty()) return out;
  for (size_t i = 0; i < program.rules.size(); ++i) {
    const ir::Rule& r = program.rules[i];
    if (r.has_compliance && !r.withdrawn && r.in_force_from <= date && date < r.from && date <= r.until)
      out.push_back(static_cast<int>(i));
  }
  return out;
}

int PendingRulesPeriod(const ir::Program& program, int date) {
  const auto& edges = program.rule_compliance_edges;
  return static_cast<int>(std::upper_bound(edges.begin(), edges.end(), date) - edges.begin());
}

std::vector<TimelinePeriod> TimelinePeriods(const ir::Program& timeline, int until) {
  std::vector<TimelinePeriod> out;
  if (timeline.timeline.empty()) return out;
  std::set<int> starts;
  for (const ir::TimelineEntry& e : timeline.timeline) {
    if (e.from <= until) starts.insert(e.from);
    if (BindingFrom(e) <= until) starts.insert(BindingFrom(e));
  }
  for (auto it = starts.begin(); it != starts.end(); ++it) {
    auto next = std::next(it);
    TimelinePeriod period{*it, next == starts.end() ? until : *next - 1, EntryInForce(timeline, *it),
                          CompliancePending(timeline, *it)};
    // Two starts may give the same deciding entry and pending policy (an entry whose compliance date is
    // its `from`): one period.
    if (!out.empty() && out.back().entry == period.entry && out.back().pending == period.pending)
      out.back().to = period.to;
    else
      out.push_back(period);
  }
  return out;
}

}  // namespace edict::interp
