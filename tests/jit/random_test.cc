// Property: for random shipments (seeded, deterministic), drawn across every input field with edge values, in
// sequences that fill quotas, the JIT decides exactly what the interpreter decides. 1,000,000 shipments per
// policy at -O2 plus 100,000 at -O0 (sanitizer builds use 20,000 / 2,000). The environment variable
// EDICT_RANDOM_SHIPMENTS sets another count and EDICT_RANDOM_SEED another seed, for longer runs: the
// `random_nightly` target runs 20,000,000 per policy (EDICT_RANDOM_SEED=$(date +%F | tr -d -) varies it
// daily). A disagreement is reported with the shipment as drawn and as shrunk (tests/jit/shrink.h).
#include <climits>
#include <cstdlib>
#include <random>
#include <type_traits>

#include "runtime/batch/packed.h"
#include "runtime/date.h"
#include "tests/jit/harness.h"
#include "tests/jit/rewindable_ledger.h"
#include "tests/jit/shrink.h"

#ifndef EDICT_RANDOM_SHIPMENTS
#define EDICT_RANDOM_SHIPMENTS 1000000
#endif

namespace edict::jit_test {
namespace {

int Shipments() {
  const char* env = std::getenv("EDICT_RANDOM_SHIPMENTS");
  long n = env ? std::strtol(env, nullptr, 10) : 0;
  return n > 0 && n <= INT_MAX ? static_cast<int>(n) : EDICT_RANDOM_SHIPMENTS;
}

uint64_t Seed(uint64_t fixed) {
  const char* env = std::getenv("EDICT_RANDOM_SEED");
  return env && *env ? fixed ^ std::strtoull(env, nullptr, 10) : fixed;
}

class ShipmentGenerator {
 public:
  ShipmentGenerator(const ir::Program& p, uint64_t seed) : p_(p), rng_(seed) {
    for (int d : {DaysFromCivil(2022, 1, 1), DaysFromCivil(2028, 12, 31)}) dates_.push_back(d);
    auto add_edges = [&](int d) {
      if (d > INT_MIN + 1 && d < INT_MAX - 1)
        for (int k = -1; k <= 1; ++k) dates_.push_back(d + k);
    };
    Collect(p, add_edges);
  }

  interp::Record Next(int serial) {
    interp::Record r;
    r.values.assign(p_.fields.size(), Value{});
    r.line = serial;
    for (size_t i = 0; i < p_.fields.size(); ++i) {
      const ir::Field& f = p_.fields[i];
      if (f.kind == ir::Field::kDerived) continue;
      if (static_cast<int>(i) == p_.id_field) {
        r.values[i] = Value::Text(kNames[serial % 4]);
        continue;
      }
      // Optional fields and fields with defaults are often left out.
      if ((f.kind == ir::Field::kOptional || f.value) && Pick(10) < 3) continue;
      r.values[i] = RandomValue(f);
    }
    return r;
  }

  // The range the dates are drawn from, then the policy's boundary dates (each +-1 day).
  const std::vector<int>& dates() const { return dates_; }

 private:
  template <typename F>
  void Collect(const ir::Program& p, F& add) {
    add(p.from);
    add(p.until);
    // A timeline passes over a policy until its compliance date (interp::EntryInForce).
    if (p.has_compliance) add(p.compliance);
    for (const auto& r : p.rules) {
      add(r.from);
      add(r.until);
    }
    for (const auto& q : p.quotas)
      if (q.window) {
        add(q.window_from);
        add(q.window_to);
      }
    for (const auto& e : p.timeline) {
      add(e.from);
      Collect(*e.program, add);
    }
  }

  uint64_t Pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }

  Rational RandomNumber(bool count) {
    static const i128 kEdges[] = {1,
                                  2,
                                  10,
                                  1699,
                                  1700,
                                  1000000,
                                  26900000,
                                  790000000,
                                  INT64_MAX,
                                  static_cast<i128>(INT64_MAX) + 1,
                                  static_cast<i128>(1) << 100,
                                  static_cast<i128>(100000000000000000LL) * 1000000000LL - 1,  // 1e26 - 1
                                  static_cast<i128>(100000000000000000LL) * 1000000000LL};
    switch (Pick(10)) {
      case 0:
        return Rational{kEdges[Pick(std::size(kEdges))], 1};
      case 1:
        if (!count) return Rational{static_cast<i128>(Pick(1000000)) * 7 + 1, 100};  // decimals (some reduce)
        [[fallthrough]];
      case 2:
        return Rational::Int(static_cast<int64_t>(Pick(1000000)) + 1);
      default:
        return Rational::Int(static_cast<int64_t>(Pick(2500)) + 1);
    }
  }

