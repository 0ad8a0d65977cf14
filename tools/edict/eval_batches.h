// `edict eval` on the JIT's packed batches: the input read in pieces of whole records, each parsed into a
// packed batch, decided and formatted by whichever worker (one per core) took it, and written in input order.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "runtime/interp/decide.h"
#include "runtime/io/keep.h"
#include "runtime/io/writer.h"
#include "runtime/jit/jit.h"
#include "tools/edict/eval_ledger.h"
#include "tools/edict/progress.h"
#include "tools/edict/shipment_input.h"

namespace edict::cli {

// The bytes read at a time without a ledger (ShipmentInput::Open): small enough that two workers share the
// input evenly when one of them is slowed down, large enough that a piece's fixed costs do not show.
constexpr size_t kStreamPieceBytes = 1 << 20;

struct BatchedEval {
  const jit::CompiledPolicy* policy = nullptr;
  interp::DecideOptions options;
  io::Format format = io::Format::kJsonl;  // jsonl or csv
  bool explain = false, strict = false;
  Progress* progress = nullptr;           // rows, rate and time left on a terminal (progress.h)
  const io::KeepColumns* keep = nullptr;  // --keep, resolved against the input
  int workers = 0;                        // 0: one per core
  // --ledger: each chunk one ledger transaction, ids decided once (eval_ledger.h).
  LedgerEval* ledger = nullptr;
  size_t ledger_batch = 0;    // shipments per ledger transaction (0: a block's worth)
  io::Provenance provenance;  // after each decision (docs/ledger.md, "Provenance")
  // Without a ledger, the output is written on a thread of its own (io::BackgroundWriter); `direct_output`:
  // with O_DIRECT where possible (a file the command opened).
  bool direct_output = false;
};

struct EvalCounts {
  long total = 0, invalid = 0, failed = 0, recorded = 0;  // recorded: reported from the ledger
  std::map<std::string, long> outcomes;
  std::string error;    // a read or write failure (the command stops)
  int write_errno = 0;  // a write failure's errno (the output could not be written)
};

// Decides every shipment of `input` (whose CSV header has been checked) and writes one line per shipment to
// `out` (after the CSV header, which the caller writes). Returns false (with counts->error) when the input
// cannot be read or the output cannot be written.
bool RunBatchedEval(const BatchedEval& eval, ShipmentInput& input, FILE* out, Ledger& ledger,
                    EvalCounts* counts);

}  // namespace edict::cli
