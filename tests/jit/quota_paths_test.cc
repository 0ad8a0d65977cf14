// The compiled quota path against the interpreter where its fast and slow paths meet
// (runtime/jit/gen_quota.cc, quotas.h): totals at the limit and past the 128-bit range, a record whose later
// use overflows after earlier uses were made by compiled code (they are undone), fractions, calendar years
// changing inside a batch, more keys in one batch than the tables start with, keys met in earlier batches
// while the ledger changed in between, and one BatchDecisions shared by two policies. Batches go through the
// packed path with one BatchDecisions reused (as `edict eval` does), with and without quota figures; every
// decision and the ledger at the end must be the interpreter's.
#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "runtime/batch/packed.h"
#include "runtime/date.h"
#include "tests/jit/harness.h"

namespace edict::jit_test {
namespace {

// A negative amount per consignee (SE). Whole amounts per consignee and year; huge ones per destination,
// consumed twice by a record to FR (the second use overflows once the first is made); a fraction per
// consignee; a whole limit of 2^63 + 1000 per consignee.
const char kPolicy[] = R"(policy "paths"
  in force from 2020-01-01
import ear.units
import ear.outcomes
import ear.chips
import ear.shipment
import countries

quota by_consignee
  limit 1000 units
  measure quantity
  per consignee
  per calendar year

quota by_country
  limit 150_000_000_000_000_000_000_000_000_000_000_000_000 units
  measure quantity * 1e37
  per destination
  from 2025-01-01 to 2026-12-31

quota thirds
  limit 1000 units
  measure quantity / 3
  per consignee

quota wide
  limit 9_223_372_036_854_776_808 units
  measure quantity
  per consignee

rule whole
  cite "c"
  when destination is DE and fits by_consignee
  then prohibited
  consumes by_consignee

rule beyond
  cite "c"
  when destination is DE and not fits by_consignee
  then license_required(review: denial)

rule huge_a
  cite "c"
  when destination is FR and fits by_consignee and fits by_country
  then prohibited
  consumes by_consignee, by_country

rule huge_b
  cite "c"
  when destination is FR and fits by_country
  then prohibited
  consumes by_country

rule fraction
  cite "c"
  when destination is IT and fits thirds
  then prohibited
  consumes thirds

rule near_int64
  cite "c"
  when destination is ES and fits wide
  then prohibited
  consumes wide

quota falling
  limit 1000 units
  measure quantity * -1
  per consignee

rule down
  cite "c"
  when destination is SE and fits falling
  then prohibited
  consumes falling
)";

// The same quotas under another ledger id, read by another policy sharing the BatchDecisions.
const char kOther[] = R"(policy "other"
  in force from 2020-01-01
import ear.units
import ear.outcomes
import ear.chips
import ear.shipment
import countries

quota by_consignee
  limit 500 units
  measure quantity
  per consignee
  per calendar year

rule whole
  cite "c"
  when fits by_consignee
  then prohibited
  consumes by_consignee
)";

struct Shipment {
  const char* destination;
  std::string consignee;
  int date;
  int64_t quantity;
};

class QuotaPaths : public ::testing::Test {
 protected:
  void SetUp() override { Compile(kPolicy, "tests/jit/paths.edict", &loaded_, &policy_); }

  static void Compile(const char* text, const char* path, Loaded* l,
                      std::unique_ptr<jit::CompiledPolicy>* p) {
    std::string source = text;
    *l = Load(path, &source);
    ASSERT_TRUE(l->compilation.ok()) << RenderAll(l->compilation.diags);
    *p = Jit(l->program, 2);
    ASSERT_TRUE(*p);
  }

  static interp::Record Make(const ir::Program& p, const Shipment& s, int serial) {
    interp::Record r;
    r.values.assign(p.fields.size(), Value{});
    r.values[p.FieldIndex("id")] = Value::Text(r.Keep("s" + std::to_string(serial)));
    r.values[p.FieldIndex("date")] = Value::Date(s.date);
    const auto& countries = p.enums[p.fields[p.FieldIndex("destination")].enum_index].members;
    int country =
        static_cast<int>(std::find(countries.begin(), countries.end(), s.destination) - countries.begin());
    r.values[p.FieldIndex("destination")] = Value::Enum(country);
    r.values[p.FieldIndex("consignee")] = Value::Text(r.Keep(s.consignee));
    r.values[p.FieldIndex("item")] = Value::Enum(0);
    r.values[p.FieldIndex("quantity")] = Value::Number(Rational::Int(s.quantity));
    return r;
  }

