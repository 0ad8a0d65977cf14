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
      : parser(eval.policy->program()), batch(eval.policy->NewBatch()) {
    std::string error;
    input.SetHeader(parser, eval.strict, &error);  // checked by the caller
    if (eval.keep && eval.keep->active())
      keep = std::make_unique<io::KeepWriter>(*eval.keep, eval.format == io::Format::kJsonl);
  }
  io::RecordParser parser;
  std::unique_ptr<batch::Batch> batch;
  std::vector<Entry> entries;
  jit::BatchDecisions decisions;
  std::string output;
  io::CsvCells cells;
  std::unique_ptr<io::KeepWriter> keep;
  std::vector<int> rules;
  std::unordered_map<OutcomeKey, std::string, OutcomeKeyHash> rendered;  // text after the id
  EvalCounts counts;
};

// The decision's text after its id, rendered by the writer for an empty id and cut after the id's place.
std::string RenderAfterId(const BatchedEval& eval, const interp::DecisionView& d, bool timeline) {
  std::string text;
  if (eval.format == io::Format::kJsonl) {
    io::AppendDecisionJson(text, d, "", false, timeline);
    return text.substr(std::string_view("{\"id\":\"\"").size());
  }
  io::AppendDecisionCsv(text, d, "");
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
    if (ok && eval.ledger) e.content = ledger::ShipmentHash(eval.policy->program(), *w.batch, e.packed);
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
      ++w.counts.outcomes[interp::DecisionName(static_cast<ir::OutcomeIR::Kind>(r.kind))];
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
      ++w.counts.outcomes[interp::DecisionName(d.kind)];
    if (jsonl)
      io::AppendDecisionJson(w.output, d, e.id, eval.explain, timeline);
    else
      io::AppendDecisionCsv(w.output, d, e.id);
    close_decision(position, repeat);
    end_line();
  }
}

// One chunk against the ledger (eval_ledger.h): parse, Begin, decide, Record, Commit. When an id turns out to
// be recorded already, the chunk is rolled back, resolved, parsed again without those shipments and decided
// again.
template <typename Slice>
bool DecideWithLedger(const BatchedEval& eval, bool csv, size_t used, const Slice& slice,
                      std::vector<std::unique_ptr<Worker>>& workers, Chunk* chunk, std::string* error) {
  const jit::CompiledPolicy& policy = *eval.policy;
  LedgerEval& ledger = *eval.ledger;
  std::vector<std::vector<uint8_t>> skips(used);
  auto parse = [&](bool with_skips) {
    ParallelFor(used, [&](size_t t) {
      auto [b, e] = slice(t);
      Parse(eval, csv, b, e, *workers[t], with_skips ? &skips[t] : nullptr);
    });
    // The same records give the same shipments, in the same order, every time; the ids are new strings.
    long n = 0;
    for (size_t t = 0; t < used; ++t)
      for (Entry& e : workers[t]->entries) {
        if (!e.valid) continue;
        if (static_cast<size_t>(n) < chunk->shipments.size()) chunk->shipments[n].id = e.id;
        e.shipment = n++;
      }
  };
  auto decide = [&] {
    if (policy.stateless()) {
      ParallelFor(used, [&](size_t t) {
        policy.DecideBatch(*workers[t]->batch, ledger.store(), eval.options, &workers[t]->decisions, 1);
      });
    } else {
      for (size_t t = 0; t < used; ++t)
        policy.DecideBatch(*workers[t]->batch, ledger.store(), eval.options, &workers[t]->decisions, 1);
    }
  };
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
    if (any) parse(true);
    return true;
  };
  std::vector<int> rules;
  auto view = [&](size_t i) {
    auto [t, k] = chunk->where[i];
    return workers[t]->decisions.View(static_cast<size_t>(workers[t]->entries[k].packed), &rules);
  };
  chunk->shipments.clear();
  chunk->where.clear();
  parse(false);
  for (size_t t = 0; t < used; ++t)
    for (size_t k = 0; k < workers[t]->entries.size(); ++k) {
      const Entry& e = workers[t]->entries[k];
      if (!e.valid) continue;
      LedgerShipment s;
      s.id = e.id;
      s.input = e.text;
      s.content = e.content;
      s.line = e.line;
      chunk->shipments.push_back(s);
      chunk->where.emplace_back(t, k);
    }
  if (!ledger.Begin(error)) return false;
  if (ledger.dry_run()) {
    bool ok = resolve_and_reparse();
    if (ok) decide();
    ledger.Rollback();
    return ok;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt == 1 && (!ledger.Begin(error) || !resolve_and_reparse())) {
      ledger.Rollback();
      return false;
    }
    decide();
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
  while (input.Next(&all)) {
    // With a ledger, every `ledger_batch` records are one transaction.
    size_t step = eval.ledger && eval.ledger_batch > 0 ? eval.ledger_batch : all.size();
    for (size_t from = 0; from < all.size(); from += step) {
      std::span<const io::InputRecord> records(all.data() + from, std::min(step, all.size() - from));
      // Shares of the chunk, parsed (and, when no quota is consumed, decided) in parallel; a policy that
      // consumes quotas decides the shares one after the other, in input order.
      size_t used = std::min(n, records.size() / 1024 + 1);
      size_t share = (records.size() + used - 1) / used;
      auto slice = [&](size_t t) {
        size_t b = std::min(records.size(), t * share), e = std::min(records.size(), (t + 1) * share);
        return std::make_pair(records.data() + b, records.data() + e);
      };
      if (eval.ledger) {
        if (!DecideWithLedger(eval, input.csv(), used, slice, workers, &chunk, &counts->error)) return false;
      } else {
        ParallelFor(used, [&](size_t t) {
          auto [b, e] = slice(t);
          Parse(eval, input.csv(), b, e, *workers[t]);
          if (policy.stateless())
            policy.DecideBatch(*workers[t]->batch, ledger, eval.options, &workers[t]->decisions, 1);
        });
        if (!policy.stateless())
          for (size_t t = 0; t < used; ++t)
            policy.DecideBatch(*workers[t]->batch, ledger, eval.options, &workers[t]->decisions, 1);
      }
      ParallelFor(used, [&](size_t t) { Format(eval, *workers[t], eval.ledger ? &chunk : nullptr); });
      for (size_t t = 0; t < used; ++t) {
        const std::string& o = workers[t]->output;
        if (std::fwrite(o.data(), 1, o.size(), out) != o.size()) {
          counts->error = "cannot write the output";
          return false;
        }
      }
      if (eval.progress && eval.progress->enabled()) {
        long total = 0;
        for (auto& w : workers) total += w->counts.total;
        eval.progress->Rows(total, input.bytes_read(), input.size());
      }
    }
  }
  if (input.Failed(&counts->error)) return false;
  for (auto& w : workers) {
    counts->total += w->counts.total;
    counts->invalid += w->counts.invalid;
    counts->failed += w->counts.failed;
    counts->recorded += w->counts.recorded;
    for (const auto& [k, v] : w->counts.outcomes) counts->outcomes[k] += v;
  }
  if (eval.progress) eval.progress->Done();
  return true;
}

}  // namespace edict::cli
