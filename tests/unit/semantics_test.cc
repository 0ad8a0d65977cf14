// The reference semantics (docs/language.md, "How the final outcome is chosen"), on small inline policies.
#include <gtest/gtest.h>

#include "compiler/driver/pipeline.h"
#include "runtime/interp/decide.h"
#include "runtime/io/reader.h"

namespace edict {
namespace {

const char* kHeader = R"(policy "semantics"
  in force from 2025-01-01 until 2025-12-31
import ear.units
import ear.outcomes
import ear.groups
import ear.chips
import ear.shipment
import countries
)";

class Semantics : public testing::Test {
 protected:
  void Compile(const std::string& body) {
    std::string text = std::string(kHeader) + body;
    compilation_ = driver::CompileFile("tests/unit/inline.edict", {}, &text);
    ASSERT_TRUE(compilation_.ok()) << RenderAll(compilation_.diags);
  }
  interp::Decision Decide(const std::string& json, bool consume = true) {
    io::RecordParser parser(*compilation_.program);
    std::string error, id;
    EXPECT_TRUE(parser.ParseJson(json, &record_, &error, &id)) << error;
    interp::DecideOptions options;
    options.consume = consume;
    return interp::Decide(*compilation_.program, record_, ledger_, options);
  }
  std::string Ship(const std::string& dest, int qty, const std::string& extra = "") {
    return R"({"id":"t","date":"2025-06-02","destination":")" + dest +
           R"(","consignee":"C","item":"nvidia-h100-sxm","quantity":)" + std::to_string(qty) + extra + "}";
  }
  std::vector<std::string> Rules(const interp::Decision& d) {
    std::vector<std::string> out;
    for (int r : d.rules) out.push_back(d.program->rules[r].id);
    return out;
  }
  driver::Compilation compilation_;
  interp::Record record_;
  MemoryLedger ledger_;
};

TEST_F(Semantics, ExceptionReplacesItsRuleAndExceptionToExceptionReplacesIt) {
  Compile(R"(
rule base
  cite "r"
  when true
  then license_required(review: approval)
exception small to base
  cite "e"
  when quantity < 100 units
  then license_exception(LPP, notify: true)
exception not_for_china to small
  cite "ee"
  when destination is CN
  then license_required(review: denial)
)");
  auto d = Decide(Ship("IN", 10));
  EXPECT_EQ(d.kind, ir::OutcomeIR::kLicenseException);
  EXPECT_TRUE(d.notify);
  EXPECT_EQ(Rules(d), std::vector<std::string>{"small"});
  d = Decide(Ship("CN", 10));
  EXPECT_EQ(d.kind, ir::OutcomeIR::kLicenseRequired);
  EXPECT_EQ(Rules(d), std::vector<std::string>{"not_for_china"});
  d = Decide(Ship("IN", 100));
  EXPECT_EQ(Rules(d), std::vector<std::string>{"base"});
}

TEST_F(Semantics, MostSevereOutcomeWinsAndEqualOutcomesAreAllReported) {
  Compile(R"(
rule a
  cite "a"
  when true
  then license_required(review: approval)
rule b
  cite "b"
  when destination is CN
  then license_required(review: denial)
rule c
  cite "c"
  when destination is CN
  then license_required(review: denial)
)");
  auto d = Decide(Ship("CN", 1));
  EXPECT_EQ(d.review, 2);  // denial, the third review policy
  EXPECT_EQ(Rules(d), (std::vector<std::string>{"b", "c"}));
  d = Decide(Ship("IN", 1));
  EXPECT_EQ(Rules(d), std::vector<std::string>{"a"});
}

TEST_F(Semantics, DisagreeingExceptionsToOneRuleAreAConflictNotAFileOrderChoice) {
  Compile(R"(
rule base
  cite "r"
  when true
  then license_required(review: approval)
exception one to base
  cite "1"
  when quantity < 10 units
  then license_exception(LPP)
exception two to base
  cite "2"
  when destination is IN
  then license_exception(ACA)
)");
  auto d = Decide(Ship("IN", 5));
  EXPECT_TRUE(d.error);
  EXPECT_NE(d.error_message.find("conflict"), std::string::npos) << d.error_message;
  EXPECT_NE(d.error_message.find("one"), std::string::npos);
  EXPECT_NE(d.error_message.find("two"), std::string::npos);
  EXPECT_FALSE(Decide(Ship("IN", 50)).error);
}

TEST_F(Semantics, EquallySevereDifferentOutcomesOfTwoRulesAreAConflict) {
  Compile(R"(
rule a
  cite "a"
  when true
  then license_exception(LPP)
rule b
  cite "b"
  when destination is IN
  then license_exception(ACA)
)");
  EXPECT_TRUE(Decide(Ship("IN", 1)).error);
  EXPECT_FALSE(Decide(Ship("FR", 1)).error);
}