  // Decides `shipments` as one batch with the compiled code (into jit_ledger_) and one by one with the
  // interpreter (into interp_ledger_); returns how many the interpreter decided in the compiled code's place.
  // `reused`: a batch of the policy's to refill (its interned texts keep their ids), else a new one.
  size_t Agree(const std::vector<Shipment>& shipments, bool figures, const Loaded& l,
               const jit::CompiledPolicy& policy, batch::Batch* reused = nullptr) {
    const ir::Program& p = *l.program;
    std::unique_ptr<batch::Batch> fresh;
    if (reused)
      policy.Reset(reused);
    else
      fresh = policy.NewBatch();
    batch::Batch* batch = reused ? reused : fresh.get();
    std::vector<interp::Record> records;
    for (const Shipment& s : shipments) {
      records.push_back(Make(p, s, serial_++));
      EXPECT_TRUE(batch::Pack(policy.layout(), p, records.back(), batch));
    }
    out_.set_quota_figures(figures);
    policy.DecideBatch(*batch, jit_ledger_, interp::DecideOptions{}, &out_, 1);
    EXPECT_EQ(out_.size(), records.size());
    for (size_t i = 0; i < records.size() && i < out_.size(); ++i) {
      interp::Record copy = records[i];
      interp::Decision want = interp::Decide(p, copy, interp_ledger_, interp::DecideOptions{});
      if (!figures && !out_.IsInterpreted(i)) want.quotas.clear();
      EXPECT_EQ(Render(out_.Decision(i), "x"), Render(want, "x")) << "shipment #" << i;
    }
    EXPECT_EQ(jit_ledger_.entries(), interp_ledger_.entries());
    return out_.interpreted();
  }
  size_t Agree(const std::vector<Shipment>& shipments, bool figures) {
    return Agree(shipments, figures, loaded_, *policy_);
  }

  // Another process's additions to both ledgers, between batches: `up` to every key of consignee `a`,
  // `down` to every key of consignee `b`.
  void AnotherWriter(const std::string& a, int up, const std::string& b, int down) {
    for (MemoryLedger* l : {&jit_ledger_, &interp_ledger_}) {
      std::vector<std::string> keys;
      for (const auto& entry : l->entries()) keys.push_back(entry.first);
      for (const std::string& key : keys) {
        if (key.find("\x1f" + a + "\x1f") != std::string::npos) l->Add(key, Rational::Int(up));
        if (key.find("\x1f" + b + "\x1f") != std::string::npos) l->Add(key, Rational::Int(down));
      }
    }
  }

  Loaded loaded_;
  std::unique_ptr<jit::CompiledPolicy> policy_;
  jit::BatchDecisions out_;
  MemoryLedger jit_ledger_, interp_ledger_;
  int serial_ = 0;
  const int day_ = DaysFromCivil(2025, 6, 2);
};

TEST_F(QuotaPaths, TotalsUpToTheLimitAndPastIt) {
  for (bool figures : {false, true}) {
    jit_ledger_.Clear();
    interp_ledger_.Clear();
    // 400 + 600 = 1000 fits exactly; 1 more does not; another consignee starts from zero.
    EXPECT_EQ(Agree({{"DE", "A", day_, 400},
                     {"DE", "A", day_, 600},
                     {"DE", "A", day_, 1},
                     {"DE", "B", day_, 1000},
                     {"DE", "B", day_, 0},
                     {"DE", "A", day_, 0}},
                    figures),
              0u);
    // Whole amounts beyond 64 bits: 2^63 - 1 and then 1009 more pass 2^63 + 1000 by 8 (the sums need the
    // 128-bit path).
    EXPECT_EQ(
        Agree({{"ES", "W", day_, INT64_MAX}, {"ES", "W", day_, 1000}, {"ES", "W", day_, 1009}}, figures), 0u);
  }
}

