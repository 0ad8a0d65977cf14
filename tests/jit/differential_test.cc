// Every policy's own tests and the example batch, decided by the interpreter and by the JIT at -O0, at -O2
// and from the object cache: the decisions must agree byte for byte.
#include <algorithm>
#include <fstream>

#include "compiler/driver/test_runner.h"
#include "runtime/date.h"
#include "runtime/io/reader.h"
#include "tests/jit/harness.h"

namespace edict::jit_test {
namespace {

class PolicyDifferential : public ::testing::TestWithParam<std::string> {};

TEST_P(PolicyDifferential, PolicyTestsAgree) {
  Loaded l = Load(GetParam());
  ASSERT_TRUE(l.compilation.ok());
  const ir::Program& p = *l.program;
  auto o0 = Jit(l.program, 0);
  auto o2 = Jit(l.program, 2);
  ASSERT_TRUE(o0 && o2);
  int decisions = 0;
  for (const auto& test : p.tests) {
    MemoryLedger interp_ledger, o0_ledger, o2_ledger;
    interp::DecideOptions options;
    for (const auto& step : test.steps) {
      if (step.kind == ir::TestStep::kAsOf) {
        options.has_as_of = true;
        options.as_of = step.as_of;
      }
      if (step.kind != ir::TestStep::kGiven && step.kind != ir::TestStep::kShip) continue;
      interp::Record a = driver::RecordFromStep(p, step), b = driver::RecordFromStep(p, step),
                     c = driver::RecordFromStep(p, step);
      std::string want = Render(interp::Decide(p, a, interp_ledger, options), "t");
      EXPECT_EQ(Render(o0->Decide(b, o0_ledger, options), "t"), want)
          << test.name << " line " << step.span.line;
      EXPECT_EQ(Render(o2->Decide(c, o2_ledger, options), "t"), want)
          << test.name << " line " << step.span.line;
      ++decisions;
    }
  }
  // A policy without rules (check_country_groups) tests assertions only, which no engine decides.
  if (!p.rules.empty() || !p.timeline.empty()) {
    EXPECT_GT(decisions, 0);
  }
}

// The example batch through each policy, in input order with one ledger per engine.
TEST_P(PolicyDifferential, ExampleBatchAgrees) {
  Loaded l = Load(GetParam());
  ASSERT_TRUE(l.compilation.ok());
  const ir::Program& p = *l.program;
  std::string cache = ::testing::TempDir() + "edict-jit-cache-" + Stem(GetParam());
  std::filesystem::remove_all(cache);
  auto o0 = Jit(l.program, 0);
  auto cold = Jit(l.program, 2, cache);
  auto cached = Jit(l.program, 2, cache);
  ASSERT_TRUE(o0 && cold && cached);
  EXPECT_FALSE(cold->stats().from_cache);
  EXPECT_TRUE(cached->stats().from_cache);
  std::vector<const jit::CompiledPolicy*> engines = {o0.get(), cold.get(), cached.get()};
  std::vector<MemoryLedger> ledgers(engines.size() + 1);
  io::RecordParser parser(p);
  std::ifstream in(std::string(EDICT_SOURCE_DIR) + "/examples/shipments.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> out;
    for (size_t e = 0; e <= engines.size(); ++e) {
      interp::Record rec;
      std::string error, id;
      ASSERT_TRUE(parser.ParseJson(line, &rec, &error, &id)) << error;
      interp::DecideOptions options;
      interp::Decision d = e == 0 ? interp::Decide(p, rec, ledgers[0], options)
                                  : engines[e - 1]->Decide(rec, ledgers[e], options);
      out.push_back(Render(d, id));
    }
    for (size_t e = 1; e < out.size(); ++e) EXPECT_EQ(out[e], out[0]) << "engine " << e << ": " << line;
    ++n;
  }
  EXPECT_GT(n, 40);
}

// Of two operands that both fail, the left one's error is the decision's, in both engines (the interpreter
// once evaluated comparison operands in the compiler's argument order, which GCC runs right to left).
// The example batch as `edict eval` decides it: read straight into one packed batch, decided in one call.
// The compiled code must decide every shipment itself (none handed to the interpreter: they are all valid
// and conflict-free) and agree with the interpreter, quotas included.
TEST_P(PolicyDifferential, PackedBatchIsDecidedByCompiledCode) {
  Loaded l = Load(GetParam());
  ASSERT_TRUE(l.compilation.ok());
  const ir::Program& p = *l.program;
  auto o2 = Jit(l.program, 2);
  ASSERT_TRUE(o2);
  io::RecordParser parser(p);
  auto batch = o2->NewBatch();
  std::vector<interp::Record> records;
  std::vector<std::string> ids;
  std::ifstream in(std::string(EDICT_SOURCE_DIR) + "/examples/shipments.jsonl");
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    std::string error, id;
    ASSERT_TRUE(parser.ParseJson(line, batch.get(), line_no, &error, &id)) << error;
    interp::Record rec;
    ASSERT_TRUE(parser.ParseJson(line, &rec, &error, &id)) << error;
    records.push_back(std::move(rec));
    ids.push_back(id);
  }
  MemoryLedger jit_ledger, interp_ledger;
  interp::DecideOptions options;
  jit::BatchDecisions out;
  o2->DecideBatch(*batch, jit_ledger, options, &out);
  ASSERT_EQ(out.size(), records.size());
  size_t errors = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    interp::Decision want = interp::Decide(p, records[i], interp_ledger, options);
    errors += want.error;
    EXPECT_EQ(Render(out.Decision(i), ids[i]), Render(want, ids[i]));
  }
  EXPECT_EQ(out.interpreted(), errors) << "shipments the compiled code handed to the interpreter";
  EXPECT_EQ(jit_ledger.entries(), interp_ledger.entries());
}

