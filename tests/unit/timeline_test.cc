// Which entry of a timeline decides a date, which policy is pending (in force, compliance date not come), and
// the periods they make (runtime/interp/timeline.h; docs/language.md, "Effective and compliance dates").
#include "runtime/interp/timeline.h"

#include <gtest/gtest.h>

#include <climits>
#include <memory>

#include "runtime/date.h"

namespace edict::interp {
namespace {

int D(int y, int m, int d) {
  return DaysFromCivil(y, m, d);
}

std::shared_ptr<ir::Program> Policy(const std::string& name, int from, int compliance = 0) {
  auto p = std::make_shared<ir::Program>();
  p->name = name;
  p->from = from;
  if (compliance) {
    p->has_compliance = true;
    p->compliance = compliance;
  }
  return p;
}

// old (2020), amended (effective 2021-01-01, compliance 2021-06-01), letter (2021-03-01), later (2022).
ir::Program Timeline(int amended_compliance = D(2021, 6, 1)) {
  ir::Program t;
  t.name = "timeline";
  for (auto [from, p] : {std::pair{D(2020, 1, 1), Policy("old", D(2020, 1, 1))},
                         std::pair{D(2021, 1, 1), Policy("amended", D(2021, 1, 1), amended_compliance)},
                         std::pair{D(2021, 3, 1), Policy("letter", D(2021, 3, 1))},
                         std::pair{D(2022, 1, 1), Policy("later", D(2022, 1, 1))}}) {
    ir::TimelineEntry e;
    e.from = from;
    e.program = p;
    t.timeline.push_back(e);
  }
  return t;
}

std::string Deciding(const ir::Program& t, int date) {
  const ir::TimelineEntry* e = EntryInForce(t, date);
  return e ? e->program->name : "(none)";
}

std::string Pending(const ir::Program& t, int date) {
  const ir::Program* p = CompliancePending(t, date);
  return p ? p->name : "(none)";
}

TEST(Timeline, AnEntryIsPassedOverUntilItsComplianceDate) {
  ir::Program t = Timeline();
  EXPECT_EQ(Deciding(t, D(2019, 12, 31)), "(none)");
  EXPECT_EQ(Deciding(t, D(2020, 12, 31)), "old");
  EXPECT_EQ(Pending(t, D(2020, 12, 31)), "(none)");
  EXPECT_EQ(Deciding(t, D(2021, 1, 1)), "old");  // the effective date: the policy it amends decides
  EXPECT_EQ(Pending(t, D(2021, 1, 1)), "amended");
  EXPECT_EQ(Deciding(t, D(2021, 2, 28)), "old");
  EXPECT_EQ(Pending(t, D(2021, 2, 28)), "amended");
  // A later entry that binds supersedes the pending one.
  EXPECT_EQ(Deciding(t, D(2021, 3, 1)), "letter");
  EXPECT_EQ(Pending(t, D(2021, 3, 1)), "(none)");
  EXPECT_EQ(Deciding(t, D(2021, 6, 1)), "letter");
  EXPECT_EQ(Deciding(t, D(2022, 1, 1)), "later");
}

TEST(Timeline, TheComplianceDateItselfBinds) {
  ir::Program t = Timeline();
  t.timeline.erase(t.timeline.begin() + 2);  // no letter
  EXPECT_EQ(Deciding(t, D(2021, 5, 31)), "old");
  EXPECT_EQ(Pending(t, D(2021, 5, 31)), "amended");
  EXPECT_EQ(Deciding(t, D(2021, 6, 1)), "amended");
  EXPECT_EQ(Pending(t, D(2021, 6, 1)), "(none)");
  EXPECT_EQ(Deciding(t, D(2021, 6, 2)), "amended");
}

TEST(Timeline, AFirstEntryBeforeItsComplianceDateLeavesNoPolicyInForce) {
  ir::Program t = Timeline();
  t.timeline.erase(t.timeline.begin());  // no old
  EXPECT_EQ(Deciding(t, D(2021, 2, 1)), "(none)");
  EXPECT_EQ(Pending(t, D(2021, 2, 1)), "amended");
}

TEST(Timeline, AComplianceDateBeforeTheEntryChangesNothing) {
  ir::Program t = Timeline(D(2020, 6, 1));
  EXPECT_EQ(Deciding(t, D(2021, 1, 1)), "amended");
  EXPECT_EQ(Pending(t, D(2021, 1, 1)), "(none)");
}

TEST(Timeline, APolicyAloneIsPendingBetweenItsTwoDates) {
  auto p = Policy("alone", D(2021, 1, 1), D(2021, 6, 1));
  EXPECT_EQ(CompliancePending(*p, D(2020, 12, 31)), nullptr);  // not in force yet
  EXPECT_EQ(CompliancePending(*p, D(2021, 1, 1)), p.get());
  EXPECT_EQ(CompliancePending(*p, D(2021, 5, 31)), p.get());
  EXPECT_EQ(CompliancePending(*p, D(2021, 6, 1)), nullptr);
}

TEST(Timeline, PeriodsSplitAtEffectiveAndComplianceDates) {
  ir::Program t = Timeline();
  std::vector<TimelinePeriod> periods = TimelinePeriods(t, D(2022, 12, 31));
  std::vector<std::string> got;
  for (const auto& p : periods)
    got.push_back(FormatDate(p.from) + ".." + FormatDate(p.to) + " " +
                  (p.entry ? p.entry->program->name : "-") +
                  (p.pending ? " pending " + p.pending->name : ""));
  // 2021-06-01 (the superseded entry's compliance date) changes nothing: no period starts there.
  EXPECT_EQ(got, (std::vector<std::string>{"2020-01-01..2020-12-31 old",
                                           "2021-01-01..2021-02-28 old pending amended",
                                           "2021-03-01..2021-12-31 letter", "2022-01-01..2022-12-31 later"}));
}

}  // namespace
}  // namespace edict::interp

