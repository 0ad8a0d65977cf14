#include "tools/edict/eval_batches.h"

#include <algorithm>
#include <cerrno>
#include <span>
#include <thread>
#include <vector>

#include "runtime/io/background_writer.h"
#include "runtime/parallel/pipeline.h"
#include "runtime/parallel/pool.h"
#include "tools/edict/eval_share.h"

namespace edict::cli {

namespace {

// The ledger path: each chunk parsed in one share per worker.
struct Worker {
  Worker(const BatchedEval& eval, const ShipmentInput& input) : state(eval, input), share(eval) {}
  WorkerState state;
  Share share;
};

// The shares of the workers, for LedgerChunk.
std::vector<const Share*> SharesOf(const std::vector<std::unique_ptr<Worker>>& workers) {
  std::vector<const Share*> out;
  for (const auto& w : workers) out.push_back(&w->share);
  return out;
}

// Without a ledger: the input streams through as pieces of about kStreamPieceBytes, each cut, parsed,
// decided and formatted by whichever worker took it, and written in input order. A policy that consumes
// quotas decides the pieces one at a time in input order (between their parse and their format).
bool Stream(const BatchedEval& eval, ShipmentInput& input, FILE* out, Ledger& ledger,
            std::vector<std::unique_ptr<WorkerState>>& states, EvalCounts* counts) {
  const jit::CompiledPolicy& policy = *eval.policy;
  const bool csv = input.csv();
  const size_t slots = 2 * states.size() + 1;
  std::vector<std::unique_ptr<Share>> shares;
  std::vector<uint64_t> bytes_read(
      slots);  // the input read when each slot's piece was (for the progress line)
  for (size_t s = 0; s < slots; ++s) shares.push_back(std::make_unique<Share>(eval));
  long written = 0;
  OrderedStages stages;
  stages.read = [&](size_t s) {
    bool got = input.NextPiece(&shares[s]->piece);
    bytes_read[s] = input.bytes_read();
    return got;
  };
  stages.work = [&](size_t s, size_t w) {
    Share& share = *shares[s];
    io::RecordBlocks::Cut(share.piece, csv, &share.records);
    ParseShare(eval, csv, share.records.data(), share.records.data() + share.records.size(), *states[w],
               share);
    if (policy.stateless()) {
      policy.DecideBatch(*share.batch, ledger, eval.options, &share.decisions, 1);
      FormatShare(eval, *states[w], share, nullptr);
    }
  };
  if (!policy.stateless()) {
    // One quota bookkeeping for all the slots: their batches are decided one at a time, in input order.
    for (size_t s = 1; s < slots; ++s) shares[s]->decisions.ShareQuotaState(shares[0]->decisions);
    stages.ordered = [&](size_t s, size_t) {
      policy.DecideBatch(*shares[s]->batch, ledger, eval.options, &shares[s]->decisions, 1);
    };
    stages.finish = [&](size_t s, size_t w) { FormatShare(eval, *states[w], *shares[s], nullptr); };
  }
  io::BackgroundWriter writer(out, eval.direct_output);
  stages.emit = [&](size_t s) {
    if (!writer.Append(shares[s]->output)) return false;
    written += static_cast<long>(shares[s]->count);
    if (eval.progress && eval.progress->enabled()) eval.progress->Rows(written, bytes_read[s], input.size());
    return true;
  };
  bool emitted = RunOrdered(states.size(), slots, stages);
  if (!writer.Finish() || !emitted) {
    counts->write_errno = writer.error() ? writer.error() : EIO;
    counts->error = "cannot write the output";
    return false;
  }
  return !input.Failed(&counts->error);
}

// A chunk of records cut into one share per worker.
struct Shares {
  std::span<const io::InputRecord> records;
  size_t used = 0, share = 0;
  explicit Shares(std::span<const io::InputRecord> r, size_t workers) : records(r) {
    used = std::min(workers, records.size() / 1024 + 1);
    share = (records.size() + used - 1) / used;
  }
  std::pair<const io::InputRecord*, const io::InputRecord*> operator()(size_t t) const {
    size_t b = std::min(records.size(), t * share), e = std::min(records.size(), (t + 1) * share);
    return {records.data() + b, records.data() + e};
  }
};

// Parses the chunk's shares (`skips`: see Parse) and numbers its valid records as the chunk's shipments (the
// same records give the same shipments, in the same order, every time; the ids are new strings).
void ParseChunk(const BatchedEval& eval, bool csv, const Shares& shares,
                std::vector<std::unique_ptr<Worker>>& workers, LedgerChunk* chunk,
                const std::vector<std::vector<uint8_t>>* skips = nullptr) {
  ParallelFor(shares.used, [&](size_t t) {
    auto [b, e] = shares(t);
    ParseShare(eval, csv, b, e, workers[t]->state, workers[t]->share, skips ? &(*skips)[t] : nullptr);
  });
  bool first = skips == nullptr;
  if (first) {
    chunk->shipments.clear();
    chunk->where.clear();
  }
  long n = 0;
  for (size_t t = 0; t < shares.used; ++t)
    for (size_t k = 0; k < workers[t]->share.count; ++k) {
      Entry& e = workers[t]->share.entries[k];
      if (!e.valid) continue;
      e.shipment = n++;
      if (!first) {
        chunk->shipments[e.shipment].id = e.id;
        continue;
      }
      LedgerShipment s;
      s.id = e.id;
      s.input = e.text;
      s.content = e.content;
      s.line = e.line;
      chunk->shipments.push_back(s);
      chunk->where.emplace_back(t, k);
    }
}

// Decides the parsed shares against the ledger: in input order, or in parallel when no quota is consumed.
void DecideChunk(const BatchedEval& eval, size_t used, std::vector<std::unique_ptr<Worker>>& workers) {
  const jit::CompiledPolicy& policy = *eval.policy;
  Ledger& ledger = eval.ledger->store();
  if (policy.stateless()) {
    ParallelFor(used, [&](size_t t) {
      policy.DecideBatch(*workers[t]->share.batch, ledger, eval.options, &workers[t]->share.decisions, 1);
    });
  } else {
    // In input order, one at a time: one quota bookkeeping for all the workers' shares.
    for (size_t t = 1; t < used; ++t)
      workers[t]->share.decisions.ShareQuotaState(workers[0]->share.decisions);
    for (size_t t = 0; t < used; ++t)
      policy.DecideBatch(*workers[t]->share.batch, ledger, eval.options, &workers[t]->share.decisions, 1);
  }
}

// A decided shipment of the chunk, for LedgerEval.
std::function<interp::DecisionView(size_t)> ChunkView(const LedgerChunk& chunk,
                                                      std::vector<std::unique_ptr<Worker>>& workers,
                                                      std::vector<int>* rules) {
  return [&chunk, &workers, rules](size_t i) {
    auto [t, k] = chunk.where[i];
    return workers[t]->share.decisions.View(static_cast<size_t>(workers[t]->share.entries[k].packed), rules);
  };
}

// One chunk against the ledger in one transaction held from deciding to committing (eval_ledger.h): parse,
// Begin, decide, Record, Commit. When an id turns out to be recorded already, the chunk is rolled back,
// resolved, parsed again without those shipments and decided again.
bool DecideWithLedger(const BatchedEval& eval, bool csv, const Shares& shares,
                      std::vector<std::unique_ptr<Worker>>& workers, LedgerChunk* chunk, std::string* error) {
  LedgerEval& ledger = *eval.ledger;
  const size_t used = shares.used;
  std::vector<std::vector<uint8_t>> skips(used);
  // Recorded and repeated shipments are parsed but not decided.
  auto resolve_and_reparse = [&] {
    if (!ledger.Resolve(chunk->shipments, error)) return false;
    bool any = false;
    for (size_t t = 0; t < used; ++t) {
      skips[t].assign(workers[t]->share.count, 0);
      for (size_t k = 0; k < workers[t]->share.count; ++k) {
        const Entry& e = workers[t]->share.entries[k];
        if (e.valid && chunk->shipments[e.shipment].state != LedgerShipment::kNew)
          skips[t][k] = 1, any = true;
      }
    }
    if (any) ParseChunk(eval, csv, shares, workers, chunk, &skips);
    return true;
  };
  std::vector<int> rules;
  auto view = ChunkView(*chunk, workers, &rules);
  ParseChunk(eval, csv, shares, workers, chunk);
  if (!ledger.Begin(error)) return false;
  if (ledger.dry_run()) {
    bool ok = resolve_and_reparse();
    if (ok) DecideChunk(eval, used, workers);
    ledger.Rollback();
    return ok;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt == 1 && (!ledger.Begin(error) || !resolve_and_reparse())) {
      ledger.Rollback();
      return false;
    }
    DecideChunk(eval, used, workers);
    switch (ledger.Record(chunk->shipments, view, error)) {
      case LedgerEval::Result::kOk:
        return ledger.Commit(error);
      case LedgerEval::Result::kIdTaken:
        ledger.Rollback();
        if (attempt == 1) {
          *error = "internal: a shipment id resolved as new was recorded already";
          return false;
        }
        continue;
      case LedgerEval::Result::kError:
        ledger.Rollback();
        return false;
    }
  }
  return false;
}

// Writes the workers' output of a chunk, in input order.
bool WriteOutput(const std::vector<std::string>& outputs, size_t used, FILE* out, std::string* error) {
  for (size_t t = 0; t < used; ++t) {
    const std::string& o = outputs[t];
    if (std::fwrite(o.data(), 1, o.size(), out) != o.size()) {
      *error = "cannot write the output";
      return false;
    }
  }
  return true;
}

// `edict eval --ledger` chunk by chunk (docs/ledger.md, "Transactions"). Pipelined: a chunk is decided
// against the totals the chunks before it leave, as staged, and written (ledger::Store::Write, which checks
// that no other process wrote in between) on a thread of its own while the next chunk is parsed, decided
// and staged; a chunk's output goes out once its write committed. When a write fails (another process
// wrote, or an id was recorded already), that chunk and the one staged after it are decided again one
// transaction at a time, the writer lock held throughout (DecideWithLedger); so is every chunk until one
// goes through without a recorded id, and a run's first chunk (it records the run).
class LedgerChunks {
 public:
  LedgerChunks(const BatchedEval& eval, const ShipmentInput& input,
               std::vector<std::unique_ptr<Worker>>& workers, FILE* out, EvalCounts* counts)
      : eval_(eval),
        ledger_(*eval.ledger),
        input_(input),
        csv_(input.csv()),
        workers_(workers),
        out_(out),
        counts_(counts) {
    chunk_.shares = SharesOf(workers_);
    outputs_.resize(workers_.size());
  }
  ~LedgerChunks() {
    if (writer_.joinable()) writer_.join();
  }