  Value RandomValue(const ir::Field& f) {
    switch (f.type->kind) {
      case TypeKind::kBool:
        return Value::Bool(Pick(2));
      case TypeKind::kNumber: {
        Rational r = RandomNumber(f.count);
        if (!f.count && Pick(20) == 0) r = Rational::Int(0);
        return Value::Number(r);
      }
      case TypeKind::kText:
        return Value::Text(kNames[Pick(std::size(kNames))]);
      case TypeKind::kDate:
        if (Pick(3) == 0) return Value::Date(dates_[Pick(dates_.size())]);
        return Value::Date(dates_[0] + static_cast<int>(Pick(dates_[1] - dates_[0] + 1)));
      case TypeKind::kEnum: {
        int n = static_cast<int>(p_.enums[f.enum_index].members.size());
        return Value::Enum(static_cast<int>(Pick(n)));
      }
      default:
        return Value{};
    }
  }

  static constexpr const char* kNames[] = {"Indus Compute", "Norte Datos", "Acme", "", "Shenzhen Zhiyun"};
  const ir::Program& p_;
  std::mt19937_64 rng_;
  std::vector<int> dates_;
};

// Both engines' renderings of `record`, each decided on its own copy of it and of its ledger.
struct Renderings {
  std::string interp, jit;
};
Renderings DecideBoth(const ir::Program& p, const jit::CompiledPolicy& policy, const interp::Record& record,
                      const MemoryLedger& interp_ledger, const MemoryLedger& jit_ledger,
                      const interp::DecideOptions& options) {
  static_assert(std::is_copy_constructible_v<MemoryLedger>,
                "candidates are decided on copies of the ledgers");
  interp::Record a = record, b = record;
  MemoryLedger il = interp_ledger, jl = jit_ledger;
  return {Render(interp::Decide(p, a, il, options), "x"), Render(policy.Decide(b, jl, options), "x")};
}

// The shrunk form of a disagreeing shipment, each candidate decided against the ledgers as they stood just
// before the shipment (quotas make decisions depend on them), and both engines' renderings of it.
std::string ShrunkReport(const ir::Program& p, const jit::CompiledPolicy& policy, const interp::Record& drawn,
                         const MemoryLedger& interp_before, const MemoryLedger& jit_before,
                         const interp::DecideOptions& options, const std::vector<int>& dates) {
  auto disagree = [&](const interp::Record& r) {
    Renderings out = DecideBoth(p, policy, r, interp_before, jit_before, options);
    return out.interp != out.jit;
  };
  if (!disagree(drawn))
    return "\n  (not shrunk: it does not disagree again on the ledgers as they stood before it)";
  ShrinkOptions shrink_options;
  shrink_options.boundary_dates = dates;
  ShrinkResult s = Shrink(p, drawn, disagree, shrink_options);
  Renderings out = DecideBoth(p, policy, s.record, interp_before, jit_before, options);
  return "\n  shrunk (" + std::to_string(s.steps) + " steps, " + std::to_string(s.attempts) + " attempts" +
         (s.capped ? ", stopped at the attempt cap" : "") + "): " + Show(p, s.record) +
         "\n  interp: " + out.interp + "\n  jit:    " + out.jit;
}

void RunRandom(const std::string& path, int opt_level, int count, uint64_t seed) {
  Loaded l = Load(path);
  ASSERT_TRUE(l.compilation.ok());
  const ir::Program& p = *l.program;
  auto policy = Jit(l.program, opt_level);
  ASSERT_TRUE(policy);
  ShipmentGenerator gen(p, seed);
  RewindableLedger interp_ledger, jit_ledger;
  interp::DecideOptions options;
  int disagreements = 0, errors = 0, with_rules = 0;
  for (int n = 0; n < count && disagreements < 5; ++n) {
    // A fresh ledger now and then, so quotas are seen both empty and full.
    if (n % 5000 == 0) {
      interp_ledger.Clear();
      jit_ledger.Clear();
    }
    interp_ledger.BeginShipment();
    jit_ledger.BeginShipment();
    interp::Record a = gen.Next(n);
    interp::Record b = a;  // texts are static, so the views stay valid in the copy
    // The engines fill defaults and derived fields into a and b; the shrinker needs the fields as drawn.
    std::vector<Value> drawn = a.values;
    std::string shown = Show(p, a);
    interp::Decision want = interp::Decide(p, a, interp_ledger, options);
    interp::Decision got = policy->Decide(b, jit_ledger, options);
    errors += want.error;
    with_rules += !want.rules.empty();
    bool same = want.error == got.error && want.kind == got.kind && want.rules == got.rules &&
                want.notify == got.notify && want.symbol == got.symbol && want.review == got.review &&
                want.in_force == got.in_force && want.date == got.date && want.program == got.program &&
                want.quotas.size() == got.quotas.size() && want.error_message == got.error_message &&
                want.error_span.line == got.error_span.line && want.error_span.col == got.error_span.col;
    // Quota figures and error texts are compared in full (rendered); the rest only when something differs.
    if (same && want.quotas.empty() && !want.error) continue;
    std::string w = Render(want, "x"), g = Render(got, "x");
    if (w == g) continue;
    ++disagreements;
    interp::Record original;
    original.values = drawn;
    original.line = n;
    ADD_FAILURE() << "shipment #" << n << " " << shown << "\n  interp: " << w << "\n  jit:    " << g
                  << ShrunkReport(p, *policy, original, interp_ledger.BeforeShipment(),
                                  jit_ledger.BeforeShipment(), options, gen.dates());
  }
  // A policy without rules (check_country_groups holds assertions only) never makes one fire.
  if (!p.rules.empty() || !p.timeline.empty()) {
    EXPECT_GT(with_rules, 0) << "the generator never made a rule fire";
  }
  ::testing::Test::RecordProperty("errors", errors);
}

class RandomDifferential : public ::testing::TestWithParam<std::string> {};

TEST_P(RandomDifferential, O2AgreesOnRandomShipments) {
  RunRandom(GetParam(), 2, Shipments(), Seed(20261123));
}

TEST_P(RandomDifferential, O0AgreesOnRandomShipments) {
  RunRandom(GetParam(), 0, Shipments() / 10, Seed(42));
}

// The batch API: on two threads when the policy has no quotas, in input order otherwise; same decisions.
TEST_P(RandomDifferential, BatchAgreesWithOneByOne) {
  Loaded l = Load(GetParam());
  ASSERT_TRUE(l.compilation.ok());
  const ir::Program& p = *l.program;
  auto policy = Jit(l.program, 2);
  ASSERT_TRUE(policy);
  ShipmentGenerator gen(p, 7);
  std::vector<interp::Record> batch;
  for (int n = 0; n < Shipments() / 50; ++n) batch.push_back(gen.Next(n));
  std::vector<interp::Record> copy = batch;
  MemoryLedger interp_ledger, jit_ledger;
  interp::DecideOptions options;
  std::vector<interp::Decision> got = policy->DecideBatch(copy, jit_ledger, options, 2);
  ASSERT_EQ(got.size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    std::string shown = Show(p, batch[i]);
    std::string want = Render(interp::Decide(p, batch[i], interp_ledger, options), "x");
    ASSERT_EQ(Render(got[i], "x"), want) << "shipment #" << i << " " << shown;
  }
}

// Batches as `edict eval` decides them: packed, one BatchDecisions and one batch reused from batch to batch
// (the quota bookkeeping keeps its storage), with and without quota figures, over one ledger. Every
// decision, and the ledger at the end, is the interpreter's.
TEST_P(RandomDifferential, ReusedBatchesAgree) {
  Loaded l = Load(GetParam());
  ASSERT_TRUE(l.compilation.ok());
  const ir::Program& p = *l.program;
  auto policy = Jit(l.program, 2);
  ASSERT_TRUE(policy);
  ShipmentGenerator gen(p, 11);
  MemoryLedger interp_ledger, jit_ledger;
  interp::DecideOptions options;
  auto batch = policy->NewBatch(), scratch = policy->NewBatch();
  jit::BatchDecisions out;
  int serial = 0, decided = 0;
  for (int b = 0; serial < Shipments() / 50; ++b) {
    policy->Reset(batch.get());
    std::vector<interp::Record> records;
    for (int k = 0; k < 1 + (b * 389) % 1500; ++k) {
      // A record the layout cannot hold (Pack fails, leaving a row behind) is tried on a scratch batch first.
      interp::Record r = gen.Next(serial++);
      policy->Reset(scratch.get());
      if (!batch::Pack(policy->layout(), p, r, scratch.get())) continue;
      ASSERT_TRUE(batch::Pack(policy->layout(), p, r, batch.get()));
      records.push_back(std::move(r));
    }
    bool figures = b % 2 == 0;
    out.set_quota_figures(figures);
    policy->DecideBatch(*batch, jit_ledger, options, &out, 2);
    ASSERT_EQ(out.size(), records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      std::string shown = Show(p, records[i]);
      interp::Decision want = interp::Decide(p, records[i], interp_ledger, options);
      // Without figures a decision says nothing of quotas (unless the interpreter made it).
      if (!figures && !out.IsInterpreted(i)) want.quotas.clear();
      ASSERT_EQ(Render(out.Decision(i), "x"), Render(want, "x"))
          << "batch " << b << " shipment #" << i << " " << shown;
      ++decided;
    }
  }
  EXPECT_EQ(jit_ledger.entries(), interp_ledger.entries());
  EXPECT_GT(decided, 0);
}

INSTANTIATE_TEST_SUITE_P(Policies, RandomDifferential, ::testing::ValuesIn(PolicyPaths()),
                         [](const auto& info) { return Stem(info.param); });

}  // namespace
}  // namespace edict::jit_test
