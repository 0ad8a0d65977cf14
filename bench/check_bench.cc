// Front-end cost: the stdlib plus one policy read, parsed, resolved, type-checked and lowered to the decision
// IR (what `edict check POLICY` does before it prints). Issue 2's target: under 50 ms. Run:
//   build/bin/edict_check_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "compiler/driver/pipeline.h"

namespace edict::bench {
namespace {

void CheckPolicy(benchmark::State& state, const std::string& stem) {
  std::string path = std::string(EDICT_SOURCE_DIR) + "/policies/" + stem + ".edict";
  for (auto _ : state) {
    driver::Compilation c = driver::CompileFile(path, {});
    if (!c.ok()) {
      state.SkipWithError(("does not compile: " + path).c_str());
      break;
    }
    benchmark::DoNotOptimize(c.program.get());
  }
}

// The largest single policy, and the timeline (which compiles four policies and their imports).
BENCHMARK_CAPTURE(CheckPolicy, ai_diffusion_2025, std::string("ai_diffusion_2025"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(CheckPolicy, us_ear_timeline, std::string("us_ear_timeline"))
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace edict::bench

BENCHMARK_MAIN();
