#include "tools/edict/eval_batches.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <unordered_map>
#include <vector>

#include "compiler/diag/diagnostics.h"
#include "runtime/interp/timeline.h"
#include "runtime/io/csv.h"
#include "runtime/io/reader.h"
#include "runtime/parallel/pool.h"

namespace edict::cli {

namespace {

// One record's fate: parsed into the worker's batch (packed >= 0), or invalid.
struct Entry {
  int line = 0;
  long packed = -1;
  std::string_view text;  // for --keep
  std::string id, error;
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
  bool operator==(const OutcomeKey&) const = default;
};
struct OutcomeKeyHash {
  size_t operator()(const OutcomeKey& k) const {
    uint64_t h = (k.head ^ static_cast<uint64_t>(k.program) ^ reinterpret_cast<uintptr_t>(k.pending)) *
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

void Parse(const BatchedEval& eval, bool csv, const io::InputRecord* begin, const io::InputRecord* end,
           Worker& w) {
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
    w.entries.push_back(std::move(e));
  }
}

void Format(const BatchedEval& eval, Worker& w) {
  bool timeline = !eval.policy->program().timeline.empty();
  w.output.clear();
  for (const Entry& e : w.entries) {
    ++w.counts.total;
    if (w.keep) w.keep->Read(e.text);
    auto end_line = [&] {
      if (w.keep)
        eval.format == io::Format::kJsonl ? w.keep->AppendJson(w.output) : w.keep->AppendCsv(w.output);
      w.output.push_back('\n');
    };
    if (e.packed < 0) {
      ++w.counts.invalid;
      w.output += eval.format == io::Format::kJsonl ? io::ErrorJson(e.id, e.line, e.error)
                                                    : io::ErrorCsv(e.id, e.line, e.error);
      end_line();
      continue;
    }
    size_t i = static_cast<size_t>(e.packed);
    if (!eval.explain && !w.decisions.IsInterpreted(i)) {
      const jit::Result& r = w.decisions.result(i);
      OutcomeKey key;
      std::memcpy(&key.head, &r, sizeof key.head);
      key.program = r.program;
      std::memcpy(key.rules, r.rules, sizeof key.rules);
      key.pending = interp::CompliancePending(eval.policy->program(), r.date);
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
      end_line();
      continue;
    }
    interp::Decision kept;  // an error is only ever the interpreter's
    interp::DecisionView d = w.decisions.View(i, &w.rules);
    if (d.error) {
      ++w.counts.failed;
      kept = w.decisions.Decision(static_cast<size_t>(e.packed));
      std::string msg =
          kept.error_message + (kept.error_span.valid() ? " (at " + Where(kept.error_span) + ")" : "");
      w.output += eval.format == io::Format::kJsonl ? io::ErrorJson(e.id, e.line, msg)
                                                    : io::ErrorCsv(e.id, e.line, msg);
      end_line();
      continue;
    }
    ++w.counts.outcomes[interp::DecisionName(d.kind)];
    if (eval.format == io::Format::kJsonl)
      io::AppendDecisionJson(w.output, d, e.id, eval.explain, timeline);
    else
      io::AppendDecisionCsv(w.output, d, e.id);
    end_line();
  }
}

}  // namespace

bool RunBatchedEval(const BatchedEval& eval, ShipmentInput& input, FILE* out, Ledger& ledger,
                    EvalCounts* counts) {
  const jit::CompiledPolicy& policy = *eval.policy;
  size_t n = eval.workers > 0 ? static_cast<size_t>(eval.workers)
                              : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t t = 0; t < n; ++t) workers.push_back(std::make_unique<Worker>(eval, input));
  std::vector<io::InputRecord> records;
  while (input.Next(&records)) {
    // Shares of the chunk, parsed (and, when no quota is consumed, decided) in parallel; a policy that
    // consumes quotas decides the shares one after the other, in input order.
    size_t used = std::min(n, records.size() / 1024 + 1);
    size_t share = (records.size() + used - 1) / used;
    auto slice = [&](size_t t) {
      size_t b = std::min(records.size(), t * share), e = std::min(records.size(), (t + 1) * share);
      return std::make_pair(records.data() + b, records.data() + e);
    };
    ParallelFor(used, [&](size_t t) {
      auto [b, e] = slice(t);
      Parse(eval, input.csv(), b, e, *workers[t]);
      if (policy.stateless())
        policy.DecideBatch(*workers[t]->batch, ledger, eval.options, &workers[t]->decisions, 1);
    });
    if (!policy.stateless())
      for (size_t t = 0; t < used; ++t)
        policy.DecideBatch(*workers[t]->batch, ledger, eval.options, &workers[t]->decisions, 1);
    ParallelFor(used, [&](size_t t) { Format(eval, *workers[t]); });
    for (size_t t = 0; t < used; ++t) {
      const std::string& o = workers[t]->output;
      if (std::fwrite(o.data(), 1, o.size(), out) != o.size()) {
        counts->error = "cannot write the output";
        return false;
      }
    }
    if (eval.progress) {
      long total = 0;
      for (auto& w : workers) total += w->counts.total;
      std::fprintf(stderr, "\r%ld shipments...", total);
    }
  }
  if (input.Failed(&counts->error)) return false;
  for (auto& w : workers) {
    counts->total += w->counts.total;
    counts->invalid += w->counts.invalid;
    counts->failed += w->counts.failed;
    for (const auto& [k, v] : w->counts.outcomes) counts->outcomes[k] += v;
  }
  if (eval.progress) std::fputs("\r", stderr);
  return true;
}

}  // namespace edict::cli
