// `edict eval` on the JIT's packed batches: lines read in large blocks, parsed, decided and formatted by
// one worker per core, written in input order.
#pragma once

#include <cstdio>
#include <istream>
#include <map>
#include <string>

#include "runtime/interp/decide.h"
#include "runtime/io/writer.h"
#include "runtime/jit/jit.h"

namespace edict::cli {

struct BatchedEval {
  const jit::CompiledPolicy* policy = nullptr;
  interp::DecideOptions options;
  io::Format format = io::Format::kJsonl;  // jsonl or csv
  bool csv_input = false, explain = false, progress = false;
  std::string input_name;
  int workers = 0;  // 0: one per core
};

struct EvalCounts {
  long total = 0, invalid = 0, failed = 0;
  std::map<std::string, long> outcomes;
  std::string error;  // a read or write failure, or a bad CSV header (the command stops)
};

// Decides every shipment of `in` and writes one line per shipment to `out` (after the CSV header, which the
// caller writes). Returns false (with
// counts->error) when the input cannot be read, the output cannot be written or the CSV header is bad.
bool RunBatchedEval(const BatchedEval& eval, std::istream& in, FILE* out, Ledger& ledger, EvalCounts* counts);

}  // namespace edict::cli