  bool Add(std::span<const io::InputRecord> records) {
    Held& h = held_[next_];
    next_ ^= 1;
    h.text.clear();
    size_t bytes = 0;
    for (const io::InputRecord& r : records) bytes += r.text.size();
    h.text.reserve(bytes);
    for (const io::InputRecord& r : records) h.text += r.text;
    h.records.assign(records.begin(), records.end());
    size_t at = 0;
    for (io::InputRecord& r : h.records) {
      r.text = std::string_view(h.text).substr(at, r.text.size());
      at += r.text.size();
    }
    return staging_ && ledger_.can_stage() ? Staged(h) : (Drain() && OneTransaction(h));
  }

  // The last chunk's write and output.
  bool Finish() { return Drain(); }

 private:
  struct Held {  // a chunk's records, copied: the reader's block does not outlive the next read
    std::string text;
    std::vector<io::InputRecord> records;
  };

  bool OneTransaction(const Held& h) {
    Shares shares(h.records, workers_.size());
    if (!DecideWithLedger(eval_, csv_, shares, workers_, &chunk_, &counts_->error)) return false;
    bool clean = std::all_of(chunk_.shipments.begin(), chunk_.shipments.end(),
                             [](const LedgerShipment& s) { return s.state == LedgerShipment::kNew; });
    staging_ = clean;
    FormatChunk(shares.used);
    std::vector<std::string> outputs(shares.used);
    for (size_t t = 0; t < shares.used; ++t) outputs[t].swap(workers_[t]->share.output);
    return WriteOutput(outputs, shares.used, out_, &counts_->error) && Progress();
  }

