// The decision over compiled functions. The steps, their order and every message are those of interp::Decide
// (runtime/interp/decide.cc), so that the first error met, the conflicts and the determining rules are the
// same; the quota bookkeeping calls the interpreter's own QuotaKey/QuotaKeyText/Eval (quotas are the rare
// path).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "runtime/interp/eval.h"
#include "runtime/jit/engine.h"
#include "runtime/jit/jit.h"
#include "runtime/jit/layout.h"

namespace edict::jit {

struct CompiledProgram {
  const ir::Program* program = nullptr;
  const Plan* plan = nullptr;
  CompiledFn fields = nullptr;
  std::vector<CompiledFn> when, notify;  // per rule; null when the rule has none
  std::vector<std::unique_ptr<CompiledProgram>> timeline;
};

namespace {

using interp::Decision;
using interp::EvalError;
using interp::Record;

struct Conflict {
  std::string message;
  Span span;
};

// A resolved outcome; its leaves (determining rules) are the range [begin, end) of the per-thread leaf pool,
// so that resolving allocates nothing in the common case.
struct Resolved {
  ir::OutcomeIR::Kind kind = ir::OutcomeIR::kNoLicenseRequired;
  int symbol = -1, review = -1;
  bool notify = false;
  int from = -1;  // the rule or exception it came from
  uint32_t begin = 0, end = 0;
  bool Same(const Resolved& o) const {
    return kind == o.kind && symbol == o.symbol && review == o.review && notify == o.notify;
  }
};

// Per-thread scratch reused across decisions: a stack of resolved outcomes (each level of Resolve works above
// its base) and the leaf pool.
struct Scratch {
  std::vector<Resolved> stack;
  std::vector<int> leaves;
};
Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Calls a compiled function; its error becomes the interpreter's EvalError.
bool Call(CompiledFn fn, Record& record, RuntimeContext& ctx) {
  int32_t r = fn(record.values.data(), &ctx);
  if (r >= 0) return r != 0;
  if (ctx.error_site >= 0) {
    const ErrorSite& site = ctx.plan->sites[ctx.error_site];
    throw EvalError{site.message, site.span};
  }
  throw EvalError{ctx.message, ctx.span};
}

class Resolver {
 public:
  Resolver(const CompiledProgram& cp, Record& record, RuntimeContext& ctx, Scratch& scratch)
      : cp_(cp), p_(*cp.program), record_(record), ctx_(ctx), s_(scratch) {}

  bool Applies(int idx) {
    const ir::Rule& r = p_.rules[idx];
    bool in_force = ctx_.date >= r.from && ctx_.date <= r.until;
    return in_force && cp_.when[idx] && Call(cp_.when[idx], record_, ctx_);
  }

  bool Notify(int idx) { return cp_.notify[idx] && Call(cp_.notify[idx], record_, ctx_); }

  // Default logic, as interp's Decider::Resolve: an applicable rule is replaced by its applicable exceptions.
  Resolved Resolve(int idx) {
    const ir::Rule& r = p_.rules[idx];
    size_t base = s_.stack.size();
    for (int e : r.exceptions) {
      if (!Applies(e)) continue;
      Resolved x = Resolve(e);
      x.from = e;
      s_.stack.push_back(x);
    }
    if (s_.stack.size() == base) {
      Resolved out;
      out.kind = r.outcome.kind;
      out.symbol = r.outcome.symbol;
      out.review = r.outcome.review;
      out.notify = Notify(idx);
      out.begin = static_cast<uint32_t>(s_.leaves.size());
      s_.leaves.push_back(idx);
      out.end = out.begin + 1;
      return out;
    }
    Resolved first = s_.stack[base];
    for (size_t i = base + 1; i < s_.stack.size(); ++i) {
      const Resolved& other = s_.stack[i];
      if (!other.Same(first))
        throw Conflict{"conflict: exceptions '" + p_.rules[first.from].id + "' (" + Text(first) + ") and '" +
                           p_.rules[other.from].id + "' (" + Text(other) + ") both override '" + r.id +
                           "'; the policy must say which applies",
                       p_.rules[other.from].span};
    }
    if (s_.stack.size() - base > 1) {  // concatenate the leaves of every override, in order
      uint32_t begin = static_cast<uint32_t>(s_.leaves.size());
      for (size_t i = base; i < s_.stack.size(); ++i)
        for (uint32_t k = s_.stack[i].begin; k < s_.stack[i].end; ++k) s_.leaves.push_back(s_.leaves[k]);
      first.begin = begin;
      first.end = static_cast<uint32_t>(s_.leaves.size());
    }
    s_.stack.resize(base);
    return first;
  }

