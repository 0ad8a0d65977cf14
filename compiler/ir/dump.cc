#include "compiler/ir/dump.h"

#include "runtime/date.h"

namespace edict::ir {

namespace {

const char* OpName(Op op) {
  switch (op) {
    case Op::kConst:
      return "const";
    case Op::kField:
      return "field";
    case Op::kRowField:
      return "row";
    case Op::kNot:
      return "not";
    case Op::kAnd:
      return "and";
    case Op::kOr:
      return "or";
    case Op::kIf:
      return "if";
    case Op::kNeg:
      return "neg";
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "!=";
    case Op::kIn:
      return "in";
    case Op::kNotIn:
      return "not-in";
    case Op::kUnion:
      return "union";
    case Op::kDifference:
      return "minus";
    case Op::kYearOf:
      return "year-of";
    case Op::kIsKnown:
      return "known";
    case Op::kOtherwise:
      return "otherwise";
    case Op::kFits:
      return "fits";
    case Op::kTabulated:
      return "tabulated";
  }
  return "?";
}

std::string ConstText(const Value& v) {
  switch (v.kind) {
    case ValueKind::kAbsent:
      return "absent";
    case ValueKind::kBool:
      return v.b ? "true" : "false";
    case ValueKind::kNumber:
      return v.num.ToString();
    case ValueKind::kText:
      return "\"" + std::string(v.text) + "\"";
    case ValueKind::kDate:
      return FormatDate(v.i);
    case ValueKind::kEnum:
      return "#" + std::to_string(v.i);
    case ValueKind::kSet: {
      std::string s = "{";
      for (size_t w = 0; w < v.set->words.size(); ++w)
        for (int b = 0; b < 64; ++b)
          if ((v.set->words[w] >> b) & 1) s += (s.size() > 1 ? " " : "") + std::to_string(w * 64 + b);
      return s + "}";
    }
  }
  return "?";
}

}  // namespace

std::string DumpExpr(const Program& p, const Expr& e) {
  if (e.op == Op::kConst) return ConstText(e.constant);
  if (e.op == Op::kField) return p.fields[e.index].name;
  std::string out = std::string("(") + OpName(e.op);
  if (e.op == Op::kFits) out += " " + p.quotas[e.index].id;
  if (e.op == Op::kRowField) out += " " + p.tables[e.table].name + "." + p.tables[e.table].fields[e.index];
  for (const Expr* a : e.args) out += " " + DumpExpr(p, *a);
  return out + ")";
}

std::string DumpProgram(const Program& p) {
  std::string out = "program " + p.name + "\n";
  for (size_t i = 0; i < p.fields.size(); ++i)
    if (p.fields[i].value)
      out += "  field " + p.fields[i].name + " = " + DumpExpr(p, *p.fields[i].value) + "\n";
  for (const auto& q : p.quotas)
    out += "  quota " + q.id + " limit " + q.limit.ToString() + " measure " + DumpExpr(p, *q.measure) + "\n";
  for (const auto& r : p.rules) {
    out += std::string("  ") + (r.exception ? "exception " : "rule ") + r.id;
    if (r.target >= 0) out += " to " + p.rules[r.target].id;
    if (r.withdrawn) out += " (withdrawn)";
    out += "\n    when " + (r.when ? DumpExpr(p, *r.when) : std::string("-")) + "\n";
  }
  return out;
}

}  // namespace edict::ir
