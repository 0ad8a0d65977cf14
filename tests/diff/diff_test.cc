// The semantic diff: refactorings come out equivalent (proved), known changes give exactly the expected
// classes, every witness replays in the interpreter, and the CLI works on files, REV:path and --git in a
// throwaway repo.
#include "compiler/diff/diff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/diff/replay.h"
#include "compiler/driver/pipeline.h"

namespace edict::diff {
namespace {

const std::string kFixtures = std::string(EDICT_SOURCE_DIR) + "/tests/diff/fixtures/";
const std::string kPolicies = std::string(EDICT_SOURCE_DIR) + "/policies/";

DiffReport Diff(const std::string& a, const std::string& b, BehaviourOptions options = {}) {
  PolicyInput old_in{a, a, std::nullopt, ""}, new_in{b, b, std::nullopt, ""};
  DiffReport report;
  std::string error;
  EXPECT_TRUE(RunDiff(old_in, new_in, options, &report, &error, false)) << error;
  return report;
}

DiffReport Fixture(const std::string& a, const std::string& b) {
  return Diff(kFixtures + a, kFixtures + b);
}

std::string Rules(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// Each class as "OLD by RULES -> NEW by RULES", sorted.
std::set<std::string> Classes(const DiffReport& r) {
  std::set<std::string> out;
  for (const auto& c : r.behaviour.classes)
    out.insert(c.old_outcome + " by " + Rules(c.old_rules) + " -> " + c.new_outcome + " by " +
               Rules(c.new_rules));
  return out;
}

std::string Field(const Witness& w, const std::string& name) {
  for (const auto& [n, v] : w.fields)
    if (n == name) return v.kind == TypeKind::kDate ? std::to_string(v.date) : v.text;
  return "";
}

// Every reported witness really is decided differently by the interpreter.
void ExpectWitnessesReplay(const DiffReport& r, const std::string& a, const std::string& b) {
  auto pa = driver::CompileFile(a, {}), pb = driver::CompileFile(b, {});
  ASSERT_TRUE(pa.ok() && pb.ok());
  for (const auto& c : r.behaviour.classes) {
    ReplayResult replay = Replay(*pa.program, *pb.program, c.witness);
    EXPECT_TRUE(replay.differ) << c.witness.ToJson();
    EXPECT_EQ(replay.old_outcome, c.old_outcome);
    EXPECT_EQ(replay.new_outcome, c.new_outcome);
    EXPECT_EQ(replay.old_rules, c.old_rules);
    EXPECT_EQ(replay.new_rules, c.new_rules);
  }
}

void ExpectEquivalent(const std::string& variant) {
  DiffReport r = Fixture("base.edict", variant);
  EXPECT_TRUE(r.behaviour.proved) << RenderText(r, false);
  EXPECT_TRUE(r.behaviour.classes.empty()) << RenderText(r, false);
  EXPECT_EQ(r.ExitCode(), 0);
}

TEST(DiffEquivalence, IdenticalPolicy) {
  ExpectEquivalent("base.edict");
}
TEST(DiffEquivalence, ReorderedRulesAndSets) {
  ExpectEquivalent("reordered.edict");
  // Declaration order is not a change; the reordered `and` parts of three conditions are.
  auto changes = Fixture("base.edict", "reordered.edict").changes;
  EXPECT_EQ(changes.size(), 3u);
  for (const auto& c : changes) EXPECT_EQ(c.detail, "condition") << c.name;
}
TEST(DiffEquivalence, RenamedConstant) {
  ExpectEquivalent("renamed_constant.edict");
  DiffReport r = Fixture("base.edict", "renamed_constant.edict");
  std::set<std::string> seen;
  for (const auto& c : r.changes) seen.insert(std::string(c.kind == Change::kAdded ? "+" : "-") + c.name);
  EXPECT_TRUE(seen.count("-small_limit") && seen.count("+lpp_cap"));
}
TEST(DiffEquivalence, SetWrittenAnotherWay) {
  ExpectEquivalent("set_rewritten.edict");
  // Same members: no structural change for the set either.
  for (const auto& c : Fixture("base.edict", "set_rewritten.edict").changes)
    EXPECT_NE(c.what, "set") << c.name;
}
TEST(DiffEquivalence, RuleSplitInTwo) {
  ExpectEquivalent("rule_split.edict");
}
TEST(DiffStructural, FunctionBodiesAreCompared) {
  // The helper function's body changes: a structural change, and a behavioural one.
  DiffReport r = Fixture("function_base.edict", "function_changed.edict");
  bool seen = false;
  for (const auto& c : r.changes)
    seen = seen || (c.what == "function" && c.name == "in_scope" && c.detail == "body");
  EXPECT_TRUE(seen) << RenderText(r, false);
  EXPECT_EQ(r.ExitCode(), 1);
}
TEST(DiffEquivalence, QuotaRenamed) {
  // Same keys and period: the renamed quota is the same ledger entry, so nothing changes for any history.
  ExpectEquivalent("quota_renamed.edict");
}

TEST(DiffKnownChanges, QuotaNoLongerConsumed) {
  // The outcome of every single shipment is the same, but LPP shipments no longer count against the quota,
  // so later shipments would fit where they did not: a difference, shown by what the shipment adds.
  DiffReport r = Fixture("base.edict", "consumption_removed.edict");
  EXPECT_TRUE(r.behaviour.proved);
  EXPECT_EQ(Classes(r), (std::set<std::string>{"license_exception(LPP, notify: true) by small_volume -> "
                                               "license_exception(LPP, notify: true) by small_volume"}));
  ASSERT_EQ(r.behaviour.classes.size(), 1u);
  const BehaviourClass& c = r.behaviour.classes[0];
  ASSERT_EQ(c.old_uses.size(), 1u);
  EXPECT_EQ(c.old_uses[0].rfind("small ", 0), 0u) << c.old_uses[0];
  EXPECT_TRUE(c.new_uses.empty());
  ExpectWitnessesReplay(r, kFixtures + "base.edict", kFixtures + "consumption_removed.edict");
  EXPECT_EQ(r.ExitCode(), 1);
}

TEST(DiffKnownChanges, ChangeAfter2100IsFound) {
  // The search covers every date the input reader accepts (to 2199-12-31), not a shorter window.
  DiffReport r = Fixture("base.edict", "far_future_sunset.edict");
  EXPECT_TRUE(r.behaviour.proved);
  EXPECT_TRUE(
      Classes(r).count("license_required(review: approval) by licence -> no_license_required by sunset"))
      << RenderText(r, false);
  for (const auto& c : r.behaviour.classes)
    EXPECT_GE(std::stoi(Field(c.witness, "date")), 65744) << c.witness.ToJson();  // 2150-01-01
  ExpectWitnessesReplay(r, kFixtures + "base.edict", kFixtures + "far_future_sunset.edict");
}

TEST(DiffKnownChanges, FractionalBoundsGiveADecimalWitness) {
  DiffReport r = Fixture("base.edict", "fractional_band.edict");
  ASSERT_FALSE(r.behaviour.classes.empty());
  for (const auto& c : r.behaviour.classes)
    EXPECT_EQ(c.witness.ToJson().find('/'), std::string::npos) << c.witness.ToJson();
  ExpectWitnessesReplay(r, kFixtures + "base.edict", kFixtures + "fractional_band.edict");
}

TEST(DiffSoundness, AWitnessThatFailsToReplayHidesNoOtherClass) {
  // NEW divides by (quantity - 5 units): the solver does not model the division by zero at 5 units, where its
  // only witnesses of one class (denial -> no licence) fail to replay. The search leaves those shipments out,
  // says so, and still finds the real class (1 to 4 units: denial -> approval by weights_small).
  DiffReport r = Fixture("base.edict", "division_by_zero.edict");
  EXPECT_FALSE(r.behaviour.proved);
  EXPECT_EQ(Classes(r), (std::set<std::string>{"license_required(review: denial) by weights -> "
                                               "license_required(review: approval) by weights_small"}))
      << RenderText(r, false);
  bool said = false;
  for (const auto& s : r.behaviour.not_covered) said = said || s.find("quantity = 5") != std::string::npos;
  EXPECT_TRUE(said) << RenderText(r, false);
  ExpectWitnessesReplay(r, kFixtures + "base.edict", kFixtures + "division_by_zero.edict");
  EXPECT_EQ(r.ExitCode(), 1);
}

TEST(DiffKnownChanges, LppThresholdLowered) {
  DiffReport r = Fixture("base.edict", "lpp_lowered.edict");
  EXPECT_TRUE(r.behaviour.proved);
  EXPECT_EQ(Classes(r), (std::set<std::string>{"license_exception(LPP, notify: true) by small_volume -> "
                                               "license_required(review: approval) by licence"}));
  // The constant and the quota limit it feeds.
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[0].what, "quota");
  EXPECT_EQ(r.changes[0].before, "26900000 tpp");
  EXPECT_EQ(r.changes[0].after, "7916000 tpp");
  EXPECT_EQ(r.changes[1].name, "small_limit");
  EXPECT_EQ(r.changes[1].before, "26_900_000 tpp");
  EXPECT_EQ(r.changes[1].after, "7_916_000 tpp");
  // The witness needs no earlier shipment: one shipment between 7,916,000 and 26,900,000 TPP shows the class,
  // so `edict eval` of the witness alone replays it.
  const Witness& w = r.behaviour.classes[0].witness;
  EXPECT_TRUE(w.consumed.empty()) << w.ToJson();
  EXPECT_EQ(r.behaviour.classes[0].values.at("destination").size() + 4 + 3 + 1,
            249u);  // all but allies, denied, US
  // Quantity and TPP of the class (for its first item, the A100 at 4,992 TPP), from an empty ledger: above
  // the new limit (1,586 x 4,992 = 7,917,312 > 7,916,000) and within the old (5,388 x 4,992 = 26,896,896).
  const auto& ranges = r.behaviour.classes[0].ranges;
  ASSERT_EQ(ranges.size(), 2u) << RenderText(r, false);
  EXPECT_EQ(r.behaviour.classes[0].split_values[0], "nvidia-a100");
  EXPECT_EQ(ranges[0].field, "quantity");
  EXPECT_EQ(ranges[0].min, "1586");
  EXPECT_EQ(ranges[0].max, "5388");
  EXPECT_EQ(ranges[1].field, "tpp");
  EXPECT_EQ(ranges[1].min, "7917312");
  EXPECT_EQ(ranges[1].max, "26896896");
  EXPECT_TRUE(ranges[0].empty_ledger && !ranges[0].unbounded);
  ExpectWitnessesReplay(r, kFixtures + "base.edict", kFixtures + "lpp_lowered.edict");
  EXPECT_EQ(r.ExitCode(), 1);
}

// An integer field without a unit may be negative (the reader accepts any 64-bit integer): the search covers
// it.
TEST(DiffKnownChanges, NegativeIntegersAreSearched) {
  DiffReport r = Fixture("signed_old.edict", "signed_new.edict");
  EXPECT_TRUE(r.behaviour.proved);
  ASSERT_EQ(r.behaviour.classes.size(), 1u) << RenderText(r, false);
  std::string x;
  for (const auto& [name, v] : r.behaviour.classes[0].witness.fields)
    if (name == "x") x = v.num.ToString();
  EXPECT_EQ(x, "-1");
  ExpectWitnessesReplay(r, kFixtures + "signed_old.edict", kFixtures + "signed_new.edict");
}

// With the budget spent, a range says it was not described instead of being left out.
TEST(DiffKnownChanges, RangesSayWhenTheBudgetIsSpent) {
  BehaviourOptions small;
  small.describe_budget = 10;
  DiffReport r = Diff(kFixtures + "base.edict", kFixtures + "lpp_lowered.edict", small);
  ASSERT_EQ(r.behaviour.classes.size(), 1u);
  std::string text = RenderText(r, false);
  EXPECT_NE(text.find("quantity (for item nvidia-a100): not described (budget spent)"), std::string::npos)
      << text;
  BehaviourOptions none;
  none.describe_budget = 0;
  int search_only = Diff(kFixtures + "base.edict", kFixtures + "lpp_lowered.edict", none).behaviour.queries;
  EXPECT_LE(r.behaviour.queries, search_only + 10) << text;  // the search's own queries plus the budget
}

// A class with no largest quantity says so ("or more"), and one that holds for any quantity lists none.
TEST(DiffKnownChanges, RangesWithoutAnUpperLimitAndWithoutAnyLimit) {
  DiffReport r = Diff(kPolicies + "advanced_computing_2023.edict", kPolicies + "ai_diffusion_2025.edict");
  bool beyond = false, any_quantity = false;
  for (const auto& c : r.behaviour.classes) {
    std::string rules = Rules(c.new_rules);
    if (c.old_outcome == "no_license_required" && rules == "beyond_allocation") {
      beyond = true;
      ASSERT_FALSE(c.ranges.empty());
      EXPECT_EQ(c.ranges[0].field, "quantity");
      EXPECT_EQ(c.ranges[0].min,
                "158254");  // 158,254 A100s: 790,003,968 TPP, the first count over 790,000,000
      EXPECT_TRUE(c.ranges[0].unbounded);
    }
    if (rules == "aia") {
      any_quantity = true;
      EXPECT_TRUE(c.ranges.empty()) << c.ranges[0].field;
    }
  }
  EXPECT_TRUE(beyond && any_quantity) << RenderText(r, false);
  EXPECT_NE(RenderText(r, false).find("quantity (for item nvidia-a100): 158254 or more"), std::string::npos);
}

TEST(DiffKnownChanges, CountryMovedBetweenGroups) {
  DiffReport r = Fixture("base.edict", "country_moved.edict");
  EXPECT_TRUE(r.behaviour.proved);
  EXPECT_EQ(Classes(r), (std::set<std::string>{"license_exception(LPP, notify: true) by small_volume -> "
                                               "license_exception(AIA, notify: true) by allied",
                                               "license_required(review: approval) by licence -> "
                                               "license_exception(AIA, notify: true) by allied"}));
  for (const auto& c : r.behaviour.classes) {
    EXPECT_EQ(c.values.at("destination"), std::vector<std::string>{"IN"});
    EXPECT_TRUE(c.values_complete.at("destination"));
  }
  bool members = false;
  for (const auto& c : r.changes) members |= c.what == "set" && c.name == "allies" && c.after == "+IN";
  EXPECT_TRUE(members);
  ExpectWitnessesReplay(r, kFixtures + "base.edict", kFixtures + "country_moved.edict");
}

TEST(DiffKnownChanges, ExceptionRemoved) {
  DiffReport r = Fixture("base.edict", "exception_removed.edict");
  EXPECT_TRUE(r.behaviour.proved);
  EXPECT_EQ(Classes(r), (std::set<std::string>{"license_exception(AIA, notify: true) by allied -> "
                                               "license_required(review: approval) by licence"}));
  EXPECT_EQ(r.behaviour.classes[0].values.at("destination"),
            (std::vector<std::string>{"DE", "FR", "GB", "JP"}));
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].kind, Change::kRemoved);
  EXPECT_EQ(r.changes[0].name, "allied");
  ExpectWitnessesReplay(r, kFixtures + "base.edict", kFixtures + "exception_removed.edict");
}

