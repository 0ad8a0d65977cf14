#include "runtime/interp/eval.h"

#include <optional>

#include "runtime/date.h"

namespace edict::interp {

namespace {

[[noreturn]] void Fail(const ir::Expr& e, std::string message) {
  throw EvalError{std::move(message), e.span};
}

Rational Checked(const ir::Expr& e, std::optional<Rational> r, const char* what) {
  if (!r) Fail(e, std::string(what));
  if (e.checked_int && !r->FitsInt64()) Fail(e, "integer overflow: the result does not fit in 64 bits");
  return *r;
}

int CompareValues(const Value& a, const Value& b) {
  if (a.kind == ValueKind::kDate) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  return Compare(a.num, b.num);
}

void AppendKeyPart(std::string* out, const Value& v) {
  switch (v.kind) {
    case ValueKind::kText:
      out->append(v.text);
      break;
    case ValueKind::kNumber:
      out->append(v.num.ToString());
      break;
    case ValueKind::kDate:
      out->append(FormatDate(v.i));
      break;
    case ValueKind::kEnum:
      out->append("#" + std::to_string(v.i));
      break;
    case ValueKind::kBool:
      out->append(v.b ? "true" : "false");
      break;
    default:
      out->append("-");
      break;
  }
}

// The value of an operand, without copying it when it is stored already (a field or a constant: most operands
// are, and a Value is 80 bytes); `scratch` holds it otherwise. Callers evaluate operands left to right in
// separate statements, so that of two failing operands the left one's error is reported, as the JIT does.
const Value& Operand(const ir::Expr& e, EvalContext& ctx, std::optional<Value>& scratch) {
  if (e.op == ir::Op::kField) return ctx.fields[e.index];
  if (e.op == ir::Op::kConst) return e.constant;
  return scratch.emplace(Eval(e, ctx));
}

// A tabulated expression's cell for this shipment's member; null for a member outside the column (a
// timeline's unmapped member), where the expression is evaluated as written.
const Value* Tabulated(const ir::Expr& e, EvalContext& ctx) {
  std::optional<Value> scratch;
  const Value& key = Operand(*e.args[0], ctx, scratch);
  const std::vector<Value>& column = ctx.program->columns[e.index];
  if (key.kind != ValueKind::kEnum || key.i < 0 || static_cast<size_t>(key.i) >= column.size())
    return nullptr;
  return &column[static_cast<size_t>(key.i)];
}

}  // namespace

bool EvalBool(const ir::Expr& e, EvalContext& ctx) {
  using ir::Op;
  switch (e.op) {
    case Op::kConst:
      return e.constant.b;
    case Op::kField:
      return ctx.fields[e.index].b;
    case Op::kNot:
      return !EvalBool(*e.args[0], ctx);
    case Op::kAnd:
      return EvalBool(*e.args[0], ctx) && EvalBool(*e.args[1], ctx);
    case Op::kOr:
      return EvalBool(*e.args[0], ctx) || EvalBool(*e.args[1], ctx);
    case Op::kIn:
    case Op::kNotIn: {
      const ir::Expr& x = *e.args[0];
      const ir::Expr& s = *e.args[1];
      int member = x.op == Op::kField ? ctx.fields[x.index].i : Eval(x, ctx).i;
      const BitSet* set = s.op == Op::kConst ? s.constant.set : Eval(s, ctx).set;
      return set->Test(member) == (e.op == Op::kIn);
    }
    case Op::kEq:
    case Op::kNe: {
      std::optional<Value> as, bs;
      const Value& a = Operand(*e.args[0], ctx, as);
      const Value& b = Operand(*e.args[1], ctx, bs);
      return ValuesEqual(a, b) == (e.op == Op::kEq);
    }
    case Op::kTabulated:
      if (const Value* v = Tabulated(e, ctx)) return v->b;
      return Eval(*e.args[1], ctx).b;
    default:
      return Eval(e, ctx).b;
  }
}

Value Eval(const ir::Expr& e, EvalContext& ctx) {
  using ir::Op;
  switch (e.op) {
    case Op::kConst:
      return e.constant;
    case Op::kField:
      return ctx.fields[e.index];
    case Op::kRowField: {
      std::optional<Value> scratch;
      const Value& key = Operand(*e.args[0], ctx, scratch);
      const ir::Table& t = ctx.program->tables[e.table];
      if (key.kind != ValueKind::kEnum || key.i < 0 || static_cast<size_t>(key.i) >= t.rows.size())
        Fail(e, "no row for this key in table " + t.name);
      return t.rows[key.i][e.index];
    }
    case Op::kNot:
    case Op::kAnd:
    case Op::kOr:
    case Op::kIn:
    case Op::kNotIn:
    case Op::kEq:
    case Op::kNe:
      return Value::Bool(EvalBool(e, ctx));
    case Op::kIf:
      return EvalBool(*e.args[0], ctx) ? Eval(*e.args[1], ctx) : Eval(*e.args[2], ctx);
    case Op::kNeg: {
      Value v = Eval(*e.args[0], ctx);
      return Value::Number(Checked(e, Sub(Rational{}, v.num), "overflow in negation"));
    }
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv: {
      std::optional<Value> as, bs;
      const Value& a = Operand(*e.args[0], ctx, as);
      const Value& b = Operand(*e.args[1], ctx, bs);
      switch (e.op) {
        case Op::kAdd:
          return Value::Number(Checked(e, Add(a.num, b.num), "overflow in addition"));
        case Op::kSub:
          return Value::Number(Checked(e, Sub(a.num, b.num), "overflow in subtraction"));
        case Op::kMul:
          return Value::Number(Checked(e, Mul(a.num, b.num), "overflow in multiplication"));
        default:
          if (b.num.num == 0) Fail(e, "division by zero");
          return Value::Number(Checked(e, Div(a.num, b.num), "overflow in division"));
      }
    }
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      std::optional<Value> as, bs;
      const Value& a = Operand(*e.args[0], ctx, as);
      const Value& b = Operand(*e.args[1], ctx, bs);
      int c = CompareValues(a, b);
      return Value::Bool(e.op == Op::kLt   ? c < 0
                         : e.op == Op::kLe ? c <= 0
                         : e.op == Op::kGt ? c > 0
                                           : c >= 0);
    }
    case Op::kUnion:
    case Op::kDifference: {
      Value a = Eval(*e.args[0], ctx);
      Value b = Eval(*e.args[1], ctx);
      if (!ctx.scratch) Fail(e, "internal: no scratch space for a run-time set");
      BitSet& out = ctx.scratch->emplace_back(*a.set);
      if (out.words.size() < b.set->words.size()) out.words.resize(b.set->words.size(), 0);
      for (size_t i = 0; i < b.set->words.size(); ++i)
        out.words[i] =
            e.op == Op::kUnion ? (out.words[i] | b.set->words[i]) : (out.words[i] & ~b.set->words[i]);
      return Value::SetOf(&out);
    }
    case Op::kYearOf:
      return Value::Number(Rational::Int(YearOf(Eval(*e.args[0], ctx).i)));
    case Op::kIsKnown:
      return Value::Bool(!Eval(*e.args[0], ctx).absent());
    case Op::kOtherwise: {
      Value v = Eval(*e.args[0], ctx);
      return v.absent() ? Eval(*e.args[1], ctx) : v;
    }
    case Op::kFits: {
      if (ctx.fits_memo && ctx.fits_memo[e.index] >= 0) return Value::Bool(ctx.fits_memo[e.index] == 1);
      const ir::Quota& q = ctx.program->quotas[e.index];
      if (!ctx.ledger) Fail(e, "internal: `fits` without a ledger");
      std::string key = QuotaKey(q, ctx);
      bool fits = false;  // outside the quota's window nothing fits
      if (!key.empty()) {
        Value amount = Eval(*q.measure, ctx);
        auto total = Add(ctx.ledger->Consumed(key), amount.num);
        if (!total) Fail(e, "overflow adding this shipment to quota " + q.id);
        fits = Compare(*total, q.limit) <= 0;
      }
      if (ctx.fits_memo) ctx.fits_memo[e.index] = fits ? 1 : 0;
      return Value::Bool(fits);
    }
    case Op::kTabulated:
      if (const Value* v = Tabulated(e, ctx)) return *v;
      return Eval(*e.args[1], ctx);
  }
  Fail(e, "internal: unknown operation");
}

