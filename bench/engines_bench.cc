// Interpreter vs JIT vs hand-written C++ on one batch of 10,000 random shipments under the stateless part of
// ai_diffusion_2025 (bench/ai_diffusion_stateless.edict), in one run, so the ratios are comparable. Run:
//   build/bin/edict_bench --benchmark_counters_tabular=true
// Items processed = decisions.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "bench/hand_written.h"
#include "compiler/driver/pipeline.h"
#include "runtime/date.h"
#include "runtime/interp/decide.h"
#include "runtime/io/writer.h"
#include "runtime/jit/jit.h"

namespace edict::bench {
namespace {

constexpr int kBatch = 10000;

struct Fixture {
  driver::Compilation compilation, probe;
  std::shared_ptr<const ir::Program> program;
  std::unique_ptr<jit::CompiledPolicy> jit;
  std::vector<interp::Record> records;
  std::vector<std::vector<int>> unset;  // per record, the slots the engines fill (defaults, derived fields)
  std::vector<HandShipment> shipments;
  std::unique_ptr<batch::Batch> packed;  // the same records, packed for the compiled decision
  std::unique_ptr<batch::Batch> large;   // the packed records 20 times over: thread scaling
  HandTables tables;
  MemoryLedger ledger;
  interp::DecideOptions options;
};

int Member(const ir::Program& p, int enum_index, const std::string& name) {
  const auto& m = p.enums[enum_index].members;
  for (size_t i = 0; i < m.size(); ++i)
    if (m[i] == name) return static_cast<int>(i);
  return -1;
}

std::vector<uint64_t> SetOfRule(const ir::Program& probe, const std::string& rule) {
  const ir::Expr* when = probe.rules[probe.RuleIndex(rule)].when;
  return when->args[1]->constant.set->words;
}

Fixture* Build() {
  auto* f = new Fixture;
  std::string dir = EDICT_SOURCE_DIR;
  f->compilation = driver::CompileFile(dir + "/bench/ai_diffusion_stateless.edict", {});
  if (!f->compilation.ok()) {
    std::fprintf(stderr, "bench: cannot compile the benchmark policy\n");
    std::abort();
  }
  f->program = f->compilation.program;
  const ir::Program& p = *f->program;
  std::string error;
  f->jit = jit::CompiledPolicy::Compile(f->program, jit::JitOptions{}, &error);
  if (!f->jit) {
    std::fprintf(stderr, "bench: JIT: %s\n", error.c_str());
    std::abort();
  }
  // The sets the hand-written evaluator needs, read from the stdlib through a probe policy.
  std::string probe_text =
      "policy \"probe\"\n  in force from 2020-01-01\n\nimport ear.units\nimport ear.outcomes\nimport "
      "ear.groups\n"
      "import ear.chips\nimport ear.shipment\nimport countries\n\n"
      "rule t1\n  when destination in supp5_a\n  then prohibited\n\n"
      "rule t3\n  when destination in d5_and_macau\n  then prohibited\n\n"
      "rule scope\n  when destination in license_scope_2023\n  then prohibited\n";
  f->probe = driver::CompileFile(dir + "/bench/probe.edict", {}, &probe_text);
  if (!f->probe.ok()) {
    std::fprintf(stderr, "bench: cannot compile the probe policy\n");
    std::abort();
  }
  HandTables& t = f->tables;
  t.tier1 = SetOfRule(*f->probe.program, "t1");
  t.tier3 = SetOfRule(*f->probe.program, "t3");
  t.scope_2023 = SetOfRule(*f->probe.program, "scope");
  int fd = p.FieldIndex("date"), fdest = p.FieldIndex("destination"), fhq = p.FieldIndex("consignee_hq"),
      fitem = p.FieldIndex("item"), fveu = p.FieldIndex("veu"), fopen = p.FieldIndex("open_weights"),
      fops = p.FieldIndex("training_ops"), fcons = p.FieldIndex("consignee"), feccn = p.FieldIndex("eccn"),
      fqty = p.FieldIndex("quantity");
  int country_enum = p.fields[fdest].enum_index, item_enum = p.fields[fitem].enum_index;
  int eccn_enum = p.fields[feccn].enum_index, veu_enum = p.fields[fveu].enum_index;
  t.us = Member(p, country_enum, "US");
  t.weights_item = Member(p, item_enum, "model-weights");
  t.in_force_from = p.from;
  t.nac = Member(p, p.symbol_enum, "NAC");
  t.aca = Member(p, p.symbol_enum, "ACA");
  t.aia = Member(p, p.symbol_enum, "AIA");
  t.approval = Member(p, p.review_enum, "approval");
  t.denial = Member(p, p.review_enum, "denial");
  int n_items = static_cast<int>(p.enums[item_enum].members.size());
  int n_countries = static_cast<int>(p.enums[country_enum].members.size());
  const auto& eccns = p.enums[eccn_enum].members;
  int dc_field = -1;
  const ir::Table& catalog = p.tables[p.table_of_enum[item_enum]];
  for (size_t i = 0; i < catalog.fields.size(); ++i)
    if (catalog.fields[i] == "datacenter") dc_field = static_cast<int>(i);
  // The per-chip ECCN, as a constant table (the interpreter classifies each catalog row once).
  for (int item = 0; item < n_items; ++item) {
    interp::Record r;
    r.values.assign(p.fields.size(), Value{});
    r.values[fd] = Value::Date(DaysFromCivil(2025, 6, 1));
    r.values[fdest] = Value::Enum(t.us);
    r.values[fcons] = Value::Text("x");
    r.values[fitem] = Value::Enum(item);
    r.values[fqty] = Value::Number(Rational::Int(1));
    interp::Decide(p, r, f->ledger, f->options);
    const std::string& e = eccns[r.values[feccn].i];
    t.eccn.push_back(e.rfind("3A090.a", 0) == 0 ? kA : e.rfind("3A090.b", 0) == 0 ? kB : kNone);
    t.datacenter.push_back(catalog.rows[item][dc_field].b);
  }
  // The batch: random shipments (seeded) over countries, chips, VEU status, dates around the rule's start.
  std::mt19937_64 rng(4544);
  auto pick = [&](uint64_t n) {
    return static_cast<int>(std::uniform_int_distribution<uint64_t>(0, n - 1)(rng));
  };
  int start = DaysFromCivil(2024, 10, 1);
  for (int i = 0; i < kBatch; ++i) {
    interp::Record r;
    r.values.assign(p.fields.size(), Value{});
    r.values[fd] = Value::Date(start + pick(730));
    r.values[fdest] = Value::Enum(pick(n_countries));
    r.values[fhq] = pick(4) == 0 ? Value::Enum(pick(n_countries)) : r.values[fdest];
    r.values[fcons] = Value::Text("Consignee");
    r.values[fitem] = Value::Enum(pick(n_items));
    r.values[fqty] = Value::Number(Rational::Int(1 + pick(5000)));
    r.values[fveu] = Value::Enum(Member(p, veu_enum, pick(3) == 0 ? (pick(2) ? "uveu" : "nveu") : "none"));
    r.values[fopen] = Value::Bool(pick(2));
    i128 ops = pick(2) ? static_cast<i128>(100000000000000000LL) * 1000000000LL : 1000;
    r.values[fops] = Value::Number(Rational{ops, 1});
    HandShipment s;
    s.date = r.values[fd].i;
    s.destination = static_cast<uint16_t>(r.values[fdest].i);
    s.consignee_hq = static_cast<uint16_t>(r.values[fhq].i);
    s.item = static_cast<uint16_t>(r.values[fitem].i);
    s.veu = r.values[fveu].i == Member(p, veu_enum, "uveu")   ? 1
            : r.values[fveu].i == Member(p, veu_enum, "nveu") ? 2
                                                              : 0;
    s.open_weights = r.values[fopen].b;
    s.training_ops = ops;
    std::vector<int> unset;
    for (size_t k = 0; k < r.values.size(); ++k)
      if (r.values[k].absent()) unset.push_back(static_cast<int>(k));
    f->unset.push_back(std::move(unset));
    f->records.push_back(std::move(r));
    f->shipments.push_back(s);
  }
  // The hand-written evaluator must decide what the engines decide, or its figure means nothing.
  int disagree = 0;
  for (int i = 0; i < kBatch; ++i) {
    interp::Decision d = f->jit->Decide(f->records[i], f->ledger, f->options);
    HandDecision h = HandDecide(t, f->shipments[i]);
    if (d.error != h.conflict || (!d.error && (static_cast<int>(d.kind) != h.kind || d.symbol != h.symbol ||
                                               d.review != h.review || d.notify != h.notify)))
      ++disagree;
  }
  std::fprintf(stderr, "hand-written vs JIT: %d of %d decisions differ\n", disagree, kBatch);
  if (disagree) std::abort();
  f->packed = f->jit->NewBatch();
  for (const auto& r : f->records)
    if (!batch::Pack(f->jit->layout(), p, r, f->packed.get())) std::abort();
  f->large = f->jit->NewBatch();
  for (int copy = 0; copy < 20; ++copy)
    for (const auto& r : f->records)
      if (!batch::Pack(f->jit->layout(), p, r, f->large.get())) std::abort();
  jit::BatchDecisions out;
  f->jit->DecideBatch(*f->packed, f->ledger, f->options, &out, 1);
  int packed_disagree = 0;
  for (int i = 0; i < kBatch; ++i) {
    const jit::Result& r = out.result(i);
    HandDecision h = HandDecide(t, f->shipments[i]);
    if ((r.status == jit::Result::kError) != h.conflict ||
        (!h.conflict &&
         (r.kind != h.kind || r.symbol != h.symbol || r.review != h.review || r.notify != h.notify)))
      ++packed_disagree;
  }
  std::fprintf(stderr, "hand-written vs packed JIT batch: %d of %d differ; %zu left to the interpreter\n",
               packed_disagree, kBatch, out.interpreted());
  if (packed_disagree) std::abort();
  return f;
}

// Re-deciding a record must redo its work: the slots the engines filled last time are cleared first.
inline interp::Record& Fresh(Fixture& f, size_t i) {
  interp::Record& r = f.records[i];
  for (int k : f.unset[i]) r.values[k] = Value{};
  return r;
}

// Random shipments for any policy over the shared schema, with `consignees` different consignee names (the
// quotas' keys), dated from `first` over `days` days.
struct QuotaFixture {
  driver::Compilation compilation;
  std::shared_ptr<const ir::Program> program;
  std::unique_ptr<jit::CompiledPolicy> jit;
  std::vector<interp::Record> records;
  std::unique_ptr<batch::Batch> packed;
  interp::DecideOptions options;
};

QuotaFixture* BuildQuotaFixture(const std::string& path, int first, int days) {
  auto* f = new QuotaFixture;
  f->compilation = driver::CompileFile(std::string(EDICT_SOURCE_DIR) + "/" + path, {});
  if (!f->compilation.ok()) std::abort();
  f->program = f->compilation.program;
  const ir::Program& p = *f->program;
  std::string error;
  // EDICT_BENCH_CACHE: an object cache directory, for whoever maps callgrind's per-address counts of the
  // compiled code onto its disassembly (docs/performance.md, session 18).
  jit::JitOptions options;
  if (const char* cache = std::getenv("EDICT_BENCH_CACHE")) options.cache_dir = cache;
  f->jit = jit::CompiledPolicy::Compile(f->program, options, &error);
  if (!f->jit) {
    std::fprintf(stderr, "bench: JIT: %s\n", error.c_str());
    std::abort();
  }
  int fd = p.FieldIndex("date"), fdest = p.FieldIndex("destination"), fitem = p.FieldIndex("item"),
      fcons = p.FieldIndex("consignee"), fqty = p.FieldIndex("quantity"), fid = p.FieldIndex("id");
  int n_countries = static_cast<int>(p.enums[p.fields[fdest].enum_index].members.size());
  int n_items = static_cast<int>(p.enums[p.fields[fitem].enum_index].members.size());
  std::mt19937_64 rng(90);
  auto pick = [&](uint64_t n) {
    return static_cast<int>(std::uniform_int_distribution<uint64_t>(0, n - 1)(rng));
  };
  static std::vector<std::string> names;
  if (names.empty())
    for (int i = 0; i < 1000; ++i) names.push_back("Consignee " + std::to_string(i));
  for (int i = 0; i < kBatch; ++i) {
    interp::Record r;
    r.values.assign(p.fields.size(), Value{});
    r.values[fid] = Value::Text(r.Keep("s" + std::to_string(i)));
    r.values[fd] = Value::Date(first + pick(days));
    r.values[fdest] = Value::Enum(pick(n_countries));
    r.values[fcons] = Value::Text(r.Keep(names[pick(names.size())]));
    r.values[fitem] = Value::Enum(pick(n_items));
    r.values[fqty] = Value::Number(Rational::Int(1 + pick(2000)));
    f->records.push_back(std::move(r));
  }
  f->packed = f->jit->NewBatch();
  for (const auto& r : f->records)
    if (!batch::Pack(f->jit->layout(), p, r, f->packed.get())) std::abort();
  // The compiled batch must decide what the interpreter decides, quotas included.
  MemoryLedger a, b;
  jit::BatchDecisions out;
  f->jit->DecideBatch(*f->packed, a, f->options, &out, 1);
  for (int i = 0; i < kBatch; ++i) {
    interp::Record copy = f->records[i];
    interp::Decision want = interp::Decide(p, copy, b, f->options);
    interp::Decision got = out.Decision(i);
    if (io::DecisionJson(want, "x", true, true) != io::DecisionJson(got, "x", true, true) ||
        want.error != got.error) {
      std::fprintf(stderr, "bench: %s: the JIT and the interpreter differ on shipment %d\n", path.c_str(), i);
      std::abort();
    }
  }
  std::fprintf(stderr, "%s: JIT and interpreter agree on %d shipments; %zu left to the interpreter\n",
               path.c_str(), kBatch, out.interpreted());
  return f;
}

QuotaFixture& Quotas() {
  static QuotaFixture* f =
      BuildQuotaFixture("policies/ai_diffusion_2025.edict", DaysFromCivil(2025, 1, 13), 365);
  return *f;
}

// The stateless policy on the quota benchmark's shipments: what the same shipments cost without quotas.
QuotaFixture& StatelessOnQuotaShipments() {
  static QuotaFixture* f =
      BuildQuotaFixture("bench/ai_diffusion_stateless.edict", DaysFromCivil(2025, 1, 13), 365);
  return *f;
}

QuotaFixture& Timeline() {
  static QuotaFixture* f =
      BuildQuotaFixture("policies/us_ear_timeline.edict", DaysFromCivil(2023, 1, 1), 1460);
  return *f;
}

// Quotas: an empty ledger per batch (one ledger, cleared: its memory is kept, as over a run's batches), so
// every iteration consumes from zero. The decisions alone (what `edict eval` writes without --explain);
// BM_JitQuotasFigures also keeps each decision's quota figures and key texts, as --explain, a persistent
// ledger and the REPL need them. Not inlined into BENCHMARK_CAPTURE's lambda, so that callgrind's
// --toggle-collect finds it by name.
[[gnu::noinline]] void BM_JitQuotas(benchmark::State& state, QuotaFixture& (*fixture)()) {
  QuotaFixture& f = fixture();
  jit::BatchDecisions out;
  out.set_quota_figures(false);
  MemoryLedger ledger;
  for (auto _ : state) {
    ledger.Clear();
    f.jit->DecideBatch(*f.packed, ledger, f.options, &out, 1);
    benchmark::DoNotOptimize(out.result(0).kind);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

[[gnu::noinline]] void BM_JitQuotasFigures(benchmark::State& state, QuotaFixture& (*fixture)()) {
  QuotaFixture& f = fixture();
  jit::BatchDecisions out;
  MemoryLedger ledger;
  for (auto _ : state) {
    ledger.Clear();
    f.jit->DecideBatch(*f.packed, ledger, f.options, &out, 1);
    benchmark::DoNotOptimize(out.result(0).kind);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

[[gnu::noinline]] void BM_InterpreterQuotas(benchmark::State& state, QuotaFixture& (*fixture)()) {
  QuotaFixture& f = fixture();
  MemoryLedger ledger;
  for (auto _ : state) {
    ledger.Clear();
    for (auto& r : f.records) {
      interp::Record copy = r;
      benchmark::DoNotOptimize(interp::Decide(*f.program, copy, ledger, f.options).kind);
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

Fixture& Get() {
  static Fixture* f = Build();
  return *f;
}

void BM_Interpreter(benchmark::State& state) {
  Fixture& f = Get();
  for (auto _ : state)
    for (size_t i = 0; i < f.records.size(); ++i)
      benchmark::DoNotOptimize(interp::Decide(*f.program, Fresh(f, i), f.ledger, f.options).kind);
  state.SetItemsProcessed(state.iterations() * kBatch);
}

void BM_Jit(benchmark::State& state) {
  Fixture& f = Get();
  for (auto _ : state)
    for (size_t i = 0; i < f.records.size(); ++i)
      benchmark::DoNotOptimize(f.jit->Decide(Fresh(f, i), f.ledger, f.options).kind);
  state.SetItemsProcessed(state.iterations() * kBatch);
}

void BM_JitBatchAllCores(benchmark::State& state) {
  Fixture& f = Get();
  for (auto _ : state) {
    for (size_t i = 0; i < f.records.size(); ++i) Fresh(f, i);
    benchmark::DoNotOptimize(f.jit->DecideBatch(f.records, f.ledger, f.options).size());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// The compiled decision as designed: a packed batch in, fixed-size results out, one call.
void BM_JitPacked(benchmark::State& state) {
  Fixture& f = Get();
  jit::BatchDecisions out;
  for (auto _ : state) {
    f.jit->DecideBatch(*f.packed, f.ledger, f.options, &out, static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(out.result(0).kind);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// Thread scaling on 200,000 shipments (a batch of 10,000 is over in about 100 microseconds, less than it
// takes to start a thread).
void BM_JitPackedLarge(benchmark::State& state) {
  Fixture& f = Get();
  jit::BatchDecisions out;
  for (auto _ : state) {
    f.jit->DecideBatch(*f.large, f.ledger, f.options, &out, static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(out.result(0).kind);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.large->size()));
}

void BM_HandWritten(benchmark::State& state) {
  Fixture& f = Get();
  for (auto _ : state)
    for (const auto& s : f.shipments) benchmark::DoNotOptimize(HandDecide(f.tables, s).kind);
  state.SetItemsProcessed(state.iterations() * kBatch);
}

void BM_JitCompileCold(benchmark::State& state) {
  Fixture& f = Get();
  for (auto _ : state) {
    std::string error;
    benchmark::DoNotOptimize(jit::CompiledPolicy::Compile(f.program, jit::JitOptions{}, &error).get());
  }
}

BENCHMARK(BM_Interpreter)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Jit)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitBatchAllCores)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_JitPacked)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitPacked)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_JitPackedLarge)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_JitPackedLarge)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitQuotas, ai_diffusion_2025, Quotas)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitQuotasFigures, ai_diffusion_2025, Quotas)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_InterpreterQuotas, ai_diffusion_2025, Quotas)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitQuotas, stateless_same_shipments, StatelessOnQuotaShipments)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JitQuotas, us_ear_timeline, Timeline)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_InterpreterQuotas, us_ear_timeline, Timeline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HandWritten)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitCompileCold)->Unit(benchmark::kMillisecond);

}  // namespace

void Prepare() {
  Get();
  Quotas();
  StatelessOnQuotaShipments();
  Timeline();
}

}  // namespace edict::bench

// The fixture is built before any benchmark runs, so that a callgrind run collecting one benchmark's
// function (--toggle-collect) counts its loop and nothing else.
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  edict::bench::Prepare();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