TEST(DiffKnownChanges, EffectiveDateChanged) {
  DiffReport r = Fixture("base.edict", "date_changed.edict");
  EXPECT_TRUE(r.behaviour.proved);
  EXPECT_EQ(Classes(r), (std::set<std::string>{
                            "license_exception(AIA, notify: true) by allied -> no_license_required by ",
                            "license_exception(LPP, notify: true) by small_volume -> no_license_required by ",
                            "license_required(review: approval) by licence -> no_license_required by ",
                            "license_required(review: denial) by denial -> no_license_required by ",
                            "license_required(review: denial) by weights -> no_license_required by ",
                        }));
  for (const auto& c : r.behaviour.classes) {
    int date = std::stoi(Field(c.witness, "date"));
    EXPECT_GE(date, 20101);  // 2025-01-13
    EXPECT_LE(date, 20147);  // 2025-02-28
  }
  ExpectWitnessesReplay(r, kFixtures + "base.edict", kFixtures + "date_changed.edict");
}

TEST(DiffShippedPolicies, AiDiffusionAgainstDraftAndAgainst2023) {
  for (auto [a, b] : {std::pair{"ai_diffusion_2025.edict", "licensing_regime_draft.edict"},
                      std::pair{"advanced_computing_2023.edict", "ai_diffusion_2025.edict"}}) {
    BehaviourOptions classes_only;  // the country lists are tested on the fixtures; keep CI (sanitizers) fast
    classes_only.describe_budget = 0;
    DiffReport r = Diff(kPolicies + a, kPolicies + b, classes_only);
    EXPECT_TRUE(r.behaviour.proved) << RenderText(r, false);
    // As in docs/policies/diffs.md (the second pair has 8 classes for parties headquartered in Cyprus, which the
    // 2023 headquarters test includes and AI Diffusion's Tier 3 does not).
    EXPECT_EQ(r.behaviour.classes.size(), std::string(a) == "ai_diffusion_2025.edict" ? 63u : 67u);
    EXPECT_EQ(r.behaviour.unconfirmed, 0);
    ExpectWitnessesReplay(r, kPolicies + a, kPolicies + b);
  }
}

