// `edict bench POLICY [--input FILE] [--format json]`: decisions per second of each engine over one in-memory
// batch (the input file, or the shipments of the policy's own tests), and the JIT's cold compile time.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "compiler/driver/test_runner.h"
#include "runtime/io/reader.h"
#include "runtime/jit/jit.h"
#include "tools/edict/commands.h"

namespace edict::cli {

namespace {

struct BenchArgs {
  std::string policy, input, format = "text";
  double seconds = 1.0;
};

bool LoadBatch(const BenchArgs& args, const ir::Program& program, std::vector<interp::Record>* batch) {
  if (args.input.empty()) {
    for (const auto& test : program.tests)
      for (const auto& step : test.steps)
        if (step.kind == ir::TestStep::kShip || step.kind == ir::TestStep::kGiven)
          batch->push_back(driver::RecordFromStep(program, step));
    return true;
  }
  std::ifstream in(args.input, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "edict bench: cannot read '%s'\n", args.input.c_str());
    return false;
  }
  io::RecordParser parser(program);
  std::string line, error, id;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    interp::Record rec;
    if (parser.ParseJson(line, &rec, &error, &id)) batch->push_back(std::move(rec));
  }
  return true;
}

// Decides the whole batch over and over for at least `seconds`, in place: before each decision the slots the
// engine filled last time (defaults, derived fields) are cleared, so every decision does the whole work. A
// fresh ledger per pass, so quotas behave as in one run.
template <typename DecideFn>
double DecisionsPerSecond(std::vector<interp::Record>& batch, const std::vector<std::vector<int>>& unset,
                          double seconds, DecideFn decide) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  long decisions = 0;
  double elapsed = 0;
  int sink = 0;
  do {
    MemoryLedger ledger;
    for (size_t i = 0; i < batch.size(); ++i) {
      for (int k : unset[i]) batch[i].values[k] = Value{};
      sink += static_cast<int>(decide(batch[i], ledger).kind);
    }
    decisions += static_cast<long>(batch.size());
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  if (sink == -1) std::puts("");  // keeps the decisions observable
  return decisions / elapsed;
}

int RunBench(const BenchArgs& args, const Common& common) {
  auto program = CompileForCommand(args.policy, common);
  if (!program) return 1;
  std::vector<interp::Record> batch;
  if (!LoadBatch(args, *program, &batch)) return 2;
  if (batch.empty()) {
    std::fprintf(stderr, "edict bench: no shipments to decide\n");
    return 2;
  }
  // Grow small batches so that one pass is long enough to time.
  for (size_t n = batch.size(); batch.size() < 4096;)
    for (size_t i = 0; i < n; ++i) batch.push_back(batch[i]);
  std::vector<std::vector<int>> unset(batch.size());
  for (size_t i = 0; i < batch.size(); ++i)
    for (size_t k = 0; k < batch[i].values.size(); ++k)
      if (batch[i].values[k].absent()) unset[i].push_back(static_cast<int>(k));
  interp::DecideOptions options;
  double interp_rate = DecisionsPerSecond(batch, unset, args.seconds, [&](interp::Record& r, Ledger& l) {
    return interp::Decide(*program, r, l, options);
  });
  jit::JitOptions jit_options;  // no cache: the compile time is a cold compile
  std::string error;
  auto compiled = jit::CompiledPolicy::Compile(program, jit_options, &error);
  if (!compiled) {
    std::fprintf(stderr, "edict bench: the JIT cannot compile this policy: %s\n", error.c_str());
    return 1;
  }
  // The JIT as `edict eval` runs it: the batch packed once, decided in one call per pass (one thread).
  auto packed = compiled->NewBatch();
  for (const interp::Record& r : batch)
    if (!batch::Pack(compiled->layout(), *program, r, packed.get())) {
      std::fprintf(stderr, "edict bench: a shipment does not fit the packed layout\n");
      return 2;
    }
  double jit_rate = 0;
  {
    MemoryLedger ledger;
    jit::BatchDecisions out;
    long decisions = 0;
    double elapsed = 0;
    auto start = std::chrono::steady_clock::now();
    do {
      compiled->DecideBatch(*packed, ledger, options, &out, 1);
      decisions += static_cast<long>(out.size());
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < args.seconds);
    jit_rate = decisions / elapsed;
  }
  double compile_ms = compiled->stats().compile_ms;
  if (args.format == "json") {
    std::printf(
        "{\"engines\":[{\"name\":\"interp\",\"decisions_per_second\":%.0f},{\"name\":\"jit\","
        "\"decisions_per_second\":%.0f,\"compile_ms\":%.1f}]}\n",
        interp_rate, jit_rate, compile_ms);
  } else {
    std::printf("%zu shipments in the batch\n", batch.size());
    std::printf("interp  %14.0f decisions/s\n", interp_rate);
    std::printf("jit     %14.0f decisions/s  (%.1fx; compiled in %.1f ms)\n", jit_rate,
                jit_rate / interp_rate, compile_ms);
    // The same compile through a fresh object cache: the first fills it, the second loads from it.
    std::string dir =
        std::filesystem::temp_directory_path().string() + "/edict-bench-" + std::to_string(getpid());
    jit_options.cache_dir = dir;
    auto fill = jit::CompiledPolicy::Compile(program, jit_options, &error);
    auto load = jit::CompiledPolicy::Compile(program, jit_options, &error);
    if (fill && load && load->stats().from_cache)
      std::printf("jit from the object cache: %.1f ms (filling it: %.1f ms)\n", load->stats().compile_ms,
                  fill->stats().compile_ms);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return 0;
}

void AddBench(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("bench", "Decisions per second of the interpreter and the JIT on one batch");
  static BenchArgs args;
  cmd->add_option("policy", args.policy, "Policy file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--input,-i", args.input, "Shipments (JSON Lines); default: the policy's test shipments");
  cmd->add_option("--format", args.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--seconds", args.seconds, "Minimum time per engine")->check(CLI::PositiveNumber);
  cmd->callback([&] { exit_code = RunBench(args, common); });
}

Registrar registrar(80, AddBench);

}  // namespace

}  // namespace edict::cli
