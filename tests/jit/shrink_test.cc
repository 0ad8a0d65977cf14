// The shrinker (shrink.h) on a real policy's schema, with artificial predicates: it keeps exactly what the
// predicate needs and takes every other field to its simplest (left out, or its simplest value).
#include "tests/jit/shrink.h"

#include <string>

#include "tests/jit/harness.h"

namespace edict::jit_test {
namespace {

class ShrinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = Load(std::string(EDICT_SOURCE_DIR) + "/policies/ai_diffusion_2025.edict");
    ASSERT_TRUE(loaded_.compilation.ok());
  }

  const ir::Program& p() const { return *loaded_.program; }
  int Field(const std::string& name) const {
    int i = p().FieldIndex(name);
    EXPECT_GE(i, 0) << name;
    return i;
  }
  int Member(const std::string& field, const std::string& member) const {
    const auto& members = p().enums[p().fields[Field(field)].enum_index].members;
    int i = static_cast<int>(std::find(members.begin(), members.end(), member) - members.begin());
    EXPECT_LT(i, static_cast<int>(members.size())) << member;
    return i;
  }
  const Value& Get(const interp::Record& r, const std::string& field) const { return r.values[Field(field)]; }
  void Set(interp::Record& r, const std::string& field, Value v) const {
    if (v.kind == ValueKind::kText) v.text = r.Keep(v.text);
    r.values[Field(field)] = v;
  }

  // Every input field given, none at its simplest value.
  interp::Record Busy() const {
    interp::Record r;
    r.values.assign(p().fields.size(), Value{});
    Set(r, "id", Value::Text("S-1"));
    Set(r, "date", Value::Date(DaysFromCivil(2026, 3, 10)));
    Set(r, "exporter", Value::Text("Acme"));
    Set(r, "exporter_country", Value::Enum(Member("exporter_country", "DE")));
    Set(r, "destination", Value::Enum(Member("destination", "IN")));
    Set(r, "consignee", Value::Text("Indus Compute"));
    Set(r, "consignee_hq", Value::Enum(Member("consignee_hq", "SG")));
    Set(r, "end_user", Value::Text("Norte Datos"));
    Set(r, "end_use", Value::Enum(Member("end_use", "gaming")));
    const ir::Field& item = p().fields[Field("item")];
    Set(r, "item", Value::Enum(static_cast<int>(p().enums[item.enum_index].members.size()) - 1));
    Set(r, "quantity", Value::Number(Rational::Int(123457)));
    Set(r, "veu", Value::Enum(Member("veu", "uveu")));
    Set(r, "training_ops", Value::Number(Rational{735, 100}));
    Set(r, "open_weights", Value::Bool(true));
    return r;
  }

  // Whether a candidate is a shipment the generator could draw: counts whole and >= 1, derived fields absent.
  bool WellFormed(const interp::Record& r) const {
    for (size_t i = 0; i < p().fields.size(); ++i) {
      const ir::Field& f = p().fields[i];
      const Value& v = r.values[i];
      if (f.kind == ir::Field::kDerived && !v.absent()) return false;
      if (f.count && !v.absent() && (!v.num.IsInteger() || v.num.num < 1)) return false;
      if (f.kind == ir::Field::kInput && !f.value && v.absent()) return false;
    }
    return true;
  }

  Loaded loaded_;
};

TEST_F(ShrinkTest, KeepsWhatThePredicateNeedsAndSimplifiesTheRest) {
  const int india = Member("destination", "IN");
  int calls = 0;
  bool all_well_formed = true;
  auto fails = [&](const interp::Record& r) {
    ++calls;
    all_well_formed = all_well_formed && WellFormed(r);
    const Value& q = Get(r, "quantity");
    const Value& d = Get(r, "destination");
    return !q.absent() && Compare(q.num, Rational::Int(1000)) > 0 && !d.absent() && d.i == india;
  };
  interp::Record busy = Busy();
  ASSERT_TRUE(fails(busy));
  ShrinkOptions options;
  ShrinkResult s = Shrink(p(), busy, fails, options);
  const interp::Record& r = s.record;
  EXPECT_TRUE(all_well_formed);
  EXPECT_FALSE(s.capped);
  EXPECT_EQ(s.attempts, calls - 1);

  // What the predicate needs: the destination, and the smallest quantity above 1000.
  EXPECT_EQ(Get(r, "destination").i, india);
  EXPECT_EQ(Get(r, "quantity").num.ToString(), "1001") << Show(p(), r);
  // Everything else: left out where it may be, else at its simplest.
  for (const char* name : {"exporter", "exporter_country", "consignee_hq", "end_user", "end_use", "veu",
                           "training_ops", "open_weights"})
    EXPECT_TRUE(Get(r, name).absent()) << name << " in " << Show(p(), r);
  EXPECT_EQ(Get(r, "date").i, options.simple_date);
  EXPECT_EQ(Get(r, "consignee").text, "");
  EXPECT_EQ(Get(r, "item").kind, ValueKind::kEnum);
  EXPECT_EQ(Get(r, "item").i, 0);
  // The identifier is kept; derived fields stay absent.
  EXPECT_EQ(Get(r, "id").text, "S-1");
  EXPECT_TRUE(Get(r, "tpp").absent());
  EXPECT_TRUE(Get(r, "eccn").absent());
}