  std::string Text(const Resolved& r) const {
    return interp::OutcomeText(p_, r.kind, r.symbol, r.notify, r.review);
  }

 private:
  const CompiledProgram& cp_;
  const ir::Program& p_;
  Record& record_;
  RuntimeContext& ctx_;
  Scratch& s_;
};

void MapRecord(const ir::TimelineEntry& entry, const Record& from, Record& to) {
  const ir::Program& sub = *entry.program;
  to.values.assign(sub.fields.size(), Value{});
  to.line = from.line;
  for (size_t i = 0; i < sub.fields.size(); ++i) {
    int src = entry.field_map[i];
    if (src < 0) continue;
    Value v = from.values[src];
    if (v.kind == ValueKind::kEnum && !entry.member_map[i].empty()) v.i = entry.member_map[i][v.i];
    to.values[i] = v;
  }
}

int Severity(const ir::Program& p, const Resolved& r) {
  return p.Severity({r.kind, r.symbol, nullptr, r.review});
}

void Consume(const ir::Program& program, Decision& d, RuntimeContext& ctx, Ledger& ledger,
             const interp::DecideOptions& options) {
  interp::EvalContext e;
  e.program = &program;
  e.fields = ctx.record->values.data();
  e.ledger = &ledger;
  e.date = ctx.date;
  e.scratch = ctx.Scratch();
  for (int leaf : d.rules) {
    for (int qi : program.rules[leaf].consumes) {
      const ir::Quota& q = program.quotas[qi];
      interp::QuotaUse use;
      use.quota = qi;
      use.limit = q.limit;
      use.key_text = interp::QuotaKeyText(q, e);
      std::string key = interp::QuotaKey(q, e);
      use.amount = interp::Eval(*q.measure, e).num;
      use.before = key.empty() ? Rational{} : ledger.Consumed(key);
      auto after = Add(use.before, use.amount);
      if (!after) throw EvalError{"overflow in quota " + q.id, q.span};
      use.after = *after;
      if (options.consume && !key.empty() && !ledger.Add(key, use.amount))
        throw EvalError{"overflow in quota " + q.id, q.span};
      d.quotas.push_back(use);
    }
  }
}

Decision DecideProgram(const CompiledProgram& cp, Record& record, Ledger& ledger,
                       const interp::DecideOptions& options) {
  const ir::Program& program = *cp.program;
  Decision d;
  d.program = &program;
  int date = program.date_field >= 0 ? record.values[program.date_field].i : 0;
  if (options.has_as_of) date = options.as_of;
  d.date = date;
  if (!program.timeline.empty()) {
    int chosen = -1;
    for (size_t i = 0; i < program.timeline.size(); ++i)
      if (program.timeline[i].from <= date) chosen = static_cast<int>(i);
    if (chosen < 0) {
      d.in_force = false;
      return d;
    }
    Record mapped;
    MapRecord(program.timeline[chosen], record, mapped);
    return DecideProgram(*cp.timeline[chosen], mapped, ledger, options);
  }
  RuntimeContext ctx;
  ctx.date = date;
  ctx.program = &program;
  ctx.record = &record;
  ctx.ledger = &ledger;
  ctx.plan = cp.plan;
  try {
    Call(cp.fields, record, ctx);
    if (date < program.from || date > program.until) {
      d.in_force = false;
      return d;
    }
    Scratch& scratch = ThreadScratch();
    scratch.stack.clear();
    scratch.leaves.clear();
    Resolver resolver(cp, record, ctx, scratch);
    for (int r : program.roots)
      if (resolver.Applies(r)) {
        Resolved x = resolver.Resolve(r);
        scratch.stack.push_back(x);
      }
    const std::vector<Resolved>& results = scratch.stack;
    if (results.empty()) return d;
    const Resolved* worst = &results[0];
    for (const auto& r : results)
      if (Severity(program, r) > Severity(program, *worst)) worst = &r;
    int sev = Severity(program, *worst);
    for (const auto& r : results) {
      if (Severity(program, r) != sev || r.Same(*worst)) continue;
      throw Conflict{"conflict: '" + program.rules[scratch.leaves[worst->begin]].id + "' gives " +
                         resolver.Text(*worst) + " and '" + program.rules[scratch.leaves[r.begin]].id +
                         "' gives " + resolver.Text(r) +
                         ", equally severe; the policy must say which applies",
                     program.rules[scratch.leaves[r.begin]].span};
    }
    d.kind = worst->kind;
    d.symbol = worst->symbol;
    d.review = worst->review;
    d.notify = worst->notify;
    for (const auto& r : results)
      if (r.Same(*worst))
        for (uint32_t k = r.begin; k < r.end; ++k) {
          int leaf = scratch.leaves[k];
          if (std::find(d.rules.begin(), d.rules.end(), leaf) == d.rules.end()) d.rules.push_back(leaf);
        }
    Consume(program, d, ctx, ledger, options);
  } catch (const EvalError& e) {
    d.error = true;
    d.error_message = e.message;
    d.error_span = e.span;
    d.rules.clear();
    d.quotas.clear();
  } catch (const Conflict& c) {
    d.error = true;
    d.error_message = c.message;
    d.error_span = c.span;
    d.rules.clear();
    d.quotas.clear();
  }
  return d;
}

// Binds the functions of plan.programs[*next] (and, pre-order, of its timeline's programs).
std::unique_ptr<CompiledProgram> Bind(const Module& module, const Plan& plan, size_t* next,
                                      std::string* error) {
  const ProgramPlan& pp = plan.programs[(*next)++];
  auto cp = std::make_unique<CompiledProgram>();
  cp->program = pp.program;
  cp->plan = &plan;
  auto lookup = [&](const std::string& name) -> CompiledFn {
    if (name.empty()) return nullptr;
    void* address = module.Lookup(name);
    if (!address) *error = "internal: compiled function " + name + " not found";
    return reinterpret_cast<CompiledFn>(address);
  };
  cp->fields = lookup(pp.fields_fn);
  for (const auto& name : pp.when_fns) cp->when.push_back(lookup(name));
  for (const auto& name : pp.notify_fns) cp->notify.push_back(lookup(name));
  for (size_t i = 0; i < pp.program->timeline.size(); ++i) {
    cp->timeline.push_back(Bind(module, plan, next, error));
    if (!cp->timeline.back()) return nullptr;
  }
  if (!error->empty()) return nullptr;
  return cp;
}

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

std::unique_ptr<CompiledPolicy> CompiledPolicy::Compile(std::shared_ptr<const ir::Program> program,
                                                        const JitOptions& options, std::string* error) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<CompiledPolicy> policy(new CompiledPolicy);
  policy->program_ = std::move(program);
  policy->plan_ = std::make_unique<Plan>();
  error->clear();
  policy->module_ = BuildModule(*policy->program_, options, policy->plan_.get(), &policy->stats_, error);
  if (!policy->module_) return nullptr;
  size_t next = 0;
  policy->root_ = Bind(*policy->module_, *policy->plan_, &next, error);
  if (!policy->root_) return nullptr;
  policy->stateless_ = !ConsumesQuotas(*policy->program_);
  policy->stats_.native_exprs = policy->plan_->native_exprs;
  policy->stats_.fallback_exprs = static_cast<int>(policy->plan_->fallbacks.size());
  policy->stats_.compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return policy;
}

Decision CompiledPolicy::Decide(Record& record, Ledger& ledger, const interp::DecideOptions& options) const {
  return DecideProgram(*root_, record, ledger, options);
}

std::vector<Decision> CompiledPolicy::DecideBatch(std::span<Record> records, Ledger& ledger,
                                                  const interp::DecideOptions& options, int threads) const {
  std::vector<Decision> out(records.size());
  auto run = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) out[i] = DecideProgram(*root_, records[i], ledger, options);
  };
  size_t n = threads > 0 ? static_cast<size_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
  n = std::min(n, records.size() / 4096 + 1);
  if (!stateless_ || n <= 1) {
    run(0, records.size());
    return out;
  }
  // No quotas: nothing is shared but the read-only program and code, so chunks run in parallel.
  std::vector<std::thread> workers;
  size_t chunk = (records.size() + n - 1) / n;
  for (size_t t = 1; t < n; ++t)
    workers.emplace_back(run, std::min(records.size(), t * chunk), std::min(records.size(), (t + 1) * chunk));
  run(0, std::min(records.size(), chunk));
  for (auto& w : workers) w.join();
  return out;
}

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/edict";
  const char* home = std::getenv("HOME");
  if (home && *home) return std::string(home) + "/.cache/edict";
  return "";
}

}  // namespace edict::jit
