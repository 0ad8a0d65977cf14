#include "runtime/interp/decide.h"

#include <algorithm>

#include "runtime/interp/eval.h"
#include "runtime/interp/resolve.h"
#include "runtime/interp/timeline.h"

namespace edict::interp {

std::string DecisionName(ir::OutcomeIR::Kind kind) {
  switch (kind) {
    case ir::OutcomeIR::kNoLicenseRequired:
      return "no_license_required";
    case ir::OutcomeIR::kLicenseException:
      return "license_exception";
    case ir::OutcomeIR::kLicenseRequired:
      return "license_required";
    case ir::OutcomeIR::kProhibited:
      return "prohibited";
  }
  return "?";
}

std::string OutcomeText(const ir::Program& p, ir::OutcomeIR::Kind kind, int symbol, bool notify, int review) {
  std::string out = DecisionName(kind);
  if (kind == ir::OutcomeIR::kLicenseException) {
    out +=
        "(" + (symbol >= 0 && p.symbol_enum >= 0 ? p.enums[p.symbol_enum].members[symbol] : std::string("?"));
    if (notify) out += ", notify: true";
    out += ")";
  }
  if (kind == ir::OutcomeIR::kLicenseRequired)
    out += "(review: " +
           (review >= 0 && p.review_enum >= 0 ? p.enums[p.review_enum].members[review] : std::string("?")) +
           ")";
  return out;
}

namespace {

// The interpreter's side of the default logic: conditions and `notify` evaluated on the IR, recorded in the
// trace when one is asked for.
class Evaluator {
 public:
  Evaluator(const ir::Program& p, EvalContext& ctx, Trace* trace) : p_(p), ctx_(ctx), trace_(trace) {}

  bool Applies(int idx, int depth) {
    const ir::Rule& r = p_.rules[idx];
    bool in_force = ctx_.date >= r.from && ctx_.date <= r.until;
    bool applies = in_force && r.when && EvalBool(*r.when, ctx_);
    if (trace_) {
      RuleTrace t;
      t.rule = idx;
      t.depth = depth;
      t.in_force = in_force;
      t.applies = applies;
      if (in_force)
        for (const auto& [text, expr] : r.conditions) {
          std::string value;
          try {
            value = Eval(*expr, ctx_).b ? "true" : "false";
          } catch (const EvalError& e) {
            value = "error: " + e.message;
          }
          t.conditions.emplace_back(text, value);
        }
      t.outcome = OutcomeText(p_, r.outcome.kind, r.outcome.symbol, Notify(idx), r.outcome.review);
      trace_index_[idx] = trace_->rules.size();
      trace_->rules.push_back(std::move(t));
    }
    return applies;
  }

  bool Notify(int idx) {
    const ir::Expr* notify = p_.rules[idx].outcome.notify;
    return notify && EvalBool(*notify, ctx_);
  }

  void OnResolved(int idx, const Resolved& r) {
    if (trace_)
      trace_->rules[trace_index_[idx]].resolved = OutcomeText(p_, r.kind, r.symbol, r.notify, r.review);
  }

 private:
  const ir::Program& p_;
  EvalContext& ctx_;
  Trace* trace_;
  std::map<int, size_t> trace_index_;
};

void ComputeFields(const ir::Program& p, Record& rec, EvalContext& ctx) {
  for (int i : p.field_order) {
    const ir::Field& f = p.fields[i];
    if (!f.value) continue;
    // Input never carries derived fields (the reader rejects them); a test may fix one to try a hypothesis.
    if (!rec.values[i].absent()) continue;
    if (f.value->op == ir::Op::kConst && f.value->constant.kind != ValueKind::kText) {  // most defaults
      rec.values[i] = f.value->constant;
      continue;
    }
    // `end_user = consignee`: a copy, whose text already lives as long as the record.
    if (f.value->op == ir::Op::kField) {
      rec.values[i] = rec.values[f.value->index];
      continue;
    }
    Value v = Eval(*f.value, ctx);
    if (v.kind == ValueKind::kText) v.text = rec.Keep(v.text);
    rec.values[i] = v;
  }
}

}  // namespace

Decision Decide(const ir::Program& program, Record& record, Ledger& ledger, const DecideOptions& options,
                Trace* trace) {
  Decision d;
  d.program = &program;
  // Sets computed at run time live until the decision is made; one pool per thread avoids an allocation per
  // call.
  thread_local std::deque<BitSet> scratch;
  if (!scratch.empty()) scratch.clear();
  // `fits` of a quota cannot change while one shipment is decided (consumption comes after), so it is
  // memoised.
  std::vector<int8_t> memo_storage;
  int8_t memo_small[32];
  int8_t* memo = memo_small;
  if (program.quotas.size() > sizeof memo_small) {
    memo_storage.resize(program.quotas.size());
    memo = memo_storage.data();
  }
  std::fill(memo, memo + program.quotas.size(), int8_t{-1});
  EvalContext ctx;
  ctx.program = &program;
  ctx.fields = record.values.data();
  ctx.ledger = &ledger;
  ctx.scratch = &scratch;
  ctx.fits_memo = memo;
  int date = program.date_field >= 0 ? record.values[program.date_field].i : 0;
  if (options.has_as_of) date = options.as_of;
  ctx.date = date;
  d.date = date;
  d.pending = CompliancePending(program, date);
  if (!program.timeline.empty()) {
    const ir::TimelineEntry* entry = EntryInForce(program, date);
    if (!entry) {
      d.in_force = false;
      return d;
    }
    Record mapped;
    MapRecord(*entry, record, mapped);
    Decision sub = Decide(*entry->program, mapped, ledger, options, trace);
    // The entry decides on a date it binds, so only the timeline knows of a policy passed over.
    sub.pending = d.pending;
    // Texts of the mapped record die with it; the decision holds only indices and numbers.
    return sub;
  }
  try {
    ComputeFields(program, record, ctx);
    if (trace)
      for (int i : program.field_order)
        if (program.fields[i].kind == ir::Field::kDerived)
          trace->fields.emplace_back(program.fields[i].name,
                                     FormatValue(program, record.values[i], program.fields[i].type));
    if (date < program.from || date > program.until) {
      d.in_force = false;
      return d;
    }
    Evaluator evaluator(program, ctx, trace);
    DefaultLogic<Evaluator>(program, evaluator, ResolveScratch::ForThisThread()).Decide(d);
    ConsumeQuotas(program, ctx, ledger, options, d);
  } catch (const EvalError& e) {
    SetError(d, e.message, e.span);
  } catch (const Conflict& c) {
    SetError(d, c.message, c.span);
  }
  return d;
}

void ConsumeQuotas(const ir::Program& program, EvalContext& ctx, Ledger& ledger, const DecideOptions& options,
                   Decision& d) {
  for (int leaf : d.rules) {
    for (int qi : program.rules[leaf].consumes) {
      const ir::Quota& q = program.quotas[qi];
      QuotaUse use;
      use.quota = qi;
      use.limit = q.limit;
      use.key_text = QuotaKeyText(q, ctx);
      std::string key = QuotaKey(q, ctx);
      use.key = key;
      use.amount = Eval(*q.measure, ctx).num;
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

// Maps a record of a timeline's schema to the schema of the program in force.
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

void SetError(Decision& d, const std::string& message, const Span& span) {
  d.error = true;
  d.error_message = message;
  d.error_span = span;
  d.rules.clear();
  d.quotas.clear();
}

}  // namespace edict::interp