// Each example shipment `p` can read, with its id and line, for the tests below that change one field of it.
struct Example {
  interp::Record record;
  std::string id, line;
};
std::vector<Example> Examples(const ir::Program& p) {
  io::RecordParser parser(p);
  std::ifstream in(std::string(EDICT_SOURCE_DIR) + "/examples/shipments.jsonl");
  std::vector<Example> out;
  std::string line, error;
  while (std::getline(in, line)) {
    Example e;
    if (line.empty() || !parser.ParseJson(line, &e.record, &error, &e.id)) continue;
    e.line = line;
    out.push_back(std::move(e));
  }
  return out;
}

// The compiled code checks once per record that the required inputs it reads are there. A record built in
// memory (the REPL, the diff's witnesses) may lack one: then both engines decide it alike, through the
// interpreter, whichever field is missing.
TEST_P(PolicyDifferential, RecordsLackingARequiredFieldAgree) {
  Loaded l = Load(GetParam());
  ASSERT_TRUE(l.compilation.ok());
  const ir::Program& p = *l.program;
  auto o2 = Jit(l.program, 2);
  ASSERT_TRUE(o2);
  int cases = 0;
  for (const auto& [full, id, line] : Examples(p)) {
    if (cases >= 400) break;
    for (size_t f = 0; f < p.fields.size(); ++f) {
      if (p.fields[f].kind != ir::Field::kInput || p.fields[f].value || full.values[f].absent()) continue;
      interp::Record a = full, b = full;
      a.values[f] = Value{};
      b.values[f] = Value{};
      MemoryLedger la, lb;
      interp::Decision want = interp::Decide(p, a, la, interp::DecideOptions{});
      interp::Decision got = o2->Decide(b, lb, interp::DecideOptions{});
      EXPECT_EQ(Render(got, id), Render(want, id)) << "without " << p.fields[f].name << ": " << line;
      ++cases;
    }
  }
  EXPECT_GT(cases, 0);
}

// Input never carries a derived field, but a test may fix one (`with tpp = ...`): compiled code leaves such a
// record to the interpreter (it always computes derived fields itself), and the decisions agree.
TEST_P(PolicyDifferential, RecordsFixingADerivedFieldAreTheInterpreters) {
  Loaded l = Load(GetParam());
  ASSERT_TRUE(l.compilation.ok());
  const ir::Program& p = *l.program;
  auto o2 = Jit(l.program, 2);
  ASSERT_TRUE(o2);
  int cases = 0;
  for (const auto& [full, id, line] : Examples(p)) {
    if (cases >= 200) break;
    for (size_t f = 0; f < p.fields.size(); ++f) {
      if (p.fields[f].kind != ir::Field::kDerived) continue;
      std::vector<Value> values;
      if (p.fields[f].value->kind == ValueKind::kNumber)
        values = {Value::Number(Rational::Int(0)), Value::Number(Rational::Int(26'900'000)),
                  Value::Number(Rational{1, 3})};
      else if (p.fields[f].value->kind == ValueKind::kEnum)
        values = {Value::Enum(0)};
      for (const Value& v : values) {
        interp::Record a = full;
        a.values[f] = v;
        interp::Record b = a;
        MemoryLedger la, lb;
        interp::Decision want = interp::Decide(p, a, la, interp::DecideOptions{});
        auto batch = o2->NewBatch();
        ASSERT_TRUE(batch::Pack(o2->layout(), p, b, batch.get()));
        jit::BatchDecisions out;
        o2->DecideBatch(*batch, lb, interp::DecideOptions{}, &out, 1);
        EXPECT_EQ(Render(out.Decision(0), id), Render(want, id))
            << "with " << p.fields[f].name << ": " << line;
        EXPECT_EQ(out.interpreted(), 1u) << "with " << p.fields[f].name << ": " << line;
        ++cases;
      }
    }
  }
  EXPECT_GT(cases, 0);
}

