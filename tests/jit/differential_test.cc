// Every policy's own tests and the example batch, decided by the interpreter and by the JIT at -O0, at -O2
// and from the object cache: the decisions must agree byte for byte.
#include <fstream>

#include "compiler/driver/test_runner.h"
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
  EXPECT_GT(decisions, 0);
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

INSTANTIATE_TEST_SUITE_P(Policies, PolicyDifferential, ::testing::ValuesIn(PolicyPaths()),
                         [](const auto& info) { return Stem(info.param); });

}  // namespace
}  // namespace edict::jit_test
