// REPL start-up and answer times (docs/performance.md, "REPL"): a session loading the stdlib and one policy,
// a short-form query answered, and an expression (which recompiles the policy) evaluated.
#include <benchmark/benchmark.h>

#include "tools/repl/session.h"

namespace {

const std::string kPolicy = std::string(EDICT_SOURCE_DIR) + "/policies/ai_diffusion_2025.edict";
const std::string kQuery = "ship 1000 nvidia-h100-sxm to IN consignee \"Indus Compute\" on 2025-06-02";

void BM_StartUpWithOnePolicy(benchmark::State& state) {
  for (auto _ : state) {
    edict::repl::Session session{edict::repl::SessionOptions{}};
    benchmark::DoNotOptimize(session.Load(kPolicy));
  }
}
BENCHMARK(BM_StartUpWithOnePolicy)->Unit(benchmark::kMillisecond);

void BM_QueryAnswered(benchmark::State& state) {
  edict::repl::Session session{edict::repl::SessionOptions{}};
  session.Load(kPolicy);
  for (auto _ : state) {
    benchmark::DoNotOptimize(session.Handle(kQuery));
    state.PauseTiming();
    session.Handle(":rollback");  // every query sees the same quotas
    state.ResumeTiming();
  }
}
BENCHMARK(BM_QueryAnswered)->Unit(benchmark::kMicrosecond);

void BM_ExpressionEvaluated(benchmark::State& state) {
  edict::repl::Session session{edict::repl::SessionOptions{}};
  session.Load(kPolicy);
  for (auto _ : state) benchmark::DoNotOptimize(session.Handle("nvidia-h100-sxm.tpp * 2000"));
}
BENCHMARK(BM_ExpressionEvaluated)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