TEST_F(ShrinkTest, DecimalsBecomeWholeAndDatesStopAtTheBoundary) {
  const int compliance = DaysFromCivil(2025, 5, 15);
  auto fails = [&](const interp::Record& r) {
    const Value& ops = Get(r, "training_ops");
    return !ops.absent() && Compare(ops.num, Rational{5, 2}) >= 0 && Get(r, "date").i >= compliance;
  };
  ShrinkOptions options;
  options.boundary_dates = {DaysFromCivil(2025, 1, 13), compliance - 1, compliance, compliance + 1};
  ShrinkResult s = Shrink(p(), Busy(), fails, options);
  EXPECT_EQ(Get(s.record, "training_ops").num.ToString(), "3") << Show(p(), s.record);
  EXPECT_EQ(Get(s.record, "date").i, compliance) << Show(p(), s.record);

  // Without boundary dates, halving the distance to the simple date finds the same day.
  options.boundary_dates.clear();
  s = Shrink(p(), Busy(), fails, options);
  EXPECT_EQ(Get(s.record, "date").i, compliance) << Show(p(), s.record);
}

TEST_F(ShrinkTest, EveryFieldReachesItsSimplestWhenAnythingFails) {
  ShrinkOptions options;
  ShrinkResult s = Shrink(
      p(), Busy(), [](const interp::Record&) { return true; }, options);
  EXPECT_FALSE(s.capped);
  EXPECT_EQ(
      Show(p(), s.record),
      "{\"id\": \"S-1\", \"date\": 2025-01-01, \"exporter\": (missing), \"exporter_country\": (missing), "
      "\"destination\": AD, \"destination_region\": (missing), \"consignee\": \"\", "
      "\"consignee_hq\": (missing), \"end_user\": (missing), "
      "\"end_use\": (missing), \"item\": " +
          p().enums[p().fields[Field("item")].enum_index].members[0] +
          ", \"quantity\": 1 units, \"veu\": (missing), \"training_ops\": (missing), \"open_weights\": "
          "(missing)}");
}

TEST_F(ShrinkTest, KeepsAShipmentWhenNothingSimplerFails) {
  interp::Record busy = Busy();
  const std::string original = Show(p(), busy);
  ShrinkResult s = Shrink(p(), busy, [&](const interp::Record& r) { return Show(p(), r) == original; });
  EXPECT_EQ(Show(p(), s.record), original);
  EXPECT_EQ(s.steps, 0);
  EXPECT_FALSE(s.capped);
  EXPECT_GT(s.attempts, 0);
}

TEST_F(ShrinkTest, StopsAtTheAttemptCap) {
  ShrinkOptions options;
  options.max_attempts = 3;
  int calls = 0;
  ShrinkResult s = Shrink(
      p(), Busy(),
      [&](const interp::Record&) {
        ++calls;
        return true;
      },
      options);
  EXPECT_TRUE(s.capped);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(s.attempts, 3);
  EXPECT_EQ(s.steps, 3);
}

// A predicate on a real decision: the candidates are shipments the interpreter decides without tripping over
// them, and the shrunk one is still decided by the same rules.
TEST_F(ShrinkTest, ShrinksAgainstTheInterpretersDecision) {
  auto rules = [&](const interp::Record& r) {
    interp::Record copy = r;
    MemoryLedger ledger;
    interp::Decision d = interp::Decide(p(), copy, ledger, interp::DecideOptions{});
    return d.error ? std::vector<int>{-1} : d.rules;
  };
  interp::Record busy = Busy();
  Set(busy, "item", Value::Enum(Member("item", "nvidia-h100-sxm")));
  Set(busy, "training_ops", Value{});
  Set(busy, "open_weights", Value{});
  const std::vector<int> want = rules(busy);
  ASSERT_FALSE(want.empty());
  ASSERT_NE(want, std::vector<int>{-1});
  ShrinkResult s = Shrink(p(), busy, [&](const interp::Record& r) { return rules(r) == want; });
  EXPECT_EQ(rules(s.record), want) << Show(p(), s.record);
  EXPECT_GT(s.steps, 0);
}

}  // namespace
}  // namespace edict::jit_test