  bool Staged(const Held& h) {
    Shares shares(h.records, workers_.size());
    ParseChunk(eval_, csv_, shares, workers_, &chunk_);
    std::string& error = counts_->error;
    if (!ledger_.BeginStaged(&error)) {
      Drain();
      return false;
    }
    DecideChunk(eval_, shares.used, workers_);
    std::vector<int> rules;
    ledger::ChunkWrite& write = writes_[&h - held_];
    if (!ledger_.Stage(chunk_.shipments, ChunkView(chunk_, workers_, &rules), &write, &error)) {
      Drain();
      ledger_.Unstage();
      return false;
    }
    // The chunk before: its output goes out once its write committed.
    if (pending_) {
      ledger::Store::WriteResult r = Join();
      if (r == ledger::Store::WriteResult::kError) {
        Taken();
        ledger_.Unstage();
        return false;
      }
      if (r != ledger::Store::WriteResult::kOk) {
        // Decided against totals that did not hold: both chunks again, the lock held.
        ledger_.Unstage();
        staging_ = false;
        RestoreCounts();
        return OneTransaction(*Taken()) && OneTransaction(h);
      }
      Taken();
      if (!WriteOutput(outputs_, pending_used_, out_, &error) || !Progress()) return false;
    }
    SaveCounts();
    writer_ = std::thread([this, &write] { result_ = ledger_.store().Write(write, &write_error_); });
    pending_ = &h;
    pending_used_ = shares.used;
    FormatChunk(shares.used);
    for (size_t t = 0; t < shares.used; ++t) outputs_[t].swap(workers_[t]->share.output);
    return true;
  }

