#include "compiler/diff/periods.h"

#include <climits>
#include <set>

#include "compiler/diff/replay.h"
#include "compiler/diff/symbolic.h"
#include "runtime/date.h"
#include "runtime/interp/timeline.h"

namespace edict::diff {

Periods::Periods(const ir::Program& old_program, const ir::Program& new_program, int date_from, int date_to) {
  std::set<int> starts = {date_from};
  for (const ir::Program* p : {&old_program, &new_program})
    for (const ir::TimelineEntry& e : p->timeline)
      // A policy decides from the day it binds (its compliance date, when later than its entry's `from`).
      for (int start : {e.from, interp::BindingFrom(e)})
        if (start > date_from && start <= date_to) starts.insert(start);
  for (auto it = starts.begin(); it != starts.end(); ++it) {
    auto next = std::next(it);
    Period period;
    period.from = *it;
    period.to = next == starts.end() ? date_to : *next - 1;
    period.old_program = InForce(old_program, period.from);
    period.new_program = InForce(new_program, period.from);
    // Neither version has a policy in force: both decide no_license_required; nothing to search.
    if (!period.old_program && !period.new_program) continue;
    auto name = [&](const ir::Program& timeline, const ir::Program* in_force) {
      std::string out = in_force ? in_force->name : "(no policy in force)";
      if (const ir::Program* q = interp::CompliancePending(timeline, period.from))
        out += " (" + q->name + " in force, compliance from " + FormatDate(q->compliance) + ")";
      return out;
    };
    if (!old_program.timeline.empty()) period.old_name = name(old_program, period.old_program);
    if (!new_program.timeline.empty()) period.new_name = name(new_program, period.new_program);
    // A start where neither version changes what decides (a compliance date of an entry already superseded,
    // say) continues the period before.
    if (!periods_.empty()) {
      Period& last = periods_.back();
      if (last.to == period.from - 1 && last.old_program == period.old_program &&
          last.new_program == period.new_program && last.old_name == period.old_name &&
          last.new_name == period.new_name) {
        last.to = period.to;
        continue;
      }
    }
    if (!period.old_program) period.old_program = NoPolicy(old_program);
    if (!period.new_program) period.new_program = NoPolicy(new_program);
    periods_.push_back(period);
  }
  PairLedgers();
}

// One pairing of ledger entries (by ledger id) for all periods, from the periods' own pairings (PairQuotas);
// then each period's uses to compare, and the mismatches.
void Periods::PairLedgers() {
  std::map<std::string, std::string> old_to_new, new_to_old;
  auto when = [](const Period& period) {
    return "from " + FormatDate(period.from) + " to " + FormatDate(period.to);
  };
  for (const Period& period : periods_) {
    const ir::Program &a = *period.old_program, &b = *period.new_program;
    for (auto [i, j] : PairQuotas(a, b)) {
      const std::string &lo = a.quotas[i].ledger_id, &ln = b.quotas[j].ledger_id;
      auto o = old_to_new.emplace(lo, ln).first;
      auto n = new_to_old.emplace(ln, lo).first;
      std::string tail =
          ": the versions keep their ledgers apart differently across periods, so what a shipment "
          "consumes in one period reaches later shipments of another differently (not compared)";
      if (o->second != ln)
        mismatches_.push_back("OLD's quota " + lo + " is NEW's " + ln + " " + when(period) + " but NEW's " +
                              o->second + " in another period" + tail);
      else if (n->second != lo)
        mismatches_.push_back("NEW's quota " + ln + " is OLD's " + lo + " " + when(period) + " but OLD's " +
                              n->second + " in another period" + tail);
    }
  }
  auto find = [](const ir::Program& p, const std::string& ledger_id) {
    for (size_t k = 0; k < p.quotas.size(); ++k)
      if (p.quotas[k].ledger_id == ledger_id) return static_cast<int>(k);
    return -1;
  };
  for (Period& period : periods_) {
    const ir::Program &a = *period.old_program, &b = *period.new_program;
    period.uses = PairQuotas(a, b);
    std::set<int> old_done, new_done;
    for (auto [i, j] : period.uses) old_done.insert(i), new_done.insert(j);
    for (size_t i = 0; i < a.quotas.size(); ++i) {
      auto it = old_to_new.find(a.quotas[i].ledger_id);
      if (old_done.count(static_cast<int>(i)) || it == old_to_new.end()) continue;
      if (find(b, it->second) >= 0) {
        mismatches_.push_back("OLD's quota " + a.quotas[i].ledger_id + " and NEW's " + it->second +
                              " are one ledger entry in another period, but " + when(period) +
                              " their keys or period differ (not compared)");
        continue;
      }
      period.uses.emplace_back(static_cast<int>(i), -1);
    }
    for (size_t j = 0; j < b.quotas.size(); ++j) {
      auto it = new_to_old.find(b.quotas[j].ledger_id);
      if (new_done.count(static_cast<int>(j)) || it == new_to_old.end()) continue;
      if (find(a, it->second) >= 0) continue;  // reported from OLD's side above
      period.uses.emplace_back(-1, static_cast<int>(j));
    }
  }
}

// The timeline's schema, deciding nothing: before its first entry a timeline decides no_license_required
// whatever rules it imports (it dispatches before any rule is looked at).
const ir::Program* Periods::NoPolicy(const ir::Program& timeline) {
  auto p = std::make_unique<ir::Program>(timeline);
  p->timeline.clear();
  p->tests.clear();
  p->rules.clear();
  p->roots.clear();
  p->quotas.clear();
  p->from = INT_MIN;
  p->until = INT_MAX;
  stand_ins_.push_back(std::move(p));
  return stand_ins_.back().get();
}

}  // namespace edict::diff
