// The JIT engine: a policy's decision IR (the same ir::Program the interpreter walks) compiled by LLVM ORC
// LLJIT into one native function that decides a whole batch of packed shipments (abi.h,
// runtime/batch/packed.h): fields, the timeline's dispatch, conditions, exceptions, conflicts, severity,
// determining rules and quotas. A shipment the compiled code cannot decide without error (overflow, a
// conflict, a member a timeline's policy lacks) is decided by the interpreter, in its place in the batch,
// so every decision is byte-identical to the interpreter's. No LLVM type appears here.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/batch/packed.h"
#include "runtime/interp/decide.h"
#include "runtime/jit/abi.h"
#include "runtime/ledger/ledger.h"

namespace edict::jit {

struct JitOptions {
  int opt_level = 2;      // 0 or 2 (LLVM -O0 / -O2)
  std::string cache_dir;  // object cache directory; empty: no cache
  // Threads that look up, or optimise and compile, a timeline's parts (one module per policy, plus the date
  // dispatch): 0, EDICT_JIT_THREADS if set, else one per core. A single policy is one part.
  int compile_threads = 0;
};

struct CompileStats {
  double compile_ms = 0;    // IR generation + optimisation + machine code (or cache load)
  bool from_cache = false;  // every part came from the object cache
  int parts = 0;            // modules compiled (or loaded), each with its own cache entry
  int parts_from_cache = 0;
};

struct Module;  // the loaded machine code (engine.cc)
class CompiledPolicy;

// The decisions of one batch: a fixed-size Result per shipment (what compiled code writes), plus the
// interpreter's decisions for the shipments it took over and the quota figures, for writers that show them.
class BatchDecisions {
 public:
  BatchDecisions();
  BatchDecisions(BatchDecisions&&) noexcept;
  BatchDecisions& operator=(BatchDecisions&&) noexcept;
  ~BatchDecisions();

  // Whether the next batches keep the quota figures of each decision (View's and Decision's `quotas`: the
  // amounts and the keys as text), which only `--explain`, a persistent ledger, the REPL and explain read.
  // On by default; off, a decision's `quotas` is empty and no quota key is turned into text.
  void set_quota_figures(bool on) { quota_figures_ = on; }

  // Decides this object's later batches with `other`'s quota bookkeeping (running totals, interned keys),
  // for a caller that keeps several BatchDecisions alive but decides their batches one at a time in input
  // order (edict eval's pipeline): the totals then hold from one batch to the next instead of being read
  // from the ledger again by each. Never for batches decided at the same time.
  void ShareQuotaState(BatchDecisions& other);

  size_t size() const { return size_; }
  const Result& result(size_t i) const { return results_[i]; }
  // How many shipments the interpreter decided (the compiled code met an error or a conflict).
  size_t interpreted() const { return interpreted_.size(); }
  // Whether the interpreter decided shipment i (else result(i) is the compiled code's decision).
  bool IsInterpreted(size_t i) const { return !interpreted_.empty() && Interpreted(i) != nullptr; }
  // The decision in the interpreter's form (writers, explain, the REPL): program, outcome, rules, quotas.
  interp::Decision Decision(size_t i) const;
  // The same without copying: what writers read. `rules` receives the determining rules.
  interp::DecisionView View(size_t i, std::vector<int>* rules) const;

 private:
  friend class CompiledPolicy;
  // The interpreter's decision for shipment i, when it decided it; else null.
  const interp::Decision* Interpreted(size_t i) const;
  const CompiledPolicy* policy_ = nullptr;
  std::vector<Result> results_;  // the first size_ are this batch's; storage is reused
  size_t size_ = 0;
  std::vector<std::pair<size_t, interp::Decision>> interpreted_;  // by record, ascending
  std::vector<size_t> use_records_;                               // by record, ascending
  std::vector<interp::QuotaUse> uses_;                            // parallel to use_records_
  std::vector<BatchDecisions> parts_;   // the workers' shares of a parallel batch, reused
  std::shared_ptr<QuotaState> quotas_;  // the batch's quota totals; storage reused from batch to batch
  bool quota_figures_ = true;
};

class CompiledPolicy {
 public:
  // Null with `error` set when the program cannot be compiled (the caller may fall back to the interpreter).
  static std::unique_ptr<CompiledPolicy> Compile(std::shared_ptr<const ir::Program> program,
                                                 const JitOptions& options, std::string* error);
  ~CompiledPolicy();

  // The layout of the records the compiled code reads (the root program's schema).
  const batch::PackedLayout& layout() const { return layout_; }
  // An empty batch for this policy: its text table starts with the policy's text constants.
  std::unique_ptr<batch::Batch> NewBatch() const;
  // Empties a batch made by NewBatch for reuse; a policy that consumes quotas keeps its interned texts (their
  // ids, by which QuotaState finds keys, hold for the next records: batch::Batch::Clear).
  void Reset(batch::Batch* batch) const;

  // Decides every record of `batch` (made by NewBatch). Policies whose rules consume no quota run on up to
  // `threads` threads (0: all cores); a policy that consumes quotas runs in input order on one thread, each
  // shipment seeing what earlier ones consumed. What the batch consumed is added to `ledger` at the end.
  void DecideBatch(const batch::Batch& batch, Ledger& ledger, const interp::DecideOptions& options,
                   BatchDecisions* out, int threads = 1) const;

  // One shipment, or many, in the interpreter's record form (tests, the REPL's comparisons, the diff's
  // witnesses): packed, decided, and returned as interp::Decision.
  interp::Decision Decide(const interp::Record& record, Ledger& ledger,
                          const interp::DecideOptions& options) const;
  std::vector<interp::Decision> DecideBatch(std::span<interp::Record> records, Ledger& ledger,
                                            const interp::DecideOptions& options, int threads = 0) const;

  bool stateless() const { return stateless_; }
  const CompileStats& stats() const { return stats_; }
  const ir::Program& program() const { return *program_; }
  const Plan& plan() const { return *plan_; }

 private:
  CompiledPolicy() = default;
  void Run(const batch::Batch& batch, size_t begin, size_t end, Ledger& ledger,
           const interp::DecideOptions& options, Result* results, BatchDecisions* out) const;

  std::shared_ptr<const ir::Program> program_;
  batch::PackedLayout layout_;
  std::unique_ptr<Plan> plan_;
  std::unique_ptr<Module> module_;
  DecideFn decide_ = nullptr;
  CompileStats stats_;
  bool stateless_ = false;
};

// The default object cache directory: $XDG_CACHE_HOME/edict, else ~/.cache/edict, else "" (no cache).
std::string DefaultCacheDir();

}  // namespace edict::jit
