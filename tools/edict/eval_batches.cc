#include "tools/edict/eval_batches.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "compiler/diag/diagnostics.h"
#include "runtime/io/reader.h"
#include "runtime/parallel/pool.h"

namespace edict::cli {

namespace {

constexpr size_t kBlock = 8 << 20;  // bytes read at a time; every complete line in a block is one chunk

struct Line {
  std::string_view text;
  int number = 0;
};

// One line's fate: parsed into the worker's batch (packed >= 0), or invalid.
struct Entry {
  int line = 0;
  long packed = -1;
  std::string id, error;
};

// A worker's share of a chunk, and everything it keeps from one chunk to the next.
struct Worker {
  explicit Worker(const jit::CompiledPolicy& policy) : parser(policy.program()), batch(policy.NewBatch()) {}
  io::RecordParser parser;
  std::unique_ptr<batch::Batch> batch;
  std::vector<Entry> entries;
  jit::BatchDecisions decisions;
  std::string output;
  std::vector<std::string> cells;
  std::vector<int> rules;
  EvalCounts counts;
};

bool Blank(std::string_view s) {
  return s.find_first_not_of(" \t\r") == std::string_view::npos;
}

void Parse(const BatchedEval& eval, const Line* begin, const Line* end, Worker& w) {
  eval.policy->Reset(w.batch.get());
  w.entries.clear();
  for (const Line* l = begin; l != end; ++l) {
    Entry e;
    e.line = l->number;
    bool ok;
    if (eval.csv_input) {
      ok = io::SplitCsv(l->text, &w.cells);
      if (!ok)
        e.error = "unbalanced quotes";
      else
        ok = w.parser.ParseCsv(w.cells, w.batch.get(), l->number, &e.error, &e.id);
    } else {
      ok = w.parser.ParseJson(l->text, w.batch.get(), l->number, &e.error, &e.id);
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
    if (e.packed < 0) {
      ++w.counts.invalid;
      w.output += eval.format == io::Format::kJsonl ? io::ErrorJson(e.id, e.line, e.error)
                                                    : io::ErrorCsv(e.id, e.line, e.error);
      w.output.push_back('\n');
      continue;
    }
    interp::Decision kept;  // an error is only ever the interpreter's
    interp::DecisionView d = w.decisions.View(static_cast<size_t>(e.packed), &w.rules);
    if (d.error) {
      ++w.counts.failed;
      kept = w.decisions.Decision(static_cast<size_t>(e.packed));
      std::string msg =
          kept.error_message + (kept.error_span.valid() ? " (at " + Where(kept.error_span) + ")" : "");
      w.output += eval.format == io::Format::kJsonl ? io::ErrorJson(e.id, e.line, msg)
                                                    : io::ErrorCsv(e.id, e.line, msg);
      w.output.push_back('\n');
      continue;
    }
    ++w.counts.outcomes[interp::DecisionName(d.kind)];
    if (eval.format == io::Format::kJsonl)
      io::AppendDecisionJson(w.output, d, e.id, eval.explain, timeline);
    else
      io::AppendDecisionCsv(w.output, d, e.id);
    w.output.push_back('\n');
  }
}

}  // namespace

bool RunBatchedEval(const BatchedEval& eval, std::istream& in, FILE* out, Ledger& ledger,
                    EvalCounts* counts) {
  const jit::CompiledPolicy& policy = *eval.policy;
  size_t n = eval.workers > 0 ? static_cast<size_t>(eval.workers)
                              : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t t = 0; t < n; ++t) workers.push_back(std::make_unique<Worker>(policy));
  std::string block, carry;
  std::vector<Line> lines;
  int line_no = 0;
  bool header_done = !eval.csv_input;
  bool eof = false;
  while (!eof) {
    block.swap(carry);
    carry.clear();
    size_t have = block.size();
    block.resize(have + kBlock);
    in.read(block.data() + have, static_cast<std::streamsize>(kBlock));
    block.resize(have + static_cast<size_t>(in.gcount()));
    if (in.bad()) {
      counts->error = "cannot read the input";
      return false;
    }
    eof = !in;
    // Complete lines go to this chunk; a line cut by the block's end waits for the next block.
    size_t end = eof ? block.size() : block.rfind('\n');
    if (end == std::string::npos) {  // one line longer than a block: read on
      carry.swap(block);
      continue;
    }
    if (!eof) {
      carry.assign(block, end + 1, std::string::npos);
      block.resize(end + 1);
    }
    lines.clear();
    std::string_view rest(block);
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view text = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      ++line_no;
      if (text.empty() || Blank(text)) continue;
      if (!header_done) {
        header_done = true;
        std::vector<std::string> cells;
        std::string error;
        if (!io::SplitCsv(text, &cells)) error = "unbalanced quotes";
        for (auto& w : workers)
          if (error.empty()) w->parser.SetCsvHeader(cells, &error);
        if (!error.empty()) {
          counts->error = eval.input_name + ":" + std::to_string(line_no) + ": bad CSV header: " + error;
          return false;
        }
        continue;
      }
      lines.push_back({text, line_no});
    }
    if (lines.empty()) continue;
    // Shares of the chunk, parsed (and, when no quota is consumed, decided) in parallel; a policy that
    // consumes quotas decides the shares one after the other, in input order.
    size_t used = std::min(n, lines.size() / 1024 + 1);
    size_t share = (lines.size() + used - 1) / used;
    auto slice = [&](size_t t) {
      size_t b = std::min(lines.size(), t * share), e = std::min(lines.size(), (t + 1) * share);
      return std::make_pair(lines.data() + b, lines.data() + e);
    };
    ParallelFor(used, [&](size_t t) {
      auto [b, e] = slice(t);
      Parse(eval, b, e, *workers[t]);
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
