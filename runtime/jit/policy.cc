// The host side of the compiled decision: batches in, results out, and the interpreter for the records the
// compiled code hands back (abi.h). Quota totals live in a QuotaState for the length of a batch.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "runtime/interp/timeline.h"
#include "runtime/jit/engine.h"
#include "runtime/jit/jit.h"
#include "runtime/jit/quotas.h"
#include "runtime/parallel/pool.h"

namespace edict::jit {

namespace {

// Whether deciding can change the ledger: some rule in force somewhere consumes a quota. A policy whose
// quotas are only consulted (`fits`), or whose consuming rules were all withdrawn, reads a ledger nobody
// writes during the batch, so its shipments are independent.
bool ConsumesQuotas(const ir::Program& p) {
  for (const auto& r : p.rules)
    if (!r.withdrawn && !r.consumes.empty()) return true;
  for (const auto& e : p.timeline)
    if (ConsumesQuotas(*e.program)) return true;
  return false;
}

}  // namespace

CompiledPolicy::~CompiledPolicy() = default;

BatchDecisions::BatchDecisions() = default;
BatchDecisions::BatchDecisions(BatchDecisions&&) noexcept = default;
BatchDecisions& BatchDecisions::operator=(BatchDecisions&&) noexcept = default;
BatchDecisions::~BatchDecisions() = default;

void BatchDecisions::ShareQuotaState(BatchDecisions& other) {
  if (!other.quotas_) other.quotas_ = std::make_shared<QuotaState>();
  quotas_ = other.quotas_;
}

std::unique_ptr<CompiledPolicy> CompiledPolicy::Compile(std::shared_ptr<const ir::Program> program,
                                                        const JitOptions& options, std::string* error) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<CompiledPolicy> policy(new CompiledPolicy);
  policy->program_ = std::move(program);
  policy->layout_ = batch::PackedLayout::For(*policy->program_);
  policy->plan_ = std::make_unique<Plan>();
  error->clear();
  policy->module_ =
      BuildModule(*policy->program_, policy->layout_, options, policy->plan_.get(), &policy->stats_, error);
  if (!policy->module_) return nullptr;
  static std::atomic<uint64_t> serials{0};
  policy->plan_->serial = ++serials;
  policy->decide_ = reinterpret_cast<DecideFn>(policy->module_->Lookup("edict_decide"));
  if (!policy->decide_) {
    *error = "internal: compiled function edict_decide not found";
    return nullptr;
  }
  policy->stateless_ = !ConsumesQuotas(*policy->program_);
  policy->stats_.compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return policy;
}

std::unique_ptr<batch::Batch> CompiledPolicy::NewBatch() const {
  auto b = std::make_unique<batch::Batch>(layout_);
  for (const std::string& t : plan_->texts) b->texts().Intern(t);
  return b;
}

void CompiledPolicy::Reset(batch::Batch* batch) const {
  batch->Clear(1 + plan_->texts.size(), !stateless_);
}

// Decides records [begin, end): compiled code until a record needs the interpreter, which decides it in its
// place (after undoing what the compiled code consumed for it), then compiled code again.
// Results go to `results` (indexed like the batch); interpreted decisions and quota figures to `out`, so that
// workers deciding parts of one batch in parallel each have their own.
void CompiledPolicy::Run(const batch::Batch& batch, size_t begin, size_t end, Ledger& ledger,
                         const interp::DecideOptions& options, Result* results, BatchDecisions* out) const {
  if (!out->quotas_) out->quotas_ = std::make_shared<QuotaState>();
  QuotaState& quotas = *out->quotas_;
  quotas.Begin(*plan_, batch.texts(), ledger, out->quota_figures_);
  Context ctx;
  ctx.has_as_of = options.has_as_of ? 1 : 0;
  ctx.as_of = options.as_of;
  ctx.consume = options.consume ? 1 : 0;
  ctx.quotas = &quotas;
  ctx.fast = quotas.fast();
  size_t done = begin;
  while (done < end) {
    ctx.base = static_cast<int64_t>(done);
    int64_t k = decide_(batch.record(done), static_cast<int64_t>(end - done), results + done, &ctx);
    if (k <= 0) break;  // cannot happen: each call decides at least one record
    done += static_cast<size_t>(k);
    if (results[done - 1].status != Result::kError) continue;
    size_t i = done - 1;
    quotas.Rollback(static_cast<int64_t>(i));
    interp::Record record;
    batch::Unpack(layout_, *program_, batch, i, &record);
    out->interpreted_.emplace_back(i, interp::Decide(*program_, record, quotas.AsLedger(), options));
  }
  if (out->quota_figures_)
    for (const QuotaState::Use& use : quotas.uses()) {
      out->use_records_.push_back(static_cast<size_t>(use.record));
      out->uses_.push_back(quotas.Explain(use));
    }
  quotas.Flush();
}

