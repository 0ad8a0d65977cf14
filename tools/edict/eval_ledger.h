// `edict eval --ledger`: each chunk of shipments is decided in one ledger transaction (docs/ledger.md).
//
//   Begin (the writer lock; totals brought up to date) -> decide the chunk in input order -> Record ->
//   Commit.
//
// Exactly once: a chunk is first recorded on the guess that none of its ids is recorded yet (the database's
// unique index checks it as the rows go in; no lookup per shipment). When the guess fails (a re-run, an
// overlap with an earlier batch, an id twice in the input), the transaction is rolled back, Resolve marks the
// shipments already recorded or repeated, and the chunk is decided again without them: they report the
// recorded decision instead, or an error when their content differs. A dry run resolves first and records
// nothing.
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"
#include "runtime/io/writer.h"
#include "runtime/ledger/store.h"

namespace edict::cli {

struct LedgerShipment {
  std::string_view id, input;  // the input line; both must live until the chunk is recorded
  uint64_t content = 0;        // ledger::ShipmentHash
  int line = 0;
  enum State : uint8_t {
    kNew,       // to decide (and record)
    kRecorded,  // recorded by an earlier run or chunk with the same content: recorded()[other]
    kRepeat,    // the same id and content earlier in this chunk: chunk[other]
    kConflict,  // the same id with other content: recorded()[other] when other >= 0, else chunk[first]
  } state = kNew;
  int32_t other = -1, first = -1;
  int64_t position = 0;  // once recorded (or of the recorded one); 0 when not recorded (dry run, error)
};

class LedgerEval {
 public:
  LedgerEval(ledger::Store& store, const ir::Program& program, bool dry_run);

  // The run's provenance; set again when the CSV header becomes known (before the first Record).
  void SetRun(const ledger::RunInfo& run);
  const ledger::RunInfo& run() const { return run_; }
  bool dry_run() const { return dry_run_; }
  ledger::Store& store() { return store_; }

  bool Begin(std::string* error);
  // Marks the shipments recorded already (by Find) and the repeats within the chunk.
  bool Resolve(std::span<LedgerShipment> chunk, std::string* error);
  enum class Result { kOk, kIdTaken, kError };
  // Records each kNew shipment whose decision is no error, in order, and sets its position. kIdTaken: an id
  // was recorded already; roll back, Begin, Resolve and decide again.
  Result Record(std::span<LedgerShipment> chunk, const std::function<interp::DecisionView(size_t)>& view,
                std::string* error);
  bool Commit(std::string* error);
  void Rollback();

  // Pipelined (ledger::Store::Stage): the chunk, all kNew, is decided between BeginStaged and Stage, which
  // sets the positions its shipments will have once `out` is written (ledger::Store::Write). When a Write
  // fails, Unstage, and record the chunk again with Begin, Resolve and Record.
  bool can_stage() const { return !dry_run_ && store_.can_stage(); }
  bool BeginStaged(std::string* error);
  bool Stage(std::span<LedgerShipment> chunk, const std::function<interp::DecisionView(size_t)>& view,
             ledger::ChunkWrite* out, std::string* error);
  void Unstage();

  const std::vector<ledger::RecordedShipment>& recorded() const { return recorded_; }

  // Why a kConflict shipment is refused.
  std::string ConflictMessage(std::span<const LedgerShipment> chunk, size_t i) const;

 private:
  int64_t OutcomeId(const interp::DecisionView& d, std::string* error);
  int64_t OutcomeIdByKey(const interp::DecisionView& d, int period, std::string* error);
  // The records of the chunk's kNew shipments whose decision is no error (records_, which_).
  bool Collect(std::span<LedgerShipment> chunk, const std::function<interp::DecisionView(size_t)>& view,
               std::string* error);
  void SetPositions(std::span<LedgerShipment> chunk, int64_t base);

  ledger::Store& store_;
  const ir::Program& program_;
  bool dry_run_;
  ledger::RunInfo run_;
  std::vector<ledger::RecordedShipment> recorded_;
  std::unordered_map<std::string, int64_t> outcome_ids_;  // by a compact form of the decision
  std::string scratch_;
  // The last decision's outcome id, and what it depends on (see OutcomeIdByKey).
  struct LastOutcome {
    const ir::Program* program = nullptr;
    ir::OutcomeIR::Kind kind{};
    int symbol = 0, review = 0;
    bool notify = false, in_force = false;
    const ir::Program* pending = nullptr;
    int period = 0;
    std::vector<int> rules;
    int64_t id = 0;  // 0: none
  } last_;
  ledger::ChunkRecords records_;
  std::vector<size_t> which_;  // the chunk index of each of records_.entries
};

// Output of a decision read back from the ledger: its recorded members, "recorded": true, and with
// `explain` the recorded quota figures.
void AppendRecordedJson(std::string& out, std::string_view id, const ledger::RecordedShipment& r,
                        bool explain);
void AppendRecordedCsv(std::string& out, std::string_view id, const ledger::RecordedShipment& r);
// The same decision as `edict eval --format table` shows it: outcome, rules, deciding policy.
struct RecordedSummary {
  std::string outcome, rules, policy;
};
RecordedSummary SummariseRecorded(const ledger::RecordedShipment& r);

}  // namespace edict::cli

namespace edict::driver {
class Output;
}  // namespace edict::driver
namespace edict::io {
class KeepWriter;
class RecordParser;
}  // namespace edict::io

namespace edict::cli {

class ShipmentInput;

// `edict eval --ledger` record by record (the interpreter, and `--format table`): chunks of records, each one
// ledger transaction, written in input order.
struct LineEval {
  const ir::Program* program = nullptr;
  // Decides one record against the ledger (the JIT or the interpreter).
  std::function<interp::Decision(interp::Record&, Ledger&)> decide;
  int format = 0;  // io::Format
  bool explain = false;
  LedgerEval* ledger = nullptr;
  size_t batch = 8192;             // records per ledger transaction
  io::KeepWriter* kept = nullptr;  // --keep
  io::Provenance provenance;
};

struct LineCounts {
  long total = 0, invalid = 0, failed = 0, recorded = 0;
  int64_t first_position = 0, last_position = 0;  // of the shipments this run recorded (0: none)
  std::map<std::string, long> outcomes;
};

// `parser` has the input's CSV header. False with `error` on a ledger failure; a read or write failure stops
// it with `input` or `out` in their failed state (the caller reports those).
bool RunLedgerLines(const LineEval& eval, ShipmentInput& input, io::RecordParser& parser, driver::Output& out,
                    io::TableWriter& table, LineCounts* counts, std::string* error);

}  // namespace edict::cli
