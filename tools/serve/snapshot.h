// A policy as the server serves it: the checked program, its JIT code (or none: the interpreter decides),
// what `GET /v1/policy` answers, and a pool of per-request scratch (parsers, packed batches). A snapshot is
// immutable once loaded and shared by the requests that use it: a reload loads a new one and swaps it in
// (service.h), and requests in flight finish on the one they started with.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"
#include "runtime/io/reader.h"
#include "runtime/jit/jit.h"
#include "tools/serve/metrics.h"
#include "tools/serve/request.h"

namespace edict::serve {

struct LoadOptions {
  std::string stdlib_dir;  // --stdlib; empty: the default search path
  std::string engine = "jit";
  std::string cache_dir;  // the JIT's object cache; empty: none
  std::string edict_version;
};

class Snapshot;

// What one request works with; taken from the snapshot's pool and given back when the request ends.
struct Scratch {
  explicit Scratch(const Snapshot& snapshot);
  io::RecordParser parser;
  RequestReader reader;
  std::unique_ptr<batch::Batch> batch;  // the JIT's packed records (null under the interpreter)
  jit::BatchDecisions decisions;
  std::vector<int> rules;
  std::vector<interp::Record> records;
  std::vector<std::string> ids;
};

class Snapshot {
 public:
  // Compiles `path`. Null with `diagnostics` set (rendered as `edict check` prints them) when it does not
  // compile. `files` (for --watch) receives SourceFiles of the program when it compiles.
  static std::shared_ptr<const Snapshot> Load(const std::string& path, const LoadOptions& options,
                                              std::string* diagnostics, std::vector<std::string>* files);

  const ir::Program& program() const { return *program_; }
  const std::shared_ptr<const ir::Program>& program_ptr() const { return program_; }
  // Null: the interpreter decides (--engine interp, or the JIT could not compile the policy).
  const jit::CompiledPolicy* jit() const { return jit_.get(); }
  const char* engine() const { return jit_ ? "jit" : "interp"; }
  bool timeline() const { return !program_->timeline.empty(); }
  const PolicyLabels& labels() const { return labels_; }
  // The body of GET /v1/policy.
  const std::string& policy_json() const { return policy_json_; }
  // The provenance members every decision ends with, as `edict eval` writes them (io::Provenance::Json).
  const std::string& provenance() const { return provenance_; }
  // A note when the JIT was asked for and the interpreter is used instead; "" otherwise.
  const std::string& engine_note() const { return engine_note_; }

  // One shipment in the interpreter's record form, by whichever engine this snapshot has.
  interp::Decision Decide(interp::Record& record, Ledger& ledger, const interp::DecideOptions& options) const;

  // Scratch for one request, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(const Snapshot* owner, std::unique_ptr<Scratch> scratch)
        : owner_(owner), scratch_(std::move(scratch)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Scratch& operator*() const { return *scratch_; }
    Scratch* operator->() const { return scratch_.get(); }

   private:
    const Snapshot* owner_;
    std::unique_ptr<Scratch> scratch_;
  };
  Lease Borrow() const;

 private:
  Snapshot() = default;
  std::shared_ptr<const ir::Program> program_;
  std::unique_ptr<jit::CompiledPolicy> jit_;
  PolicyLabels labels_;
  std::string policy_json_, engine_note_, provenance_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Scratch>> pool_;
};

// What a policy was compiled from, for --watch: the files its rules and quotas were read from (the policy and
// the policies it imports), a timeline's policies, and the stdlib's modules.
std::vector<std::string> SourceFiles(const ir::Program& program, const std::string& stdlib_dir);

// The body of GET /v1/policy: id, title, version, source, hash, dates, rules with citations, quotas, and a
// timeline's policies with theirs (policy_json.cc).
std::string PolicyJson(const ir::Program& program, const std::string& engine,
                       const std::string& edict_version);

}  // namespace edict::serve
