// The work of `edict eval` on one share of the input (eval_batches.cc): its records parsed into a packed
// batch of their own, decided, and formatted into a buffer the caller writes in input order. Scratch that a
// worker thread keeps from one share to the next (the parser, rendered outcomes, counts) is a WorkerState.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/io/csv.h"
#include "runtime/io/keep.h"
#include "runtime/io/reader.h"
#include "runtime/io/records.h"
#include "runtime/ledger/content_hash.h"
#include "tools/edict/eval_batches.h"

namespace edict::cli {

// One record's fate: parsed into the share's batch (packed >= 0), or invalid. With a ledger, a valid record
// is shipment `shipment` of the chunk, and `content` its hash; one the ledger reports is valid, not packed.
struct Entry {
  int line = 0;
  long packed = -1;
  std::string_view text;  // for --keep, and the ledger
  std::string id, error;  // reused from one share to the next (no allocation per line once they have room)
  bool valid = false;
  uint64_t content = 0;
  long shipment = -1;
};

// Records parsed into one batch, their decisions, and the text written for them.
struct Share {
  explicit Share(const BatchedEval& eval) : batch(eval.policy->NewBatch()) {
    // Quota figures are written with --explain and recorded in a persistent ledger; otherwise nobody reads
    // them, and no key is turned into text.
    decisions.set_quota_figures(eval.explain || eval.ledger);
  }
  io::InputPiece piece;                  // the bytes the records are views of (the streaming path)
  std::vector<io::InputRecord> records;  // cut from the piece
  std::unique_ptr<batch::Batch> batch;
  std::vector<Entry> entries;  // the first `count` are the share's; the others keep their strings' room
  size_t count = 0;
  jit::BatchDecisions decisions;
  std::string output;

  std::span<Entry> Entries() { return {entries.data(), count}; }
  std::span<const Entry> Entries() const { return {entries.data(), count}; }
};

// What the text of a compiled decision depends on, its id aside: the outcome, the program that decided (a
// timeline names it) and the determining rules. A batch holds few distinct ones, so each is rendered once per
// worker and copied after that.
struct OutcomeKey {
  uint64_t head = 0;  // the Result's first 8 bytes: status, kind, notify, symbol, review
  int16_t program = 0;
  uint64_t rules[jit::kRuleWords] = {};
  // The policy in force whose compliance date has not come (interp::CompliancePending): it depends on the
  // date, so two decisions alike in everything else can still read differently.
  const ir::Program* pending = nullptr;
  int pending_rules = 0;  // the same for two dates with the same rules pending (interp::PendingRulesPeriod)
  bool operator==(const OutcomeKey&) const = default;
};
struct OutcomeKeyHash {
  size_t operator()(const OutcomeKey& k) const;
};
// The text after the decision's id: as the writer renders it, and with the provenance of a decision that
// no ledger records (the same for every line).
struct Rendered {
  std::string text, with_provenance;
};

// A worker thread's scratch.
struct WorkerState {
  WorkerState(const BatchedEval& eval, const ShipmentInput& input);
  io::RecordParser parser;
  ledger::ShipmentHasher hasher;  // with a ledger: each shipment's content hash
  io::CsvCells cells;
  std::unique_ptr<io::KeepWriter> keep;
  std::vector<int> rules;
  std::unordered_map<OutcomeKey, Rendered, OutcomeKeyHash> rendered;
  OutcomeKey last_key;  // the last decision's key, and its text (most lines repeat an earlier outcome)
  const Rendered* last = nullptr;
  struct Counts {
    long total = 0, invalid = 0, failed = 0, recorded = 0;
    std::array<long, 4> kinds = {};  // decisions by ir::OutcomeKind
  } counts;
  void AddTo(EvalCounts* out) const;
};

// Parses records [begin, end) into the share (emptied first). `skip` (with a ledger): records whose
// shipment the ledger reports instead of deciding it.
void ParseShare(const BatchedEval& eval, bool csv, const io::InputRecord* begin, const io::InputRecord* end,
                WorkerState& w, Share& share, const std::vector<uint8_t>* skip = nullptr);

// With a ledger: the chunk's valid shipments in input order, and where each was parsed (share, entry).
struct LedgerChunk {
  std::vector<LedgerShipment> shipments;
  std::vector<std::pair<size_t, size_t>> where;
  std::vector<const Share*> shares;
};

// Formats the share's decided records into share.output, one line each.
void FormatShare(const BatchedEval& eval, WorkerState& w, Share& share, const LedgerChunk* chunk);

}  // namespace edict::cli