TEST(DiffSoundness, ASecondEngineThatDisagreesIsReported) {
  // A stand-in for a broken JIT: the interpreter, but every licence comes out as no licence.
  auto pa = driver::CompileFile(kFixtures + "base.edict", {}),
       pb = driver::CompileFile(kFixtures + "lpp_lowered.edict", {});
  ASSERT_TRUE(pa.ok() && pb.ok());
  auto broken = [](const ir::Program& p) -> Decider {
    return [&p](interp::Record& r, Ledger& l, const interp::DecideOptions& o) {
      interp::Decision d = interp::Decide(p, r, l, o);
      if (d.kind == ir::OutcomeIR::kLicenseRequired) d.kind = ir::OutcomeIR::kNoLicenseRequired;
      return d;
    };
  };
  BehaviourResult honest = DiffBehaviour(*pa.program, *pb.program, {});
  BehaviourResult checked =
      DiffBehaviour(*pa.program, *pb.program, {}, broken(*pa.program), broken(*pb.program));
  EXPECT_TRUE(honest.proved);
  EXPECT_FALSE(checked.proved);
  bool said = false;
  for (const auto& n : checked.not_covered)
    said = said || n.find("decides a witness differently") != std::string::npos;
  EXPECT_TRUE(said);
  EXPECT_EQ(checked.classes.size(),
            honest.classes.size());  // the reference semantics still decide the report
}