  // Waits for the pending write; its output goes out when it committed, else its chunk is decided again.
  bool Drain() {
    if (!pending_) return true;
    ledger::Store::WriteResult r = Join();
    const Held* h = Taken();
    if (r == ledger::Store::WriteResult::kOk)
      return WriteOutput(outputs_, pending_used_, out_, &counts_->error) && Progress();
    ledger_.Unstage();
    if (r == ledger::Store::WriteResult::kError) return false;
    staging_ = false;
    RestoreCounts();
    return OneTransaction(*h);
  }

  ledger::Store::WriteResult Join() {
    writer_.join();
    if (result_ == ledger::Store::WriteResult::kError) counts_->error = write_error_;
    return result_;
  }
  // The chunk that was pending, no longer.
  const Held* Taken() {
    const Held* h = pending_;
    pending_ = nullptr;
    return h;
  }

  void FormatChunk(size_t used) {
    ParallelFor(used, [&](size_t t) { FormatShare(eval_, workers_[t]->state, workers_[t]->share, &chunk_); });
  }

  // The workers' counts before a staged chunk was formatted: a chunk decided again is counted once.
  void SaveCounts() {
    saved_.resize(workers_.size());
    for (size_t t = 0; t < workers_.size(); ++t) saved_[t] = workers_[t]->state.counts;
  }
  void RestoreCounts() {
    for (size_t t = 0; t < workers_.size(); ++t) workers_[t]->state.counts = saved_[t];
  }

