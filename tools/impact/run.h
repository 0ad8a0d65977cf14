// `edict impact`'s pass over the shipments: every record read once, decided under the old and the new policy
// (each with a ledger of its own), and counted (tally.h); the rows whose outcome moved are written out.
//
// With the JIT (both policies compiled), records are parsed by one worker per core straight into packed
// batches (eval_batches.cc's scheme), once: when both policies read the same schema, the new policy decides
// the old policy's batch itself (the same text constants and interned fields) or a copy of it with its texts
// re-stored; otherwise each policy parses the record itself.
// Policies that consume no quota are decided by the workers; otherwise the two policies decide their batches
// in input order, on two threads. Without the JIT, the interpreter decides record by record. Both ways give
// the same counts and rows (tests/impact).
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"
#include "runtime/io/keep.h"
#include "runtime/io/writer.h"
#include "runtime/jit/jit.h"
#include "tools/edict/progress.h"
#include "tools/edict/shipment_input.h"
#include "tools/impact/tally.h"

namespace edict::impact {

struct ImpactRun {
  std::shared_ptr<const ir::Program> old_program, new_program;
  // Both, or neither (the interpreter decides).
  const jit::CompiledPolicy* old_jit = nullptr;
  const jit::CompiledPolicy* new_jit = nullptr;
  interp::DecideOptions options;
  cli::Progress* progress = nullptr;  // rows, rate and time left on a terminal
  // --rows: the moved rows, as JSON Lines or CSV (after the header, which the caller writes).
  FILE* rows = nullptr;
  io::Format rows_format = io::Format::kJsonl;
  const io::KeepColumns* keep = nullptr;
  int workers = 0;  // 0: one per core
};

// The CSV header of --rows (without kept columns).
std::string RowsCsvHeader();

// Reads every record of `input` (its CSV header set on both policies' parsers by the caller: `old_parser`
// and `new_parser` are copied per worker through their header) and counts it into `tally`. False with
// `error` on a read or write failure.
bool Run(const ImpactRun& run, cli::ShipmentInput& input, bool strict, Tally* tally, std::string* error);

// True when a record read for `a` means the same for `b`: the same fields, kinds, units, enum members and
// required fields, and the same packed slots (the texts are re-stored).
bool SameRecords(const ir::Program& a, const batch::PackedLayout& la, const ir::Program& b,
                 const batch::PackedLayout& lb);

}  // namespace edict::impact