std::string QuotaKey(const ir::Quota& q, EvalContext& ctx) {
  if (q.window && (ctx.date < q.window_from || ctx.date > q.window_to)) return "";
  std::string key = q.ledger_id;
  for (const ir::Expr* k : q.keys) {
    key.push_back('\x1f');
    Value v = Eval(*k, ctx);
    // An enum member by its name where the key is a field: a ledger kept in a database outlives the order of
    // the members (a stdlib update), and every policy of a timeline names a member alike.
    int en =
        v.kind == ValueKind::kEnum && k->op == ir::Op::kField ? ctx.program->fields[k->index].enum_index : -1;
    if (en >= 0)
      key += ctx.program->enums[en].members[v.i];
    else
      AppendKeyPart(&key, v);
  }
  key.push_back('\x1f');
  if (q.calendar_year)
    key += std::to_string(YearOf(ctx.date));
  else if (q.window)
    key += FormatDate(q.window_from) + ".." + FormatDate(q.window_to);
  else
    key += "all";
  return key;
}

std::string QuotaKeyText(const ir::Quota& q, EvalContext& ctx) {
  std::string out;
  for (size_t i = 0; i < q.keys.size(); ++i) {
    Value v = Eval(*q.keys[i], ctx);
    if (!out.empty()) out += ", ";
    out += q.key_texts[i] + "=";
    if (v.kind == ValueKind::kEnum) {
      // Key expressions are fields or simple expressions; find the enum through the field when we can.
      const ir::Expr* k = q.keys[i];
      int en = k->op == ir::Op::kField ? ctx.program->fields[k->index].enum_index : -1;
      out += en >= 0 ? ctx.program->enums[en].members[v.i] : "#" + std::to_string(v.i);
    } else {
      std::string part;
      AppendKeyPart(&part, v);
      out += part;
    }
  }
  if (q.calendar_year)
    out += std::string(out.empty() ? "" : ", ") + "year=" + std::to_string(YearOf(ctx.date));
  if (q.window)
    out += std::string(out.empty() ? "" : ", ") + "window=" + FormatDate(q.window_from) + ".." +
           FormatDate(q.window_to);
  return out;
}

std::string FormatValue(const ir::Program& p, const Value& v, const TypeRef& type) {
  switch (v.kind) {
    case ValueKind::kAbsent:
      return "(missing)";
    case ValueKind::kBool:
      return v.b ? "true" : "false";
    case ValueKind::kNumber: {
      std::string s = v.num.ToString();
      if (type && type->kind == TypeKind::kNumber && !type->dims.empty()) s += " " + type->dims.ToString();
      return s;
    }
    case ValueKind::kText:
      return "\"" + std::string(v.text) + "\"";
    case ValueKind::kDate:
      return FormatDate(v.i);
    case ValueKind::kEnum:
      if (type && type->kind == TypeKind::kEnum && type->enum_index >= 0 &&
          type->enum_index < static_cast<int>(p.enums.size()))
        return p.enums[type->enum_index].members[v.i];
      return "#" + std::to_string(v.i);
    case ValueKind::kSet:
      return "{" + std::to_string(v.set->Count()) + " members}";
  }
  return "?";
}

}  // namespace edict::interp