  bool Progress() {
    if (eval_.progress && eval_.progress->enabled()) {
      long total = 0;
      for (auto& w : workers_) total += w->state.counts.total;
      eval_.progress->Rows(total, input_.bytes_read(), input_.size());
    }
    return true;
  }

  const BatchedEval& eval_;
  LedgerEval& ledger_;
  const ShipmentInput& input_;
  bool csv_;
  std::vector<std::unique_ptr<Worker>>& workers_;
  FILE* out_;
  EvalCounts* counts_;
  LedgerChunk chunk_;
  Held held_[2];
  ledger::ChunkWrite writes_[2];
  int next_ = 0;
  bool staging_ = true;  // until a write fails; again after a chunk without recorded ids
  // The chunk being written, and its output.
  const Held* pending_ = nullptr;
  size_t pending_used_ = 0;
  std::vector<std::string> outputs_;
  std::thread writer_;
  ledger::Store::WriteResult result_ = ledger::Store::WriteResult::kOk;
  std::string write_error_;
  std::vector<WorkerState::Counts> saved_;
};

}  // namespace

bool RunBatchedEval(const BatchedEval& eval, ShipmentInput& input, FILE* out, Ledger& ledger,
                    EvalCounts* counts) {
  size_t n = eval.workers > 0 ? static_cast<size_t>(eval.workers)
                              : std::max(1u, std::thread::hardware_concurrency());
  if (!eval.ledger) {
    std::vector<std::unique_ptr<WorkerState>> states;
    for (size_t t = 0; t < n; ++t) states.push_back(std::make_unique<WorkerState>(eval, input));
    if (!Stream(eval, input, out, ledger, states, counts)) return false;
    for (auto& w : states) w->AddTo(counts);
    if (eval.progress) eval.progress->Done();
    return true;
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t t = 0; t < n; ++t) workers.push_back(std::make_unique<Worker>(eval, input));
  std::vector<io::InputRecord> all;
  LedgerChunk chunk;
  chunk.shares = SharesOf(workers);
  std::unique_ptr<LedgerChunks> ledger_chunks;
  if (!eval.ledger->dry_run())
    ledger_chunks = std::make_unique<LedgerChunks>(eval, input, workers, out, counts);
  std::vector<std::string> outputs(n);
  while (input.Next(&all)) {
    // Every `ledger_batch` records are one transaction.
    size_t step = eval.ledger_batch > 0 ? eval.ledger_batch : all.size();
    for (size_t from = 0; from < all.size(); from += step) {
      std::span<const io::InputRecord> records(all.data() + from, std::min(step, all.size() - from));
      if (ledger_chunks) {
        if (!ledger_chunks->Add(records)) return false;
        continue;
      }
      // A dry run: each chunk decided in a transaction rolled back.
      Shares shares(records, n);
      if (!DecideWithLedger(eval, input.csv(), shares, workers, &chunk, &counts->error)) return false;
      ParallelFor(shares.used,
                  [&](size_t t) { FormatShare(eval, workers[t]->state, workers[t]->share, &chunk); });
      for (size_t t = 0; t < shares.used; ++t) outputs[t].swap(workers[t]->share.output);
      if (!WriteOutput(outputs, shares.used, out, &counts->error)) return false;
      if (eval.progress && eval.progress->enabled()) {
        long total = 0;
        for (auto& w : workers) total += w->state.counts.total;
        eval.progress->Rows(total, input.bytes_read(), input.size());
      }
    }
  }
  if (ledger_chunks && !ledger_chunks->Finish()) return false;
  if (input.Failed(&counts->error)) return false;
  for (auto& w : workers) w->state.AddTo(counts);
  if (eval.progress) eval.progress->Done();
  return true;
}

}  // namespace edict::cli