void CompiledPolicy::DecideBatch(const batch::Batch& batch, Ledger& ledger,
                                 const interp::DecideOptions& options, BatchDecisions* out,
                                 int threads) const {
  out->policy_ = this;
  // Compiled code writes every field of each result (abi.h), so reused storage is not cleared first.
  if (out->results_.size() < batch.size()) out->results_.resize(batch.size());
  out->size_ = batch.size();
  out->interpreted_.clear();
  out->uses_.clear();
  out->use_records_.clear();
  size_t n = threads > 0 ? static_cast<size_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
  n = std::min(n, batch.size() / 4096 + 1);
  if (!stateless_ || n <= 1) {
    Run(batch, 0, batch.size(), ledger, options, out->results_.data(), out);
    return;
  }
  // No quota is consumed: shipments are independent, so chunks run in parallel on the shared pool, each with
  // totals of its own read from the same ledger.
  if (out->parts_.size() < n) out->parts_.resize(n);
  size_t chunk = (batch.size() + n - 1) / n;
  ParallelFor(n, [&](size_t t) {
    BatchDecisions& part = out->parts_[t];
    part.quota_figures_ = out->quota_figures_;
    part.interpreted_.clear();
    part.uses_.clear();
    part.use_records_.clear();
    Run(batch, std::min(batch.size(), t * chunk), std::min(batch.size(), (t + 1) * chunk), ledger, options,
        out->results_.data(), &part);
  });
  for (size_t t = 0; t < n; ++t) {
    BatchDecisions& p = out->parts_[t];
    for (auto& d : p.interpreted_) out->interpreted_.push_back(std::move(d));
    out->use_records_.insert(out->use_records_.end(), p.use_records_.begin(), p.use_records_.end());
    out->uses_.insert(out->uses_.end(), p.uses_.begin(), p.uses_.end());
  }
}

const interp::Decision* BatchDecisions::Interpreted(size_t i) const {
  auto it = std::lower_bound(interpreted_.begin(), interpreted_.end(), i,
                             [](const auto& e, size_t k) { return e.first < k; });
  return it != interpreted_.end() && it->first == i ? &it->second : nullptr;
}

interp::DecisionView BatchDecisions::View(size_t i, std::vector<int>* rules) const {
  if (const interp::Decision* d = Interpreted(i)) return interp::DecisionView::Of(*d);
  const Result& r = results_[i];
  const ProgramPlan& pp = policy_->plan().programs[r.program];
  interp::DecisionView d;
  d.program = pp.program;
  d.date = r.date;
  d.pending = interp::CompliancePending(policy_->program(), r.date);
  if (r.status == Result::kNotInForce) {
    d.in_force = false;
    return d;
  }
  d.kind = static_cast<ir::OutcomeIR::Kind>(r.kind);
  d.symbol = r.symbol;
  d.review = r.review;
  d.notify = r.notify != 0;
  rules->clear();
  for (int w = 0; w < kRuleWords; ++w)
    for (uint64_t bits = r.rules[w]; bits; bits &= bits - 1)
      rules->push_back(pp.rule_order[64 * w + __builtin_ctzll(bits)]);
  d.rules = *rules;
  auto first = std::lower_bound(use_records_.begin(), use_records_.end(), i);
  auto last = std::upper_bound(first, use_records_.end(), i);
  d.quotas = std::span<const interp::QuotaUse>(uses_.data() + (first - use_records_.begin()),
                                               static_cast<size_t>(last - first));
  return d;
}

interp::Decision BatchDecisions::Decision(size_t i) const {
  if (const interp::Decision* d = Interpreted(i)) return *d;
  std::vector<int> rules;
  interp::DecisionView v = View(i, &rules);
  interp::Decision d;
  d.program = v.program;
  d.kind = v.kind;
  d.symbol = v.symbol;
  d.review = v.review;
  d.notify = v.notify;
  d.in_force = v.in_force;
  d.date = v.date;
  d.pending = v.pending;
  d.rules.assign(v.rules.begin(), v.rules.end());
  d.quotas.assign(v.quotas.begin(), v.quotas.end());
  return d;
}

interp::Decision CompiledPolicy::Decide(const interp::Record& record, Ledger& ledger,
                                        const interp::DecideOptions& options) const {
  auto batch = NewBatch();
  if (!batch::Pack(layout_, *program_, record, batch.get())) {
    interp::Record copy = record;
    return interp::Decide(*program_, copy, ledger, options);
  }
  BatchDecisions out;
  DecideBatch(*batch, ledger, options, &out, 1);
  return out.Decision(0);
}

std::vector<interp::Decision> CompiledPolicy::DecideBatch(std::span<interp::Record> records, Ledger& ledger,
                                                          const interp::DecideOptions& options,
                                                          int threads) const {
  std::vector<interp::Decision> decisions;
  auto batch = NewBatch();
  for (const interp::Record& r : records)
    if (!batch::Pack(layout_, *program_, r, batch.get())) {
      // A record the layout cannot hold: decide one by one, in order, so the ledger sees each in turn.
      for (const interp::Record& each : records) decisions.push_back(Decide(each, ledger, options));
      return decisions;
    }
  BatchDecisions out;
  DecideBatch(*batch, ledger, options, &out, threads);
  decisions.reserve(records.size());
  for (size_t i = 0; i < out.size(); ++i) decisions.push_back(out.Decision(i));
  return decisions;
}

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/edict";
  const char* home = std::getenv("HOME");
  if (home && *home) return std::string(home) + "/.cache/edict";
  return "";
}

}  // namespace edict::jit