TEST_F(QuotaPaths, ALaterUseThatOverflowsUndoesTheRecordsEarlierUses) {
  for (bool figures : {false, true}) {
    jit_ledger_.Clear();
    interp_ledger_.Clear();
    // Each FR shipment of 10 units adds 10^38 to by_country twice (huge_a, huge_b): the second addition
    // passes the 128-bit range, so the interpreter decides the record, after its uses of by_consignee and the
    // first of by_country, made by compiled code, are undone. Earlier and later records keep theirs.
    size_t interpreted = Agree({{"DE", "C", day_, 5},
                                {"FR", "C", day_, 10},
                                {"DE", "C", day_, 7},
                                {"FR", "D", day_, 10},
                                {"DE", "D", day_, 3}},
                               figures);
    EXPECT_EQ(interpreted, 2u);
    // The interpreter makes a record's uses one by one and keeps those made before the error: C's FR record
    // counts once (5 + 10 + 7), and by_country holds its first 10^38. Had compiled code's uses not been
    // undone, the interpreter's redo would have counted them twice.
    EXPECT_EQ(jit_ledger_.Consumed("paths.by_consignee\x1f"
                                   "C\x1f"
                                   "2025"),
              Rational::Int(22));
    EXPECT_EQ(jit_ledger_.Consumed("paths.by_consignee\x1f"
                                   "D\x1f"
                                   "2025"),
              Rational::Int(3));
    EXPECT_EQ(jit_ledger_.entries().size(), 3u);
  }
}

TEST_F(QuotaPaths, FractionsAndYearsTakeTheSlowPathAndAgree) {
  std::vector<Shipment> s;
  int new_year = DaysFromCivil(2026, 1, 1);
  // Alternating calendar years (the year remembered changes each time) and thirds (not whole).
  for (int k = 0; k < 40; ++k) {
    s.push_back({"DE", "Y" + std::to_string(k % 3), new_year - 1 + k % 2, 30 + k});
    s.push_back({"IT", "Y" + std::to_string(k % 3), new_year - 1 + k % 2, 31 + k});
  }
  for (bool figures : {false, true}) {
    jit_ledger_.Clear();
    interp_ledger_.Clear();
    EXPECT_EQ(Agree(s, figures), 0u);
  }
}

TEST_F(QuotaPaths, ATotalFallingPastTheEndOfTheRangeIsAnOverflow) {
  // The Rational range is symmetric: -2^127 is out (edict::Add). A total two above its end takes two uses
  // of -1 to reach it; the third, whose sum fits in 128 bits but not in the range, is an overflow for both
  // engines (compiled code checks whole sums itself).
  for (bool figures : {false, true}) {
    jit_ledger_.Clear();
    interp_ledger_.Clear();
    EXPECT_EQ(Agree({{"SE", "N", day_, 1}}, figures), 0u);
    for (MemoryLedger* l : {&jit_ledger_, &interp_ledger_}) {
      ASSERT_EQ(l->entries().size(), 1u);
      std::string key = l->entries().begin()->first;
      ASSERT_TRUE(l->Add(key, Rational{-kRationalMax + 3, 1}));  // -1 + 3 - (2^127 - 1)
    }
    std::vector<Shipment> s(3, {"SE", "N", day_, 1});
    EXPECT_EQ(Agree(s, figures), 1u);  // the third, decided by the interpreter: its error
    EXPECT_EQ(jit_ledger_.entries().begin()->second, (Rational{-kRationalMax, 1}));
  }
}

TEST_F(QuotaPaths, ThreeYearsOfOneKeyInOneBatch) {
  // Compiled code keeps two years per key in a batch (a batch across New Year); a third replaces the
  // second. Two consignees cycle through three years, whole amounts, each year's total going past its limit.
  const int day[3] = {DaysFromCivil(2025, 6, 1), DaysFromCivil(2026, 6, 1), DaysFromCivil(2027, 6, 1)};
  std::vector<Shipment> s;
  for (int k = 0; k < 90; ++k) s.push_back({"DE", "T" + std::to_string(k % 2), day[(k / 2) % 3], 70 + k % 5});
  for (bool figures : {false, true}) {
    jit_ledger_.Clear();
    interp_ledger_.Clear();
    EXPECT_EQ(Agree(s, figures), 0u);
    EXPECT_EQ(jit_ledger_.entries().size(), 6u);  // two consignees, three years
  }
}

