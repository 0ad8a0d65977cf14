// The decision over compiled functions. The default logic, the conflicts, the determining rules and the quota
// bookkeeping are the interpreter's own (runtime/interp/resolve.h), so the first error met and every message
// are the same; only conditions, `notify` and derived fields run as compiled code.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "runtime/interp/eval.h"
#include "runtime/interp/resolve.h"
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

// The JIT's side of the default logic (interp::DefaultLogic): conditions and `notify` are compiled functions.
class CompiledConditions {
 public:
  CompiledConditions(const CompiledProgram& cp, Record& record, RuntimeContext& ctx)
      : cp_(cp), p_(*cp.program), record_(record), ctx_(ctx) {}

  bool Applies(int idx, int /*depth*/) {
    const ir::Rule& r = p_.rules[idx];
    bool in_force = ctx_.date >= r.from && ctx_.date <= r.until;
    return in_force && cp_.when[idx] && Call(cp_.when[idx], record_, ctx_);
  }
  bool Notify(int idx) { return cp_.notify[idx] && Call(cp_.notify[idx], record_, ctx_); }
  void OnResolved(int /*idx*/, const interp::Resolved& /*r*/) {}

 private:
  const CompiledProgram& cp_;
  const ir::Program& p_;
  Record& record_;
  RuntimeContext& ctx_;
};

Decision DecideProgram(const CompiledProgram& cp, Record& record, Ledger& ledger,
                       const interp::DecideOptions& options) {
  const ir::Program& program = *cp.program;
  Decision d;
  d.program = &program;
  int date = program.date_field >= 0 ? record.values[program.date_field].i : 0;
  if (options.has_as_of) date = options.as_of;
  d.date = date;
  if (!program.timeline.empty()) {
    const ir::TimelineEntry* entry = interp::EntryInForce(program, date);
    if (!entry) {
      d.in_force = false;
      return d;
    }
    Record mapped;
    interp::MapRecord(*entry, record, mapped);
    return DecideProgram(*cp.timeline[entry - program.timeline.data()], mapped, ledger, options);
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
    CompiledConditions conditions(cp, record, ctx);
    interp::DefaultLogic<CompiledConditions>(program, conditions, interp::ResolveScratch::ForThisThread())
        .Decide(d);
    bool consumes = std::any_of(d.rules.begin(), d.rules.end(),
                                [&](int r) { return !program.rules[r].consumes.empty(); });
    if (consumes) {  // the rare path: the interpreter's own bookkeeping
      interp::EvalContext e;
      e.program = &program;
      e.fields = record.values.data();
      e.ledger = &ledger;
      e.date = ctx.date;
      e.scratch = ctx.Scratch();
      interp::ConsumeQuotas(program, e, ledger, options, d);
    }
  } catch (const EvalError& e) {
    interp::SetError(d, e.message, e.span);
  } catch (const interp::Conflict& c) {
    interp::SetError(d, c.message, c.span);
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