// ---- timelines: compared period by period ----

// A copy of the shipped policies in a temporary directory, with `edit` (a sed script) applied to `file`.
class ShippedCopy {
 public:
  ShippedCopy(const std::string& tag, const std::string& file, const std::string& edit)
      : dir_(std::filesystem::temp_directory_path() /
             ("edict-diff-" + tag + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::copy(kPolicies, dir_, std::filesystem::copy_options::recursive);
    std::string command = "sed -i '" + edit + "' " + (dir_ / file).string();
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
  }
  ~ShippedCopy() { std::filesystem::remove_all(dir_); }
  std::string operator/(const std::string& file) const { return (dir_ / file).string(); }

 private:
  std::filesystem::path dir_;
};

BehaviourOptions ClassesOnly() {
  BehaviourOptions o;
  o.describe_budget = 0;  // keep CI (sanitizers) fast: the descriptions are tested on the fixtures
  return o;
}

TEST(DiffTimelines, TheShippedTimelineAgainstItselfIsProvedEquivalent) {
  DiffReport r =
      Diff(kPolicies + "us_ear_timeline.edict", kPolicies + "us_ear_timeline.edict", ClassesOnly());
  EXPECT_TRUE(r.behaviour.proved) << RenderText(r, false);
  EXPECT_TRUE(r.behaviour.classes.empty());
  EXPECT_TRUE(r.changes.empty());
  EXPECT_EQ(r.ExitCode(), 0);
  bool periods = false;
  for (const auto& a : r.behaviour.assumptions)
    periods = periods ||
              a.find("2025-04-09 to 2025-05-12: h20_letter_2025 -> h20_letter_2025") != std::string::npos;
  EXPECT_TRUE(periods) << RenderText(r, false);
}

// The H20 letter's entry from 2025-04-11 instead of 2025-04-09: every difference lies on the two days in
// between, where the old version applies the letter's policy and the new one still the October 2023 rules (AI
// Diffusion is passed over until its compliance date), and each is a difference the plain diff of those two
// policies finds too.
TEST(DiffTimelines, MovingAnEntryDateChangesOnlyTheDaysInBetween) {
  ShippedCopy moved("moved", "us_ear_timeline.edict", "s/from 2025-04-09 apply/from 2025-04-11 apply/");
  DiffReport r = Diff(kPolicies + "us_ear_timeline.edict", moved / "us_ear_timeline.edict", ClassesOnly());
  EXPECT_TRUE(r.behaviour.proved) << RenderText(r, false);
  ASSERT_FALSE(r.behaviour.classes.empty());
  EXPECT_EQ(r.ExitCode(), 1);
  std::string text = RenderText(r, false);
  EXPECT_NE(text.find("~ timeline entry h20_letter_2025 from: 2025-04-09  ->  2025-04-11"), std::string::npos)
      << text;
  DiffReport plain =
      Diff(kPolicies + "advanced_computing_2023.edict", kPolicies + "h20_letter_2025.edict", ClassesOnly());
  std::set<std::string> reversed;
  for (const auto& c : plain.behaviour.classes) reversed.insert(c.new_outcome + " -> " + c.old_outcome);
  for (const auto& c : r.behaviour.classes) {
    EXPECT_EQ(c.old_policy, "h20_letter_2025");
    EXPECT_EQ(c.new_policy,
              "advanced_computing_2023 (ai_diffusion_2025 in force, compliance from 2025-05-15)");
    int date = std::stoi(Field(c.witness, "date"));
    EXPECT_GE(date, 20187);  // 2025-04-09
    EXPECT_LE(date, 20188);  // 2025-04-10
    std::string cls = c.old_outcome + " -> " + c.new_outcome;
    EXPECT_TRUE(reversed.count(cls)) << cls << "\n" << text;
  }
  ExpectWitnessesReplay(r, kPolicies + "us_ear_timeline.edict", moved / "us_ear_timeline.edict");
}

// AI Diffusion's compliance date brought forward to 2025-02-01: from then until the H20 letter's entry
// (2025-04-08) AI Diffusion decides instead of the October 2023 rules it amends; nothing changes elsewhere.
TEST(DiffTimelines, ACompliancePeriodDecidesWithThePolicyItAmends) {
  ShippedCopy earlier("compliance", "ai_diffusion_2025.edict",
                      "s/^  compliance from 2025-05-15/  compliance from 2025-02-01/");
  DiffReport r = Diff(kPolicies + "us_ear_timeline.edict", earlier / "us_ear_timeline.edict", ClassesOnly());
  EXPECT_TRUE(r.behaviour.proved) << RenderText(r, false);
  ASSERT_FALSE(r.behaviour.classes.empty());
  std::string text = RenderText(r, false);
  bool periods = false;
  for (const auto& a : r.behaviour.assumptions)
    periods = periods || a.find(
                             "2025-02-01 to 2025-04-08: advanced_computing_2023 (ai_diffusion_2025 in force, "
                             "compliance from 2025-05-15) -> ai_diffusion_2025") != std::string::npos;
  EXPECT_TRUE(periods) << text;
  for (const auto& c : r.behaviour.classes) {
    EXPECT_EQ(c.new_policy, "ai_diffusion_2025") << text;
    int date = std::stoi(Field(c.witness, "date"));
    EXPECT_GE(date, 20120);  // 2025-02-01
    EXPECT_LE(date, 20186);  // 2025-04-08
  }
  ExpectWitnessesReplay(r, kPolicies + "us_ear_timeline.edict", earlier / "us_ear_timeline.edict");
}

// LPP lowered to 500 H100s inside AI Diffusion: the timeline never lets AI Diffusion decide (it is passed
// over until its compliance date, 2025-05-15, and withdrawn from 2025-05-13), so the change is structural
// only and the timeline's behaviour is proved unchanged.
TEST(DiffTimelines, AChangeInAPolicyThatNeverBindsChangesNoDecision) {
  ShippedCopy lowered("lowered", "ai_diffusion_2025.edict",
                      "s/^const aid_lpp_limit = 26_900_000 tpp/const aid_lpp_limit = 7_916_000 tpp/");
  DiffReport r = Diff(kPolicies + "us_ear_timeline.edict", lowered / "us_ear_timeline.edict", ClassesOnly());
  EXPECT_TRUE(r.behaviour.proved) << RenderText(r, false);
  EXPECT_TRUE(r.behaviour.classes.empty()) << RenderText(r, false);
  std::string text = RenderText(r, false);
  EXPECT_NE(text.find("~ in ai_diffusion_2025, china_case_by_case_2026, rescission_2025: "
                      "constant ai_diffusion_2025.aid_lpp_limit value: 26_900_000 tpp  ->  7_916_000 tpp"),
            std::string::npos)
      << text;
  EXPECT_EQ(r.changes.size(), 2u) << text;  // the constant and the quota's limit, each once
  EXPECT_EQ(r.ExitCode(), 0);
}

// base.edict then lpp_lowered.edict (each with its own quota), the switch moved from July to June: in June
// the old version adds to base's ledger and the new one to lpp_lowered's, so the histories part in a way
// the periods' searches cannot compare. The June class is found, and the result says what is not covered.
TEST(DiffTimelines, LedgersKeptApartDifferentlyAreNotCovered) {
  DiffReport r = Diff(kFixtures + "timeline_base.edict", kFixtures + "timeline_moved.edict");
  EXPECT_FALSE(r.behaviour.proved);
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_EQ(Classes(r), (std::set<std::string>{"license_exception(LPP, notify: true) by small_volume -> "
                                               "license_required(review: approval) by licence"}));
  for (const auto& c : r.behaviour.classes) {
    EXPECT_EQ(c.first_date, "2025-06-01");
    EXPECT_EQ(c.last_date, "2025-06-30");
  }
  bool said = false;
  for (const auto& n : r.behaviour.not_covered)
    said =
        said || n.find("OLD's quota base.small is NEW's lpp_lowered.small from 2025-06-01 to 2025-06-30") !=
                    std::string::npos;
  EXPECT_TRUE(said) << RenderText(r, false);
  ExpectWitnessesReplay(r, kFixtures + "timeline_base.edict", kFixtures + "timeline_moved.edict");
}

// A policy applied twice on a timeline keeps both entries in the structural diff.
TEST(DiffTimelines, APolicyAppliedTwiceKeepsBothEntries) {
  DiffReport r = Fixture("timeline_twice.edict", "timeline_twice_later.edict");
  std::string text = RenderText(r, false);
  EXPECT_NE(text.find("~ timeline entry base (2) from: 2025-10-01  ->  2025-11-01"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("~ timeline entry base from"), std::string::npos) << text;
  ASSERT_EQ(r.behaviour.classes.size(), 1u) << text;
  EXPECT_EQ(r.behaviour.classes[0].first_date, "2025-10-01");
  EXPECT_EQ(r.behaviour.classes[0].last_date, "2025-10-31");
}

// Only the date the timeline dispatches on is held to a period: another date field of the schema (here a
// contract date, added to a copy of the stdlib) keeps its whole range, so a change about it is found.
TEST(DiffTimelines, OnlyTheShipmentDateIsHeldToAPeriod) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("edict-diff-contract-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "old");
  fs::create_directories(dir / "new");
  fs::copy(std::string(EDICT_SOURCE_DIR) + "/stdlib", dir / "stdlib", fs::copy_options::recursive);
  ASSERT_EQ(std::system(("sed -i 's/^  optional training_ops: /  optional contract_date: date\\n&/' " +
                         (dir / "stdlib/ear/shipment.edict").string())
                            .c_str()),
            0);
  std::string header =
      "policy \"p\"\n  version \"1\"\n  source \"x\"\n  summary \"x\"\n\nimport ear.units\nimport "
      "ear.outcomes\nimport ear.groups\nimport ear.chips\nimport ear.shipment\nimport countries\n\n";
  for (const char* side : {"old", "new"}) {
    std::ofstream(dir / side / "p.edict")
        << header << "rule licence\n  cite \"c1\"\n  when eccn in advanced_ic_a\n  then "
        << "license_required(review: approval)\n\nexception old_contract to licence\n  cite \"c2\"\n  when "
        << "(contract_date otherwise 2100-01-01) < " << (std::string(side) == "old" ? "2020" : "2019")
        << "-01-01\n  then no_license_required\n";
    std::ofstream(dir / side / "tl.edict") << header << "timeline {\n  from 2025-01-01 apply \"p\"\n}\n";
  }
  std::string stdlib = (dir / "stdlib").string();
  for (const char* file : {"p.edict", "tl.edict"}) {
    PolicyInput a{"old", (dir / "old" / file).string(), std::nullopt, stdlib};
    PolicyInput b{"new", (dir / "new" / file).string(), std::nullopt, stdlib};
    DiffReport r;
    std::string error;
    ASSERT_TRUE(RunDiff(a, b, ClassesOnly(), &r, &error, false)) << error;
    EXPECT_TRUE(r.behaviour.proved) << file << "\n" << RenderText(r, false);
    ASSERT_EQ(r.behaviour.classes.size(), 1u) << file << "\n" << RenderText(r, false);
    EXPECT_EQ(r.behaviour.classes[0].old_outcome, "no_license_required");
  }
  fs::remove_all(dir);
}

// ---- the command line ----

int Shell(const std::string& command, std::string* out = nullptr) {
  std::string capture =
      std::filesystem::temp_directory_path() / ("edict-diff-test-" + std::to_string(::getpid()));
  int status = std::system(("(" + command + ") > " + capture + " 2>&1").c_str());
  std::ifstream in(capture);
  std::stringstream ss;
  ss << in.rdbuf();
  if (out) *out = ss.str();
  std::filesystem::remove(capture);
  return WEXITSTATUS(status);
}

TEST(DiffCli, ExitCodesAndFormats) {
  std::string bin = EDICT_BINARY, out;
  EXPECT_EQ(Shell(bin + " diff " + kFixtures + "base.edict " + kFixtures + "reordered.edict", &out), 0)
      << out;
  EXPECT_NE(out.find("no behavioural difference for any shipment or quota history (proved by Z3)"),
            std::string::npos)
      << out;
  EXPECT_EQ(
      Shell(bin + " diff --format json " + kFixtures + "base.edict " + kFixtures + "lpp_lowered.edict", &out),
      1);
  EXPECT_NE(out.find("\"equivalent\": false"), std::string::npos) << out;
  EXPECT_NE(out.find("\"witness\": {"), std::string::npos) << out;
  EXPECT_NE(out.find("\"replayed_by\": [\"interpreter\", \"JIT\"]"), std::string::npos) << out;
  EXPECT_EQ(
      Shell(bin + " diff --format markdown " + kFixtures + "base.edict " + kFixtures + "lpp_lowered.edict",
            &out),
      1);
  EXPECT_NE(out.find("#### Behavioural differences (1)"), std::string::npos) << out;
  EXPECT_EQ(Shell(bin + " diff " + kFixtures + "base.edict /nonexistent.edict", &out), 2);
}

TEST(DiffCli, GitRevisions) {
  namespace fs = std::filesystem;
  fs::path repo = fs::temp_directory_path() / ("edict-diff-git-" + std::to_string(::getpid()));
  fs::remove_all(repo);
  fs::create_directories(repo / "policies");
  fs::copy_file(kFixtures + "base.edict", repo / "policies" / "p.edict");
  std::string in_repo = "cd " + repo.string() + " && ";
  std::string git = "git -c user.name=t -c user.email=t@t ";
  ASSERT_EQ(Shell(in_repo + git + "init -q . && " + git + "add . && " + git + "commit -q -m one"), 0);
  fs::copy_file(kFixtures + "lpp_lowered.edict", repo / "policies" / "p.edict",
                fs::copy_options::overwrite_existing);
  ASSERT_EQ(Shell(in_repo + git + "commit -q -am two"), 0);
  std::string bin = EDICT_BINARY, out;
  EXPECT_EQ(Shell("cd " + repo.string() + " && " + bin + " diff --git HEAD~1 -- policies/p.edict", &out), 1)
      << out;
  EXPECT_NE(out.find("HEAD~1:policies/p.edict"), std::string::npos) << out;
  EXPECT_NE(out.find("by small_volume"), std::string::npos) << out;
  EXPECT_EQ(Shell("cd " + repo.string() + "/policies && " + bin + " diff --git HEAD~1 HEAD -- p.edict", &out),
            1)
      << out;
  EXPECT_EQ(
      Shell("cd " + repo.string() + " && " + bin + " diff HEAD:policies/p.edict policies/p.edict", &out), 0)
      << out;
  EXPECT_EQ(
      Shell("cd " + repo.string() + " && " + bin + " diff --git HEAD~1 -- policies/missing.edict", &out), 2);
  // As git's diff driver: `git diff` shows the semantic diff (and the driver exits 0, as git requires).
  ASSERT_EQ(Shell(in_repo + "git config diff.edict.command '" + bin + " diff --git-driver' && " +
                  "echo '*.edict diff=edict' >> .git/info/attributes"),
            0);
  EXPECT_EQ(Shell(in_repo + "git --no-pager diff HEAD~1 -- policies/p.edict", &out), 0) << out;
  EXPECT_NE(out.find("a/policies/p.edict -> b/policies/p.edict"), std::string::npos) << out;
  EXPECT_NE(out.find("license_exception(LPP, notify: true) by small_volume"), std::string::npos) << out;
  // A renamed policy (git passes 9 arguments) is still diffed semantically; a new file and a stdlib module
  // get git's textual diff; the driver always exits 0.
  ASSERT_EQ(Shell(in_repo + git + "mv policies/p.edict policies/q.edict && " + git + "commit -q -m three"),
            0);
  EXPECT_EQ(Shell(in_repo + "git --no-pager diff -M HEAD~2 HEAD", &out), 0) << out;
  EXPECT_NE(out.find("b/policies/q.edict"), std::string::npos) << out;
  EXPECT_NE(out.find("by small_volume"), std::string::npos) << out;
  fs::copy_file(kFixtures + "base.edict", repo / "policies" / "added.edict");
  ASSERT_EQ(Shell(in_repo + git + "add . && " + git + "commit -q -m four"), 0);
  EXPECT_EQ(Shell(in_repo + "git --no-pager diff HEAD~1 HEAD", &out), 0) << out;
  EXPECT_NE(out.find("a new file"), std::string::npos) << out;
  EXPECT_NE(out.find("+policy \"Diff fixture: base\""), std::string::npos) << out;
  fs::remove_all(repo);
}

// The command a reviewer runs on the shipped policy, in a repository holding the project's policies and
// stdlib: a commit lowers the LPP threshold to 500 H100s, and the diff of HEAD~1 against the working tree
// shows it.
TEST(DiffCli, GitDiffOfTheShippedPolicyAfterACommit) {
  namespace fs = std::filesystem;
  fs::path repo = fs::temp_directory_path() / ("edict-diff-shipped-" + std::to_string(::getpid()));
  fs::remove_all(repo);
  fs::create_directories(repo);
  fs::copy(std::string(EDICT_SOURCE_DIR) + "/stdlib", repo / "stdlib", fs::copy_options::recursive);
  fs::copy(std::string(EDICT_SOURCE_DIR) + "/policies", repo / "policies", fs::copy_options::recursive);
  std::string in_repo = "cd " + repo.string() + " && ";
  std::string git = "git -c user.name=t -c user.email=t@t ";
  ASSERT_EQ(Shell(in_repo + git + "init -q . && " + git + "add . && " + git + "commit -q -m one"), 0);
  ASSERT_EQ(Shell(in_repo +
                  "sed -i 's/^const aid_lpp_limit = 26_900_000 tpp/const aid_lpp_limit = 7_916_000 tpp/' "
                  "policies/ai_diffusion_2025.edict && " +
                  git + "commit -q -am 'LPP at 500 H100s'"),
            0);
  std::string bin = EDICT_BINARY, out;
  EXPECT_EQ(Shell(in_repo + bin + " diff --git HEAD~1 -- policies/ai_diffusion_2025.edict", &out), 1) << out;
  EXPECT_NE(out.find("~ constant aid_lpp_limit value: 26_900_000 tpp  ->  7_916_000 tpp"), std::string::npos)
      << out;
  EXPECT_NE(out.find("behaviour differs: 3 classes (all classes found; proved by Z3)"), std::string::npos)
      << out;
  fs::remove_all(repo);
}

// The working tree and each revision are compared with their own stdlib, and a catalog id only one version
// knows is reported (such shipments are rejected as invalid input by the other).
TEST(DiffCli, StdlibChangesAreSeen) {
  namespace fs = std::filesystem;
  fs::path repo = fs::temp_directory_path() / ("edict-diff-stdlib-" + std::to_string(::getpid()));
  fs::remove_all(repo);
  fs::create_directories(repo / "policies");
  fs::copy(std::string(EDICT_SOURCE_DIR) + "/stdlib", repo / "stdlib", fs::copy_options::recursive);
  fs::copy_file(kFixtures + "base.edict", repo / "policies" / "p.edict");
  std::string in_repo = "cd " + repo.string() + " && ";
  std::string git = "git -c user.name=t -c user.email=t@t ";
  ASSERT_EQ(Shell(in_repo + git + "init -q . && " + git + "add . && " + git + "commit -q -m one"), 0);
  // The A100 becomes a non-datacenter chip, and a new catalog row appears (a copy of the A100's).
  ASSERT_EQ(
      Shell(in_repo +
            "sed -i -e '/^  nvidia-a100: /s/datacenter: true/datacenter: false/' "
            "-e '/^  nvidia-a100: /{p;s/^  nvidia-a100: /  nvidia-a100-test: /}' stdlib/ear/chips.edict"),
      0);
  std::string bin = EDICT_BINARY, out;
  EXPECT_EQ(Shell(in_repo + bin + " diff --describe-budget 0 --git HEAD -- policies/p.edict", &out), 1)
      << out;
  EXPECT_NE(out.find("item nvidia-a100-test: known only to NEW"), std::string::npos) << out;
  EXPECT_NE(out.find("~ table row ear.chips.catalog.nvidia-a100 datacenter: true  ->  false"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("+ table row ear.chips.catalog.nvidia-a100-test"), std::string::npos) << out;
  EXPECT_EQ(Shell(in_repo + git + "commit -q -am two"), 0);
  EXPECT_EQ(Shell(in_repo + bin + " diff --describe-budget 0 --git HEAD~1 HEAD -- policies/p.edict", &out), 1)
      << out;
  EXPECT_NE(out.find("item nvidia-a100-test: known only to NEW"), std::string::npos) << out;
  EXPECT_EQ(Shell(in_repo + bin + " diff --describe-budget 0 --git HEAD -- policies/p.edict", &out), 0)
      << out;
  fs::remove_all(repo);
}

}  // namespace
}  // namespace edict::diff
