#include "tools/edict/eval_batches.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "compiler/diag/diagnostics.h"
#include "runtime/interp/timeline.h"
#include "runtime/io/csv.h"
#include "runtime/io/reader.h"
#include "runtime/ledger/content_hash.h"
#include "runtime/parallel/pool.h"

namespace edict::cli {

namespace {

// One record's fate: parsed into the worker's batch (packed >= 0), or invalid. With a ledger, a valid record
// is shipment `shipment` of the chunk, and `content` its hash; one the ledger reports is valid, not packed.
struct Entry {
  int line = 0;
  long packed = -1;
  std::string_view text;  // for --keep, and the ledger
  std::string id, error;
  bool valid = false;
  uint64_t content = 0;
  long shipment = -1;
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
  size_t operator()(const OutcomeKey& k) const {
    uint64_t h = (k.head ^ static_cast<uint64_t>(k.program) ^ reinterpret_cast<uintptr_t>(k.pending) ^
                  (static_cast<uint64_t>(k.pending_rules) << 48)) *
                 0x9E3779B97F4A7C15ULL;
    for (uint64_t r : k.rules) h = (h ^ r) * 0x9E3779B97F4A7C15ULL;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};
constexpr size_t kMaxRendered = 4096;  // distinct outcomes kept per worker

// A worker's share of a chunk, and everything it keeps from one chunk to the next.
struct Worker {
  Worker(const BatchedEval& eval, const ShipmentInput& input)
      : parser(eval.policy->program()), batch(eval.policy->NewBatch()), hasher(eval.policy->program()) {
    std::string error;
    input.SetHeader(parser, eval.strict, &error);  // checked by the caller
    if (eval.keep && eval.keep->active())
      keep = std::make_unique<io::KeepWriter>(*eval.keep, eval.format == io::Format::kJsonl);
  }
  io::RecordParser parser;
  std::unique_ptr<batch::Batch> batch;
  ledger::ShipmentHasher hasher;  // with a ledger: each shipment's content hash
  std::vector<Entry> entries;
  jit::BatchDecisions decisions;
  std::string output;
  io::CsvCells cells;
  std::unique_ptr<io::KeepWriter> keep;
  std::vector<int> rules;
  std::unordered_map<OutcomeKey, std::string, OutcomeKeyHash> rendered;  // text after the id
  EvalCounts counts;
  long by_kind[4] = {};  // decisions by ir::OutcomeIR::Kind, added to counts.outcomes at the end
};

// The decision's text after its id, rendered by the writer for an empty id and cut after the id's place.
std::string RenderAfterId(const BatchedEval& eval, const interp::DecisionView& d, bool timeline) {
  std::string text;
  if (eval.format == io::Format::kJsonl) {
    io::AppendDecisionJson(text, d, "", false, timeline);
    return text.substr(std::string_view("{\"id\":\"\"").size());
  }
  io::AppendDecisionCsv(text, d, "", timeline);
  return text;  // an empty id is an empty first cell
}

// `skip` (with a ledger): records whose shipment the ledger reports instead of deciding it.
void Parse(const BatchedEval& eval, bool csv, const io::InputRecord* begin, const io::InputRecord* end,
           Worker& w, const std::vector<uint8_t>* skip = nullptr) {
  eval.policy->Reset(w.batch.get());
  w.entries.clear();
  for (const io::InputRecord* r = begin; r != end; ++r) {
    Entry e;
    e.line = r->line;
    e.text = r->text;
    bool ok;
    if (csv) {
      ok = w.cells.Split(r->text, &e.error) &&
           w.parser.ParseCsv(w.cells.cells(), w.batch.get(), r->line, &e.error, &e.id);
    } else {
      ok = w.parser.ParseJson(r->text, w.batch.get(), r->line, &e.error, &e.id);
    }
    if (ok) e.packed = static_cast<long>(w.batch->size()) - 1;
    e.valid = ok;
    if (ok && eval.ledger) e.content = w.hasher(*w.batch, static_cast<size_t>(e.packed));
    if (ok && skip && (*skip)[w.entries.size()]) {
      w.batch->PopBack();
      e.packed = -1;
    }
    w.entries.push_back(std::move(e));
  }
}

// With a ledger: the chunk's valid shipments in input order, and where each was parsed (worker, entry).
struct Chunk {
  std::vector<LedgerShipment> shipments;
  std::vector<std::pair<size_t, size_t>> where;
  const std::vector<std::unique_ptr<Worker>>* workers = nullptr;
};

void Format(const BatchedEval& eval, Worker& w, const Chunk* chunk) {
  bool timeline = !eval.policy->program().timeline.empty();
  bool jsonl = eval.format == io::Format::kJsonl;
  w.output.clear();
  std::vector<int> other_rules;
  const std::string provenance = jsonl ? eval.provenance.Json() : eval.provenance.Csv();
  // Provenance after a decision: with a ledger its position (0: not recorded), and whether an earlier run
  // recorded it.
  auto close_decision = [&](int64_t position, bool recorded) {
    jsonl ? io::AppendProvenanceJson(w.output, provenance, position, recorded)
          : io::AppendProvenanceCsv(w.output, provenance, position, recorded);
  };
  for (const Entry& e : w.entries) {
    ++w.counts.total;
    if (w.keep) w.keep->Read(e.text);
    auto end_line = [&] {
      if (w.keep) jsonl ? w.keep->AppendJson(w.output) : w.keep->AppendCsv(w.output);
      w.output.push_back('\n');
    };
    auto error_line = [&](const std::string& message) {
      w.output += jsonl ? io::ErrorJson(e.id, e.line, message) : io::ErrorCsv(e.id, e.line, message);
      if (!jsonl) close_decision(-1, false);
      end_line();
    };
    if (!e.valid) {
      ++w.counts.invalid;
      error_line(e.error);
      continue;
    }
    // With a ledger: a shipment recorded earlier, a conflicting one, or a repeat of an id earlier in the
    // chunk (written as the first one's decision).
    const Worker* from = &w;
    long packed = e.packed;
    bool repeat = false;
    int64_t position = -1;
    if (chunk && e.shipment >= 0) {
      const LedgerShipment& s = chunk->shipments[e.shipment];
      position = s.position;
      if (s.state == LedgerShipment::kRecorded) {
        ++w.counts.recorded;
        const ledger::RecordedShipment& r = eval.ledger->recorded()[s.other];
        jsonl ? AppendRecordedJson(w.output, e.id, r, eval.explain) : AppendRecordedCsv(w.output, e.id, r);
        end_line();
        continue;
      }
      if (s.state == LedgerShipment::kConflict) {
        ++w.counts.invalid;
        error_line(eval.ledger->ConflictMessage(chunk->shipments, static_cast<size_t>(e.shipment)));
        continue;
      }
      if (s.state == LedgerShipment::kRepeat) {
        auto [t, k] = chunk->where[s.other];
        from = (*chunk->workers)[t].get();
        packed = from->entries[k].packed;
        repeat = true;
      }
    }
    size_t i = static_cast<size_t>(packed);
    if (!repeat && !eval.explain && !w.decisions.IsInterpreted(i)) {
      const jit::Result& r = w.decisions.result(i);
      OutcomeKey key;
      std::memcpy(&key.head, &r, sizeof key.head);
      key.program = r.program;
      std::memcpy(key.rules, r.rules, sizeof key.rules);
      key.pending = interp::CompliancePending(eval.policy->program(), r.date);
      key.pending_rules = interp::PendingRulesPeriod(eval.policy->program(), r.date);
      auto it = w.rendered.find(key);
      if (it == w.rendered.end()) {
        std::string text = RenderAfterId(eval, w.decisions.View(i, &w.rules), timeline);
        if (w.rendered.size() >= kMaxRendered) w.rendered.clear();
        it = w.rendered.emplace(key, std::move(text)).first;
      }
      ++w.by_kind[r.kind & 3];
      if (eval.format == io::Format::kJsonl) {
        w.output += "{\"id\":";
        w.output += io::JsonEscape(e.id);
      } else {
        w.output += io::CsvCell(e.id);
      }
      w.output += it->second;
      close_decision(position, false);
      end_line();
      continue;
    }
    interp::Decision kept;  // an error is only ever the interpreter's
    interp::DecisionView d = from->decisions.View(i, from == &w ? &w.rules : &other_rules);
    if (d.error) {
      ++w.counts.failed;
      kept = from->decisions.Decision(i);
      error_line(kept.error_message +
                 (kept.error_span.valid() ? " (at " + Where(kept.error_span) + ")" : ""));
      continue;
    }
    if (repeat)
      ++w.counts.recorded;
    else
      ++w.by_kind[static_cast<int>(d.kind) & 3];
    if (jsonl)
      io::AppendDecisionJson(w.output, d, e.id, eval.explain, timeline);
    else
      io::AppendDecisionCsv(w.output, d, e.id, timeline);
    close_decision(position, repeat);
    end_line();
  }
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
                std::vector<std::unique_ptr<Worker>>& workers, Chunk* chunk,
                const std::vector<std::vector<uint8_t>>* skips = nullptr) {
  ParallelFor(shares.used, [&](size_t t) {
    auto [b, e] = shares(t);
    Parse(eval, csv, b, e, *workers[t], skips ? &(*skips)[t] : nullptr);
  });
  bool first = skips == nullptr;
  if (first) {
    chunk->shipments.clear();
    chunk->where.clear();
  }
  long n = 0;
  for (size_t t = 0; t < shares.used; ++t)
    for (size_t k = 0; k < workers[t]->entries.size(); ++k) {
      Entry& e = workers[t]->entries[k];
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
      policy.DecideBatch(*workers[t]->batch, ledger, eval.options, &workers[t]->decisions, 1);
    });
  } else {
    for (size_t t = 0; t < used; ++t)
      policy.DecideBatch(*workers[t]->batch, ledger, eval.options, &workers[t]->decisions, 1);
  }
}

// A decided shipment of the chunk, for LedgerEval.
std::function<interp::DecisionView(size_t)> ChunkView(const Chunk& chunk,
                                                      std::vector<std::unique_ptr<Worker>>& workers,
                                                      std::vector<int>* rules) {
  return [&chunk, &workers, rules](size_t i) {
    auto [t, k] = chunk.where[i];
    return workers[t]->decisions.View(static_cast<size_t>(workers[t]->entries[k].packed), rules);
  };
}

// One chunk against the ledger in one transaction held from deciding to committing (eval_ledger.h): parse,
// Begin, decide, Record, Commit. When an id turns out to be recorded already, the chunk is rolled back,
// resolved, parsed again without those shipments and decided again.
bool DecideWithLedger(const BatchedEval& eval, bool csv, const Shares& shares,
                      std::vector<std::unique_ptr<Worker>>& workers, Chunk* chunk, std::string* error) {
  LedgerEval& ledger = *eval.ledger;
  const size_t used = shares.used;
  std::vector<std::vector<uint8_t>> skips(used);
  // Recorded and repeated shipments are parsed but not decided.
  auto resolve_and_reparse = [&] {
    if (!ledger.Resolve(chunk->shipments, error)) return false;
    bool any = false;
    for (size_t t = 0; t < used; ++t) {
      skips[t].assign(workers[t]->entries.size(), 0);
      for (size_t k = 0; k < workers[t]->entries.size(); ++k) {
        const Entry& e = workers[t]->entries[k];
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
    chunk_.workers = &workers_;
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
    for (size_t t = 0; t < shares.used; ++t) outputs[t].swap(workers_[t]->output);
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
    for (size_t t = 0; t < shares.used; ++t) outputs_[t].swap(workers_[t]->output);
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
    ParallelFor(used, [&](size_t t) { Format(eval_, *workers_[t], &chunk_); });
  }

  // The workers' counts before a staged chunk was formatted: a chunk decided again is counted once.
  void SaveCounts() {
    saved_.resize(workers_.size());
    for (size_t t = 0; t < workers_.size(); ++t) {
      saved_[t].counts = workers_[t]->counts;
      std::copy(std::begin(workers_[t]->by_kind), std::end(workers_[t]->by_kind), saved_[t].by_kind);
    }
  }
  void RestoreCounts() {
    for (size_t t = 0; t < workers_.size(); ++t) {
      workers_[t]->counts = saved_[t].counts;
      std::copy(std::begin(saved_[t].by_kind), std::end(saved_[t].by_kind), workers_[t]->by_kind);
    }
  }

  bool Progress() {
    if (eval_.progress && eval_.progress->enabled()) {
      long total = 0;
      for (auto& w : workers_) total += w->counts.total;
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
  Chunk chunk_;
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
  struct Saved {
    EvalCounts counts;
    long by_kind[4] = {};
  };
  std::vector<Saved> saved_;
};

}  // namespace

bool RunBatchedEval(const BatchedEval& eval, ShipmentInput& input, FILE* out, Ledger& ledger,
                    EvalCounts* counts) {
  const jit::CompiledPolicy& policy = *eval.policy;
  size_t n = eval.workers > 0 ? static_cast<size_t>(eval.workers)
                              : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t t = 0; t < n; ++t) workers.push_back(std::make_unique<Worker>(eval, input));
  std::vector<io::InputRecord> all;
  Chunk chunk;
  chunk.workers = &workers;
  std::unique_ptr<LedgerChunks> ledger_chunks;
  if (eval.ledger && !eval.ledger->dry_run())
    ledger_chunks = std::make_unique<LedgerChunks>(eval, input, workers, out, counts);
  std::vector<std::string> outputs(n);
  while (input.Next(&all)) {
    // With a ledger, every `ledger_batch` records are one transaction.
    size_t step = eval.ledger && eval.ledger_batch > 0 ? eval.ledger_batch : all.size();
    for (size_t from = 0; from < all.size(); from += step) {
      std::span<const io::InputRecord> records(all.data() + from, std::min(step, all.size() - from));
      if (ledger_chunks) {
        if (!ledger_chunks->Add(records)) return false;
        continue;
      }
      // Shares of the chunk, parsed (and, when no quota is consumed, decided) in parallel; a policy that
      // consumes quotas decides the shares one after the other, in input order.
      Shares shares(records, n);
      if (eval.ledger) {
        if (!DecideWithLedger(eval, input.csv(), shares, workers, &chunk, &counts->error)) return false;
      } else {
        ParallelFor(shares.used, [&](size_t t) {
          auto [b, e] = shares(t);
          Parse(eval, input.csv(), b, e, *workers[t]);
          if (policy.stateless())
            policy.DecideBatch(*workers[t]->batch, ledger, eval.options, &workers[t]->decisions, 1);
        });
        if (!policy.stateless())
          for (size_t t = 0; t < shares.used; ++t)
            policy.DecideBatch(*workers[t]->batch, ledger, eval.options, &workers[t]->decisions, 1);
      }
      ParallelFor(shares.used, [&](size_t t) { Format(eval, *workers[t], eval.ledger ? &chunk : nullptr); });
      for (size_t t = 0; t < shares.used; ++t) outputs[t].swap(workers[t]->output);
      if (!WriteOutput(outputs, shares.used, out, &counts->error)) return false;
      if (eval.progress && eval.progress->enabled()) {
        long total = 0;
        for (auto& w : workers) total += w->counts.total;
        eval.progress->Rows(total, input.bytes_read(), input.size());
      }
    }
  }
  if (ledger_chunks && !ledger_chunks->Finish()) return false;
  if (input.Failed(&counts->error)) return false;
  for (auto& w : workers) {
    counts->total += w->counts.total;
    counts->invalid += w->counts.invalid;
    counts->failed += w->counts.failed;
    counts->recorded += w->counts.recorded;
    for (const auto& [k, v] : w->counts.outcomes) counts->outcomes[k] += v;
    for (int k = 0; k < 4; ++k)
      if (w->by_kind[k])
        counts->outcomes[interp::DecisionName(static_cast<ir::OutcomeIR::Kind>(k))] += w->by_kind[k];
  }
  if (eval.progress) eval.progress->Done();
  return true;
}

}  // namespace edict::cli
