// The C ABI helpers that compiled code calls: general rationals (the integer fast paths are inline), and the
// interpreter's evaluator for the expressions that are not compiled (texts, run-time sets, quotas).
#include <cstddef>

#include "runtime/date.h"
#include "runtime/interp/eval.h"
#include "runtime/jit/layout.h"

namespace edict::jit {

namespace {

interp::EvalContext MakeEvalContext(RuntimeContext* ctx) {
  interp::EvalContext e;
  e.program = ctx->program;
  e.fields = ctx->record->values.data();
  e.ledger = ctx->ledger;
  e.date = ctx->date;
  e.scratch = ctx->Scratch();
  return e;
}

int32_t Fail(RuntimeContext* ctx, const interp::EvalError& e) {
  ctx->error_site = -2;
  ctx->message = e.message;
  ctx->span = e.span;
  return -1;
}

}  // namespace

extern "C" {

// Evaluates fallback expression `index` with the interpreter into `out`: 0, or -1 with the error in the
// context.
int32_t edict_jit_eval(RuntimeContext* ctx, int32_t index, Value* out) {
  interp::EvalContext e = MakeEvalContext(ctx);
  try {
    *out = interp::Eval(*ctx->plan->fallbacks[index], e);
    return 0;
  } catch (const interp::EvalError& err) {
    return Fail(ctx, err);
  }
}

// Computes field `index` exactly as the interpreter's ComputeFields does (texts are kept in the record).
int32_t edict_jit_compute_field(RuntimeContext* ctx, int32_t index) {
  const ir::Field& f = ctx->program->fields[index];
  interp::Record& rec = *ctx->record;
  if (!f.value || !rec.values[index].absent()) return 0;
  if (f.value->op == ir::Op::kConst) {  // a constant (`exporter = ""`): its text lives as long as the program
    rec.values[index] = f.value->constant;
    return 0;
  }
  interp::EvalContext e = MakeEvalContext(ctx);
  try {
    Value v = interp::Eval(*f.value, e);
    if (v.kind == ValueKind::kText) v.text = rec.Keep(v.text);
    rec.values[index] = v;
    return 0;
  } catch (const interp::EvalError& err) {
    return Fail(ctx, err);
  }
}

// General rational arithmetic; op: 0 add, 1 sub, 2 mul, 3 div. Operands and result are {num, den} pairs.
// Returns 1, or 0 when the result overflows (the caller reports the expression's message).
int32_t edict_jit_rat(int32_t op, const i128* a, const i128* b, i128* out) {
  Rational x{a[0], a[1]}, y{b[0], b[1]};
  std::optional<Rational> r = op == 0 ? Add(x, y) : op == 1 ? Sub(x, y) : op == 2 ? Mul(x, y) : Div(x, y);
  if (!r) return 0;
  out[0] = r->num;
  out[1] = r->den;
  return 1;
}

int32_t edict_jit_rat_cmp(const i128* a, const i128* b) {
  return Compare(Rational{a[0], a[1]}, Rational{b[0], b[1]});
}

int32_t edict_jit_year_of(int32_t days) {
  return YearOf(days);
}

}  // extern "C"

ValueLayout HostValueLayout() {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
  return ValueLayout{sizeof(Value),
                     alignof(Value),
                     offsetof(Value, kind),
                     offsetof(Value, b),
                     offsetof(Value, i),
                     offsetof(Value, num) + offsetof(Rational, num),
                     offsetof(Value, num) + offsetof(Rational, den)};
#pragma GCC diagnostic pop
}

std::vector<HelperSymbol> HelperSymbols() {
  return {{"edict_jit_eval", reinterpret_cast<void*>(&edict_jit_eval)},
          {"edict_jit_compute_field", reinterpret_cast<void*>(&edict_jit_compute_field)},
          {"edict_jit_rat", reinterpret_cast<void*>(&edict_jit_rat)},
          {"edict_jit_rat_cmp", reinterpret_cast<void*>(&edict_jit_rat_cmp)},
          {"edict_jit_year_of", reinterpret_cast<void*>(&edict_jit_year_of)}};
}

}  // namespace edict::jit
