// The JIT engine: a policy's decision IR (the same ir::Program the interpreter walks) compiled by LLVM ORC
// LLJIT into native functions, one per derived-field pass, rule condition and `notify` expression. The
// decision logic (rules in force, exceptions, conflicts, severity, quotas) runs over those functions exactly
// as interp::Decide does, so a JIT decision is byte-identical to the interpreter's. No LLVM type appears
// here.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"
#include "runtime/ledger/ledger.h"

namespace edict::jit {

struct JitOptions {
  int opt_level = 2;      // 0 or 2 (LLVM -O0 / -O2)
  std::string cache_dir;  // object cache directory; empty: no cache
};

struct CompileStats {
  double compile_ms = 0;  // IR generation + optimisation + machine code (or cache load)
  bool from_cache = false;
  int native_exprs = 0;  // expressions compiled to machine code
  int fallback_exprs =
      0;  // expressions the compiled code hands to the interpreter's evaluator (texts, quotas)
};

struct Module;  // the loaded machine code (engine.cc)
struct Plan;    // what the code generator produced (layout.h)
struct CompiledProgram;

class CompiledPolicy {
 public:
  // Null with `error` set when the program cannot be compiled (the caller may fall back to the interpreter).
  static std::unique_ptr<CompiledPolicy> Compile(std::shared_ptr<const ir::Program> program,
                                                 const JitOptions& options, std::string* error);
  ~CompiledPolicy();

  // Same contract as interp::Decide (without the trace): fills defaults and derived fields of `record`.
  interp::Decision Decide(interp::Record& record, Ledger& ledger, const interp::DecideOptions& options) const;

  // Decides a batch. Policies whose rules consume no quota run on up to `threads` threads (0: all cores); a
  // policy that consumes quotas runs in input order on one thread, each shipment seeing what earlier ones
  // consumed.
  std::vector<interp::Decision> DecideBatch(std::span<interp::Record> records, Ledger& ledger,
                                            const interp::DecideOptions& options, int threads = 0) const;

  bool stateless() const { return stateless_; }
  const CompileStats& stats() const { return stats_; }
  const ir::Program& program() const { return *program_; }

 private:
  CompiledPolicy() = default;
  std::shared_ptr<const ir::Program> program_;
  std::unique_ptr<Plan> plan_;
  std::unique_ptr<Module> module_;
  std::unique_ptr<CompiledProgram> root_;
  CompileStats stats_;
  bool stateless_ = false;
};

// The default object cache directory: $XDG_CACHE_HOME/edict, else ~/.cache/edict, else "" (no cache).
std::string DefaultCacheDir();

}  // namespace edict::jit