TEST_F(Semantics, OnlyDeterminingRulesConsumeQuotasAndFitsIsInclusive) {
  Compile(R"(
quota small
  limit 31_664 tpp
  measure tpp
  per consignee
  per calendar year
rule base
  cite "r"
  when true
  then license_required(review: approval)
exception within to base
  cite "e"
  when fits small
  then license_exception(LPP, notify: true)
  consumes small
rule embargo
  cite "x"
  when destination is CN
  then license_required(review: denial)
)");
  // Eligible for the exception, but denied by another rule: the quota is not consumed.
  auto d = Decide(Ship("CN", 1));
  EXPECT_EQ(d.review, 2);
  EXPECT_TRUE(d.quotas.empty());
  // 2 x 15,832 = 31,664: exactly the limit fits; the next unit does not.
  d = Decide(Ship("IN", 2));
  EXPECT_EQ(d.kind, ir::OutcomeIR::kLicenseException);
  ASSERT_EQ(d.quotas.size(), 1u);
  EXPECT_EQ(d.quotas[0].after.ToString(), "31664");
  d = Decide(Ship("IN", 1));
  EXPECT_EQ(d.kind, ir::OutcomeIR::kLicenseRequired);
  // A what-if does not consume.
  Compile(R"(
quota small
  limit 20_000 tpp
  measure tpp
  per consignee
rule base
  cite "r"
  when fits small
  then license_exception(LPP)
  consumes small
)");
  ledger_.Clear();
  EXPECT_EQ(Decide(Ship("IN", 1), /*consume=*/false).kind, ir::OutcomeIR::kLicenseException);
  EXPECT_EQ(Decide(Ship("IN", 1)).kind, ir::OutcomeIR::kLicenseException);
  EXPECT_EQ(Decide(Ship("IN", 1)).kind, ir::OutcomeIR::kNoLicenseRequired);
}

TEST_F(Semantics, RunTimeErrorsAreDecisionsWithTheRuleLocation) {
  Compile(R"(
rule ratio
  cite "r"
  when tpp / (tpp - tpp) > 1 tpp/tpp
  then prohibited
)");
  auto d = Decide(Ship("IN", 1));
  EXPECT_TRUE(d.error);
  EXPECT_EQ(d.error_message, "division by zero");
  EXPECT_EQ(d.error_span.line, 12);
}

TEST_F(Semantics, IntegerOverflowInAConstantIsReportedWhenCompiling) {
  std::string text = std::string(kHeader) + R"(
const big = 9_223_372_036_854_775_807
rule overflow
  cite "r"
  when big + 1 > 0
  then prohibited
)";
  driver::Compilation c = driver::CompileFile("tests/unit/inline.edict", {}, &text);
  EXPECT_FALSE(c.ok());
  ASSERT_FALSE(c.diags.items().empty());
  EXPECT_EQ(c.diags.items()[0].code, "E0601");
  EXPECT_NE(c.diags.items()[0].message.find("overflow"), std::string::npos);
}

TEST_F(Semantics, IntegerOverflowAtRunTimeIsAnErrorDecision) {
  Compile(R"(
const big = 9_223_372_036_854_775_807
function count_plus_big(n: int) -> int = n + big
rule overflow
  cite "r"
  when count_plus_big(year of date) > 0
  then prohibited
)");
  auto d = Decide(Ship("IN", 1));
  EXPECT_TRUE(d.error);
  EXPECT_NE(d.error_message.find("overflow"), std::string::npos);
}

TEST_F(Semantics, OutsideItsInForcePeriodAPolicyDecidesNothing) {
  Compile(R"(
rule all
  cite "r"
  when true
  then prohibited
)");
  auto d = Decide(
      R"({"id":"t","date":"2024-12-31","destination":"IN","consignee":"C","item":"nvidia-h100-sxm","quantity":1})");
  EXPECT_FALSE(d.in_force);
  EXPECT_EQ(d.kind, ir::OutcomeIR::kNoLicenseRequired);
  EXPECT_TRUE(d.rules.empty());
  EXPECT_EQ(Decide(Ship("IN", 1)).kind, ir::OutcomeIR::kProhibited);
}

TEST_F(Semantics, UnitsMultiplyAndDensitiesCompareExactly) {
  Compile(R"(
rule dense
  cite "r"
  when performance_density(item) >= 5.92 tpp/mm2 and tpp = 15_832 tpp
  then prohibited
)");
  EXPECT_EQ(Decide(Ship("IN", 1)).kind, ir::OutcomeIR::kProhibited);
}

}  // namespace
}  // namespace edict