TEST(OperandOrder, TheLeftOperandsErrorIsReportedByBothEngines) {
  const std::string zero = "(item.tpp - 15_832 tpp)";  // zero for the H100 SXM alone
  for (const std::string op : {"<", "=", "+"}) {
    std::string when = "1 tpp / " + zero + " " + op + " 2 tpp / " + zero + (op == "+" ? " > 0" : "");
    std::string text =
        "policy \"order\"\n  in force from 2025-01-01\nimport ear.units\nimport ear.outcomes\n"
        "import ear.chips\nimport ear.shipment\nimport countries\n\nrule r\n  cite \"c\"\n  when " +
        when + "\n  then prohibited\n";
    Loaded l = Load("tests/jit/order.edict", &text);
    ASSERT_TRUE(l.compilation.ok()) << RenderAll(l.compilation.diags);
    const ir::Program& p = *l.program;
    auto o2 = Jit(l.program, 2);
    ASSERT_TRUE(o2);
    int item = p.FieldIndex("item");
    const auto& chips = p.enums[p.fields[item].enum_index].members;
    int h100 = static_cast<int>(std::find(chips.begin(), chips.end(), "nvidia-h100-sxm") - chips.begin());
    interp::Record a;
    a.values.assign(p.fields.size(), Value{});
    a.values[p.FieldIndex("date")] = Value::Date(DaysFromCivil(2025, 6, 2));
    a.values[p.FieldIndex("destination")] = Value::Enum(0);
    a.values[p.FieldIndex("consignee")] = Value::Text("C");
    a.values[item] = Value::Enum(h100);
    a.values[p.FieldIndex("quantity")] = Value::Number(Rational::Int(1));
    interp::Record b = a;
    MemoryLedger l1, l2;
    interp::Decision want = interp::Decide(p, a, l1, interp::DecideOptions{});
    interp::Decision got = o2->Decide(b, l2, interp::DecideOptions{});
    ASSERT_TRUE(want.error) << op;
    EXPECT_EQ(want.error_message, "division by zero") << op;
    EXPECT_EQ(want.error_span.line, 11) << op;
    EXPECT_EQ(want.error_span.col, 7) << op;  // `1 tpp / ...`, the left operand, not `2 tpp / ...`
    EXPECT_EQ(Render(got, "t"), Render(want, "t")) << op;
  }
}

// A batch's change to one quota key that does not fit in a Rational (from far below zero to far above it)
// still reaches the ledger exactly: the compiled path flushes it in two steps, the interpreter amount by
// amount, and both ledgers end alike.
TEST(QuotaFlush, AChangeBeyondTheRationalRangeReachesTheLedger) {
  const std::string text =
      "policy \"flush\"\n  in force from 2025-01-01\nimport ear.units\nimport ear.outcomes\n"
      "import ear.chips\nimport ear.shipment\nimport countries\n\nquota big\n  limit 1 tpp\n"
      "  measure 160_000_000_000_000_000_000_000_000_000_000_000_000 tpp\n  per consignee\n\n"
      "rule r\n  cite \"c\"\n  when quantity > 0 units\n  then prohibited\n  consumes big\n";
  Loaded l = Load("tests/jit/flush.edict", &text);
  ASSERT_TRUE(l.compilation.ok()) << RenderAll(l.compilation.diags);
  const ir::Program& p = *l.program;
  auto o2 = Jit(l.program, 2);
  ASSERT_TRUE(o2);
  interp::Record r;
  r.values.assign(p.fields.size(), Value{});
  r.values[p.FieldIndex("id")] = Value::Text("s");
  r.values[p.FieldIndex("date")] = Value::Date(DaysFromCivil(2025, 6, 2));
  r.values[p.FieldIndex("destination")] = Value::Enum(0);
  r.values[p.FieldIndex("consignee")] = Value::Text("C");
  r.values[p.FieldIndex("item")] = Value::Enum(0);
  r.values[p.FieldIndex("quantity")] = Value::Number(Rational::Int(1));
  // The key, as the interpreter names it; both ledgers start far below zero.
  MemoryLedger probe;
  interp::Record first = r;
  interp::Decision d = interp::Decide(p, first, probe, interp::DecideOptions{});
  ASSERT_FALSE(d.error) << d.error_message;
  ASSERT_EQ(d.quotas.size(), 1u);
  const Rational amount = d.quotas[0].amount;
  MemoryLedger interp_ledger, jit_ledger;
  interp_ledger.Add(d.quotas[0].key, Rational{-amount.num, 1});
  jit_ledger.Add(d.quotas[0].key, Rational{-amount.num, 1});
  std::vector<interp::Record> records = {r, r};
  std::vector<interp::Decision> got = o2->DecideBatch(records, jit_ledger, interp::DecideOptions{}, 1);
  ASSERT_EQ(got.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    interp::Record copy = r;
    interp::Decision want = interp::Decide(p, copy, interp_ledger, interp::DecideOptions{});
    EXPECT_EQ(Render(got[i], "s"), Render(want, "s"));
  }
  EXPECT_EQ(jit_ledger.entries(), interp_ledger.entries());
  EXPECT_EQ(jit_ledger.Consumed(d.quotas[0].key), amount);
}

INSTANTIATE_TEST_SUITE_P(Policies, PolicyDifferential, ::testing::ValuesIn(PolicyPaths()),
                         [](const auto& info) { return Stem(info.param); });

}  // namespace
}  // namespace edict::jit_test