TEST_F(QuotaPaths, MoreKeysInOneBatchThanTheTablesStartWith) {
  // 3,000 consignees, each consuming twice: the slot tables, the direct tables and the list of slots to
  // flush all grow while compiled code holds where they were.
  std::vector<Shipment> s;
  for (int round = 0; round < 2; ++round)
    for (int k = 0; k < 3000; ++k) s.push_back({"DE", "Consignee " + std::to_string(k), day_, 1 + k % 7});
  EXPECT_EQ(Agree(s, false), 0u);
  EXPECT_EQ(jit_ledger_.entries().size(), 3000u);
}

TEST_F(QuotaPaths, KeysOfEarlierBatchesReadTheLedgerAgain) {
  // The same consignees over several batches, their texts interned in another order each time, while the
  // ledger changes between batches (another process's additions): each batch reads the totals afresh.
  std::vector<std::string> names = {"K0", "K1", "K2", "K3"};
  for (int b = 0; b < 6; ++b) {
    std::vector<Shipment> s;
    for (int k = 0; k < 8; ++k) s.push_back({"DE", names[(k + b) % 4], day_, 60 + 10 * b + k});
    EXPECT_EQ(Agree(s, b % 2 == 0), 0u) << "batch " << b;
    AnotherWriter("K1", 300, "K2", -200);  // K1's total jumps near the limit, K2's drops
  }
}

TEST_F(QuotaPaths, ReusedBatchesKeepTheirIdsWhileTheLedgerChangesUnderThem) {
  // Two batches refilled in turn (as `edict eval`'s slots are): a consignee keeps its id in each, so compiled
  // code finds it in the direct table an earlier batch filled. Between batches the ledger is left alone (the
  // totals kept hold), changed by another writer (each total is read again), or emptied; and a third batch,
  // new each time, comes in between. Every decision and the ledger must stay the interpreter's.
  auto first = policy_->NewBatch(), second = policy_->NewBatch();
  const uint64_t generation = first->texts().generation();
  const size_t interned = first->texts().size() + 3;
  std::vector<std::string> names = {"R0", "R1", "R2"};
  for (int b = 0; b < 12; ++b) {
    std::vector<Shipment> s;
    for (int k = 0; k < 9; ++k) s.push_back({"DE", names[(k + b) % 3], day_, 40 + 7 * b + k});
    batch::Batch* reused = b % 3 == 2 ? nullptr : b % 3 == 0 ? first.get() : second.get();
    EXPECT_EQ(Agree(s, false, loaded_, *policy_, reused), 0u) << "batch " << b;
    if (b % 4 == 1) {
      AnotherWriter("R1", 700, "R2", -300);  // R1's total jumps near the limit, R2's drops
    } else if (b % 4 == 3) {
      jit_ledger_.Clear();
      interp_ledger_.Clear();
    }
  }
  // Each reused batch kept its interned texts (the same generation): the three consignees were added once.
  EXPECT_EQ(first->texts().generation(), generation);
  EXPECT_EQ(first->texts().size(), interned);
  EXPECT_EQ(second->texts().size(), interned);
}

TEST_F(QuotaPaths, OneBatchDecisionsServesTwoPolicies) {
  Loaded other_loaded;
  std::unique_ptr<jit::CompiledPolicy> other;
  Compile(kOther, "tests/jit/other.edict", &other_loaded, &other);
  for (int b = 0; b < 4; ++b) {
    std::vector<Shipment> s = {{"DE", "P", day_, 200}, {"DE", "Q", day_, 300}, {"DE", "P", day_, 350}};
    bool figures = b >= 2;
    if (b % 2 == 0)
      EXPECT_EQ(Agree(s, figures), 0u);
    else
      EXPECT_EQ(Agree(s, figures, other_loaded, *other), 0u);
  }
}

}  // namespace
}  // namespace edict::jit_test
