#include "tools/edict/eval_share.h"

#include <cstring>

#include "compiler/diag/diagnostics.h"
#include "runtime/interp/timeline.h"

namespace edict::cli {

namespace {

constexpr size_t kMaxRendered = 4096;  // distinct outcomes kept per worker

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

// The text of compiled decision i (not one the interpreter took over), rendered once per distinct outcome.
const Rendered& RenderedFor(const BatchedEval& eval, WorkerState& w, const jit::BatchDecisions& decisions,
                            size_t i, bool timeline) {
  const jit::Result& r = decisions.result(i);
  OutcomeKey key;
  std::memcpy(&key.head, &r, sizeof key.head);
  key.program = r.program;
  std::memcpy(key.rules, r.rules, sizeof key.rules);
  key.pending = interp::CompliancePending(eval.policy->program(), r.date);
  key.pending_rules = interp::PendingRulesPeriod(eval.policy->program(), r.date);
  if (w.last && key == w.last_key) return *w.last;
  auto it = w.rendered.find(key);
  if (it == w.rendered.end()) {
    Rendered text;
    text.text = RenderAfterId(eval, decisions.View(i, &w.rules), timeline);
    text.with_provenance = text.text;
    eval.format == io::Format::kJsonl
        ? io::AppendProvenanceJson(text.with_provenance, eval.provenance.Json(), -1, false)
        : io::AppendProvenanceCsv(text.with_provenance, eval.provenance.Csv(), -1, false);
    if (w.rendered.size() >= kMaxRendered) w.rendered.clear();
    it = w.rendered.emplace(key, std::move(text)).first;
  }
  w.last_key = key;
  w.last = &it->second;
  return it->second;
}

}  // namespace

size_t OutcomeKeyHash::operator()(const OutcomeKey& k) const {
  uint64_t h = (k.head ^ static_cast<uint64_t>(k.program) ^ reinterpret_cast<uintptr_t>(k.pending) ^
                (static_cast<uint64_t>(k.pending_rules) << 48)) *
               0x9E3779B97F4A7C15ULL;
  for (uint64_t r : k.rules) h = (h ^ r) * 0x9E3779B97F4A7C15ULL;
  return static_cast<size_t>(h ^ (h >> 29));
}

WorkerState::WorkerState(const BatchedEval& eval, const ShipmentInput& input)
    : parser(eval.policy->program()), hasher(eval.policy->program()) {
  std::string error;
  input.SetHeader(parser, eval.strict, &error);  // checked by the caller
  if (eval.keep && eval.keep->active())
    keep = std::make_unique<io::KeepWriter>(*eval.keep, eval.format == io::Format::kJsonl);
}

void WorkerState::AddTo(EvalCounts* out) const {
  out->total += counts.total;
  out->invalid += counts.invalid;
  out->failed += counts.failed;
  out->recorded += counts.recorded;
  for (size_t k = 0; k < counts.kinds.size(); ++k)
    if (counts.kinds[k])
      out->outcomes[interp::DecisionName(static_cast<ir::OutcomeIR::Kind>(k))] += counts.kinds[k];
}

void ParseShare(const BatchedEval& eval, bool csv, const io::InputRecord* begin, const io::InputRecord* end,
                WorkerState& w, Share& share, const std::vector<uint8_t>* skip) {
  eval.policy->Reset(share.batch.get());
  batch::Batch* batch = share.batch.get();
  share.count = 0;
  if (share.entries.size() < static_cast<size_t>(end - begin)) share.entries.resize(end - begin);
  for (const io::InputRecord* r = begin; r != end; ++r) {
    Entry& e = share.entries[share.count];
    e.line = r->line;
    e.text = r->text;
    e.id.clear();
    e.error.clear();
    e.packed = -1;
    e.content = 0;
    e.shipment = -1;
    bool ok;
    if (csv) {
      ok = w.cells.Split(r->text, &e.error) &&
           w.parser.ParseCsv(w.cells.cells(), batch, r->line, &e.error, &e.id);
    } else {
      ok = w.parser.ParseJson(r->text, batch, r->line, &e.error, &e.id);
    }
    if (ok) e.packed = static_cast<long>(batch->size()) - 1;
    e.valid = ok;
    if (ok && eval.ledger) e.content = w.hasher(*batch, static_cast<size_t>(e.packed));
    if (ok && skip && (*skip)[share.count]) {
      batch->PopBack();
      e.packed = -1;
    }
    ++share.count;
  }
}

void FormatShare(const BatchedEval& eval, WorkerState& w, Share& share, const LedgerChunk* chunk) {
  bool timeline = !eval.policy->program().timeline.empty();
  bool jsonl = eval.format == io::Format::kJsonl;
  std::string& out = share.output;
  out.clear();
  std::vector<int> other_rules;
  const std::string provenance = jsonl ? eval.provenance.Json() : eval.provenance.Csv();
  // Provenance after a decision: with a ledger its position (0: not recorded), and whether an earlier run
  // recorded it.
  auto close_decision = [&](int64_t position, bool recorded) {
    jsonl ? io::AppendProvenanceJson(out, provenance, position, recorded)
          : io::AppendProvenanceCsv(out, provenance, position, recorded);
  };
  for (const Entry& e : share.Entries()) {
    ++w.counts.total;
    if (w.keep) w.keep->Read(e.text);
    auto end_line = [&] {
      if (w.keep) jsonl ? w.keep->AppendJson(out) : w.keep->AppendCsv(out);
      out.push_back('\n');
    };
    auto error_line = [&](const std::string& message) {
      out += jsonl ? io::ErrorJson(e.id, e.line, message) : io::ErrorCsv(e.id, e.line, message);
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
    const Share* from = &share;
    long packed = e.packed;
    bool repeat = false;
    int64_t position = -1;
    if (chunk && e.shipment >= 0) {
      const LedgerShipment& s = chunk->shipments[e.shipment];
      position = s.position;
      if (s.state == LedgerShipment::kRecorded) {
        ++w.counts.recorded;
        const ledger::RecordedShipment& r = eval.ledger->recorded()[s.other];
        jsonl ? AppendRecordedJson(out, e.id, r, eval.explain) : AppendRecordedCsv(out, e.id, r);
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
        from = chunk->shares[t];
        packed = from->entries[k].packed;
        repeat = true;
      }
    }
    size_t i = static_cast<size_t>(packed);
    if (!repeat && !eval.explain && !share.decisions.IsInterpreted(i)) {
      const Rendered& text = RenderedFor(eval, w, share.decisions, i, timeline);
      ++w.counts.kinds[share.decisions.result(i).kind & 3];
      if (jsonl) {
        out += "{\"id\":";
        io::AppendJsonString(out, e.id);
      } else {
        io::AppendCsvCell(out, e.id);
      }
      if (position < 0) {
        out += text.with_provenance;
      } else {
        out += text.text;
        close_decision(position, false);
      }
      end_line();
      continue;
    }
    interp::Decision kept;  // an error is only ever the interpreter's
    interp::DecisionView d = from->decisions.View(i, from == &share ? &w.rules : &other_rules);
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
      ++w.counts.kinds[static_cast<size_t>(d.kind) & 3];
    if (jsonl)
      io::AppendDecisionJson(out, d, e.id, eval.explain, timeline);
    else
      io::AppendDecisionCsv(out, d, e.id, timeline);
    close_decision(position, repeat);
    end_line();
  }
}

}  // namespace edict::cli