namespace edict::interp {
namespace {

// A policy with two rules of their own compliance dates, as lowering leaves them: `from` is the compliance
// date, `in_force_from` the date the rule came into force, and the edges are every date where the pending set
// changes.
ir::Program WithPendingRules() {
  ir::Program p;
  p.name = "rules";
  auto rule = [&](const std::string& id, int in_force, int compliance, int until) {
    ir::Rule r;
    r.id = r.name = id;
    r.has_compliance = true;
    r.in_force_from = in_force;
    r.from = compliance;
    r.until = until;
    p.rules.push_back(r);
  };
  ir::Rule plain;
  plain.id = plain.name = "plain";
  p.rules.push_back(plain);
  rule("later", D(2025, 1, 13), D(2025, 5, 15), INT_MAX);
  rule("ends", D(2025, 3, 1), D(2025, 6, 1), D(2025, 4, 30));  // withdrawn before compliance was ever due
  p.rule_compliance_edges = {D(2025, 1, 13), D(2025, 3, 1), D(2025, 5, 1), D(2025, 5, 15), D(2025, 6, 1)};
  return p;
}

TEST(PendingRules, ARuleIsPendingFromItsInForceDateToTheDayBeforeItsComplianceDate) {
  ir::Program p = WithPendingRules();
  EXPECT_EQ(PendingRules(p, D(2025, 1, 12)), std::vector<int>{});
  EXPECT_EQ(PendingRules(p, D(2025, 1, 13)), std::vector<int>{1});
  EXPECT_EQ(PendingRules(p, D(2025, 3, 1)), (std::vector<int>{1, 2}));
  EXPECT_EQ(PendingRules(p, D(2025, 4, 30)), (std::vector<int>{1, 2}));
  EXPECT_EQ(PendingRules(p, D(2025, 5, 1)), std::vector<int>{1});  // `ends` is out of force
  EXPECT_EQ(PendingRules(p, D(2025, 5, 14)), std::vector<int>{1});
  EXPECT_EQ(PendingRules(p, D(2025, 5, 15)), std::vector<int>{});  // binding from its compliance date
}

TEST(PendingRules, ThePeriodChangesExactlyWhereThePendingRulesDo) {
  ir::Program p = WithPendingRules();
  for (int day = D(2025, 1, 1); day < D(2025, 7, 1); ++day)
    for (int other = day + 1; other < D(2025, 7, 1); other += 7) {
      if (PendingRulesPeriod(p, day) == PendingRulesPeriod(p, other)) {
        EXPECT_EQ(PendingRules(p, day), PendingRules(p, other))
            << FormatDate(day) << " " << FormatDate(other);
      }
    }
  ir::Program none;
  EXPECT_EQ(PendingRulesPeriod(none, D(2025, 3, 1)), 0);
  EXPECT_TRUE(PendingRules(none, D(2025, 3, 1)).empty());
}

}  // namespace
}  // namespace edict::interp
