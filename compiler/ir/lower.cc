#include "compiler/ir/lower.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>

#include "runtime/interp/eval.h"

namespace edict::ir {

namespace {

ValueKind KindOf(const TypeRef& t) {
  if (!t) return ValueKind::kAbsent;
  switch (t->kind) {
    case TypeKind::kBool:
      return ValueKind::kBool;
    case TypeKind::kNumber:
      return ValueKind::kNumber;
    case TypeKind::kText:
      return ValueKind::kText;
    case TypeKind::kDate:
      return ValueKind::kDate;
    case TypeKind::kEnum:
      return ValueKind::kEnum;
    case TypeKind::kSet:
      return ValueKind::kSet;
    case TypeKind::kOptional:
      return KindOf(t->elem);
    default:
      return ValueKind::kAbsent;
  }
}

std::string SpanText(const Span& s) {
  if (!s.valid()) return "";
  std::string out;
  for (int line = s.line; line <= s.end_line; ++line) {
    std::string_view text = s.file->Line(line);
    int from = line == s.line ? s.col : 0;
    int to = line == s.end_line ? s.end_col : static_cast<int>(text.size());
    // Columns count code points; policy text is mostly ASCII, and for the rest we keep whole lines.
    if (from > static_cast<int>(text.size())) from = 0;
    if (to > static_cast<int>(text.size())) to = static_cast<int>(text.size());
    std::string part(text.substr(from, to - from));
    size_t a = part.find_first_not_of(" \t");
    if (a == std::string::npos) continue;
    if (!out.empty()) out += " ";
    out += part.substr(a);
  }
  return out;
}

class Lowerer {
 public:
  Lowerer(const sema::CheckedProgram& checked, DiagnosticList& diags, Program& p)
      : checked_(checked), diags_(diags), p_(p), expr_diags_(&diags) {}

  bool Run();

 private:
  using Params = std::vector<const Expr*>;
  const Expr* LowerExpr(const ast::Expr& e, const Params& params);
  const Expr* Fold(Expr* e);
  Expr* New(Op op, const ast::Expr& src) {
    Expr& e = p_.exprs.emplace_back();
    e.op = op;
    e.span = src.span;
    e.kind = KindOf(src.sema.type);
    e.checked_int = src.sema.type && src.sema.type->kind == TypeKind::kNumber && src.sema.type->integer;
    return &e;
  }
  const Expr* Const(Value v, Span span, ValueKind kind) {
    Expr& e = p_.exprs.emplace_back();
    e.op = Op::kConst;
    e.constant = v;
    e.kind = kind;
    e.span = span;
    return &e;
  }
  void LowerHeaderAndSchema();
  void LowerEnumsAndTables();
  void LowerQuotas();
  void LowerRules();
  void LowerTests();
  void LowerConstants();
  void LowerAssertion(const ast::Expr& e, TestStep& s);
  OutcomeIR LowerOutcome(const ast::Outcome& o);
  int FindRule(const ast::Module* from, const std::string& written) const;

  const sema::CheckedProgram& checked_;
  DiagnosticList& diags_;
  Program& p_;
  DiagnosticList* expr_diags_;  // where expression problems go (a scratch list when lowering a second time)
  std::map<const ast::Decl*, const Expr*> constants_;
  std::map<std::pair<const ast::Module*, std::string>, int> rule_by_module_;
};

const Expr* Lowerer::Fold(Expr* e) {
  if (e->op == Op::kConst || e->op == Op::kField || e->op == Op::kFits) return e;
  for (const Expr* a : e->args)
    if (a->op != Op::kConst) return e;
  interp::EvalContext ctx;
  ctx.program = &p_;
  ctx.scratch = &p_.sets;
  try {
    Value v = interp::Eval(*e, ctx);
    if (v.kind == ValueKind::kText) v.text = p_.strings.emplace_back(v.text);
    e->constant = v;
    e->op = Op::kConst;
    e->args.clear();
  } catch (const interp::EvalError& err) {
    expr_diags_->Error("E0601", err.span, "this constant cannot be evaluated: " + err.message);
  }
  return e;
}

const Expr* Lowerer::LowerExpr(const ast::Expr& e, const Params& params) {
  using K = ast::ExprKind;
  const TypeRef& type = e.sema.type;
  switch (e.kind) {
    case K::kNumber: {
      auto r = ParseRational(e.text);
      return Const(Value::Number(r ? *r : Rational{}), e.span, ValueKind::kNumber);
    }
    case K::kString:
      return Const(Value::Text(p_.strings.emplace_back(e.text)), e.span, ValueKind::kText);
    case K::kDate:
      return Const(Value::Date(e.date_days), e.span, ValueKind::kDate);
    case K::kBool:
      return Const(Value::Bool(e.bool_value), e.span, ValueKind::kBool);
    case K::kEccn:
      return Const(Value::Enum(e.sema.index), e.span, ValueKind::kEnum);
    case K::kName:
      switch (e.sema.ref) {
        case ast::RefKind::kEnumMember:
          return Const(Value::Enum(e.sema.index), e.span, ValueKind::kEnum);
        case ast::RefKind::kParam:
          return params[e.sema.index];
        case ast::RefKind::kField: {
          Expr* x = New(Op::kField, e);
          x->index = e.sema.index;
          return x;
        }
        case ast::RefKind::kConst:
        case ast::RefKind::kSet: {
          auto it = constants_.find(e.sema.decl);
          if (it != constants_.end()) return it->second;
          const Expr* v = LowerExpr(*e.sema.decl->as<ast::ConstDecl>().value, {});
          constants_[e.sema.decl] = v;
          return v;
        }
        default:
          break;
      }
      break;
    case K::kField: {
      const ast::Expr& base = *e.args[0];
      if (e.sema.decl == checked_.schema) {
        Expr* x = New(Op::kField, e);
        x->index = e.sema.index;
        return x;
      }
      Expr* x = New(Op::kRowField, e);
      x->table = p_.table_of_enum[base.sema.type->decl->sema_index];
      x->index = e.sema.index;
      x->args.push_back(LowerExpr(base, params));
      return Fold(x);
    }
    case K::kCall: {
      Params args;
      for (const auto& a : e.args) args.push_back(LowerExpr(*a, params));
      // Inline: functions cannot recurse, so this terminates.
      return LowerExpr(*e.sema.decl->as<ast::FunctionDecl>().body, args);
    }
    case K::kFits: {
      Expr* x = New(Op::kFits, e);
      x->index = e.sema.decl->sema_index;
      return x;
    }
    case K::kSet: {
      BitSet& s = p_.sets.emplace_back();
      for (const auto& a : e.args) {
        const Expr* m = LowerExpr(*a, params);
        if (m->op != Op::kConst) {
          expr_diags_->Error("E0505", a->span, "set members must be constants", "compare with `=` instead");
          continue;
        }
        s.Set(m->constant.i);
      }
      return Const(Value::SetOf(&s), e.span, ValueKind::kSet);
    }
    default:
      break;
  }
  Op op = Op::kConst;
  switch (e.kind) {
    case K::kYearOf:
      op = Op::kYearOf;
      break;
    case K::kIsKnown:
      op = Op::kIsKnown;
      break;
    case K::kOtherwise:
      op = Op::kOtherwise;
      break;
    case K::kNeg:
      op = Op::kNeg;
      break;
    case K::kNot:
      op = Op::kNot;
      break;
    case K::kIf:
      op = Op::kIf;
      break;
    case K::kBinary: {
      bool sets = e.args[0]->sema.type && e.args[0]->sema.type->kind == TypeKind::kSet;
      switch (e.op) {
        case ast::BinOp::kMul:
          op = Op::kMul;
          break;
        case ast::BinOp::kDiv:
          op = Op::kDiv;
          break;
        case ast::BinOp::kAdd:
          op = sets ? Op::kUnion : Op::kAdd;
          break;
        case ast::BinOp::kSub:
          op = sets ? Op::kDifference : Op::kSub;
          break;
        case ast::BinOp::kLt:
          op = Op::kLt;
          break;
        case ast::BinOp::kLe:
          op = Op::kLe;
          break;
        case ast::BinOp::kGt:
          op = Op::kGt;
          break;
        case ast::BinOp::kGe:
          op = Op::kGe;
          break;
        case ast::BinOp::kEq:
          op = Op::kEq;
          break;
        case ast::BinOp::kNe:
          op = Op::kNe;
          break;
        case ast::BinOp::kIn:
          op = Op::kIn;
          break;
        case ast::BinOp::kNotIn:
          op = Op::kNotIn;
          break;
        case ast::BinOp::kAnd:
          op = Op::kAnd;
          break;
        case ast::BinOp::kOr:
          op = Op::kOr;
          break;
      }
      break;
    }
    default:
      expr_diags_->Error("E0601", e.span, "internal: cannot lower this expression");
      return Const(Value{}, e.span, ValueKind::kAbsent);
  }
  Expr* x = New(op, e);
  (void)type;
  for (const auto& a : e.args) x->args.push_back(LowerExpr(*a, params));
  return Fold(x);
}

void Lowerer::LowerHeaderAndSchema() {
  const ast::Module& root = *checked_.loaded->root;
  p_.name = root.name;
  p_.path = root.file->path;
  const auto& h = root.header;
  p_.title = h.title;
  p_.version = h.version;
  p_.source = h.source;
  p_.summary = h.summary;
  if (h.has_from) p_.from = h.from;
  if (h.has_until) p_.until = h.until;
  p_.has_compliance = h.has_compliance;
  p_.compliance = h.compliance;
  if (!checked_.schema) return;
  const auto& fields = checked_.schema->as<ast::RecordDecl>().fields;
  for (const auto& f : fields) {
    Field out;
    out.kind = f.kind == ast::FieldDecl::kDerived    ? Field::kDerived
               : f.kind == ast::FieldDecl::kOptional ? Field::kOptional
                                                     : Field::kInput;
    out.name = f.name;
    out.doc = f.doc;
    out.type = f.sema_type;
    if (out.type && out.type->kind == TypeKind::kEnum) out.enum_index = out.type->enum_index;
    if (out.type && out.type->kind == TypeKind::kNumber && out.type->dims.exps.size() == 1 &&
        out.type->dims.exps[0].second == 1 && checked_.count_units.count(out.type->dims.exps[0].first))
      out.count = true;
    p_.fields.push_back(std::move(out));
  }
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].value) p_.fields[i].value = LowerExpr(*fields[i].value, {});
  p_.field_order = checked_.schema_order;
  p_.id_field = p_.FieldIndex("id");
  p_.date_field = p_.FieldIndex("date");
}

void Lowerer::LowerEnumsAndTables() {
  p_.table_of_enum.assign(checked_.enums.size(), -1);
  for (const ast::Decl* d : checked_.enums) {
    Enum en;
    en.name = d->name;
    if (d->kind == ast::DeclKind::kEnum) {
      for (const auto& m : d->as<ast::EnumDecl>().members) {
        en.members.push_back(m.name);
        en.descriptions.push_back(m.description);
      }
    } else {
      en.is_table = true;
      for (const auto& r : d->as<ast::TableDecl>().rows) {
        en.members.push_back(r.key);
        en.descriptions.push_back("");
      }
    }
    p_.enums.push_back(std::move(en));
  }
  // Tables after all enums exist: row values may name members of any enum. Indices first, so that a row value
  // may read a row of a table declared earlier.
  for (const ast::Decl* d : checked_.enums) {
    if (d->kind != ast::DeclKind::kTable) continue;
    const auto& t = d->as<ast::TableDecl>();
    const ast::Decl* rec = nullptr;
    for (const auto& m : checked_.loaded->modules)
      for (const auto& x : m->decls)
        if (x->kind == ast::DeclKind::kRecord && x->name == t.record && (x->module == d->module || !rec))
          rec = x.get();
    Table table;
    table.name = d->name;
    table.enum_index = d->sema_index;
    if (rec)
      for (const auto& f : rec->as<ast::RecordDecl>().fields) table.fields.push_back(f.name);
    p_.table_of_enum[d->sema_index] = static_cast<int>(p_.tables.size());
    p_.tables.push_back(std::move(table));
  }
  size_t ti = 0;
  for (const ast::Decl* d : checked_.enums) {
    if (d->kind != ast::DeclKind::kTable) continue;
    Table& table = p_.tables[ti++];
    for (const auto& row : d->as<ast::TableDecl>().rows) {
      std::vector<Value> values(table.fields.size());
      for (const auto& [name, expr] : row.fields) {
        auto it = std::find(table.fields.begin(), table.fields.end(), name);
        if (it == table.fields.end()) continue;
        const Expr* v = LowerExpr(*expr, {});
        if (v->op != Op::kConst) {
          diags_.Error("E0601", expr->span, "a table value must be a constant");
          continue;
        }
        values[static_cast<size_t>(it - table.fields.begin())] = v->constant;
      }
      table.rows.push_back(std::move(values));
    }
  }
  if (checked_.symbol_enum) p_.symbol_enum = checked_.symbol_enum->sema_index;
  if (checked_.review_enum) p_.review_enum = checked_.review_enum->sema_index;
}

void Lowerer::LowerQuotas() {
  for (const ast::Decl* d : checked_.quotas) {
    const auto& q = d->as<ast::QuotaDecl>();
    Quota out;
    out.name = d->name;
    out.id = d->module == checked_.loaded->root ? d->name : d->module->name + "." + d->name;
    out.ledger_id = d->module->name + "." + d->name;
    out.doc = d->doc;
    out.cite = q.cite;
    out.span = d->span;
    if (q.limit) {
      const Expr* limit = LowerExpr(*q.limit, {});
      if (limit->op != Op::kConst)
        diags_.Error("E0601", q.limit->span, "a quota limit must be a constant");
      else
        out.limit = limit->constant.num;
      if (q.limit->sema.type) out.unit = q.limit->sema.type->dims.ToString();
    }
    if (q.measure) out.measure = LowerExpr(*q.measure, {});
    for (const auto& k : q.keys) {
      out.keys.push_back(LowerExpr(*k, {}));
      out.key_texts.push_back(SpanText(k->span));
    }
    out.calendar_year = q.calendar_year;
    out.window = q.window;
    out.window_from = q.window_from;
    out.window_to = q.window_to;
    p_.quotas.push_back(std::move(out));
  }
}

OutcomeIR Lowerer::LowerOutcome(const ast::Outcome& o) {
  OutcomeIR out;
  out.kind = o.kind;
  if (o.symbol) {
    const Expr* s = LowerExpr(*o.symbol, {});
    out.symbol = s->op == Op::kConst ? s->constant.i : -1;
  }
  if (o.notify) out.notify = LowerExpr(*o.notify, {});
  if (o.review) {
    const Expr* r = LowerExpr(*o.review, {});
    out.review = r->op == Op::kConst ? r->constant.i : -1;
  }
  return out;
}

int Lowerer::FindRule(const ast::Module* from, const std::string& written) const {
  auto own = rule_by_module_.find({from, written});
  if (own != rule_by_module_.end()) return own->second;
  return p_.RuleIndex(written);
}

void Lowerer::LowerRules() {
  const ast::Module* root = checked_.loaded->root;
  std::vector<const ast::Decl*> decls;
  for (const auto& m : checked_.loaded->modules) {
    if (!m->is_policy) continue;
    for (const auto& d : m->decls) {
      if (d->kind != ast::DeclKind::kRule && d->kind != ast::DeclKind::kException) continue;
      Rule r;
      r.name = d->name;
      r.policy = m->name;
      r.id = m.get() == root ? d->name : m->name + "." + d->name;
      r.exception = d->kind == ast::DeclKind::kException;
      r.doc = d->doc;
      const auto& rd = d->as<ast::RuleDecl>();
      r.cite = rd.cite;
      r.span = d->span;
      // A rule is in force within its own dates and its policy's.
      if (m->header.has_from) r.from = m->header.from;
      if (m->header.has_until) r.until = m->header.until;
      if (rd.has_from) r.from = std::max(r.from, rd.from);
      if (rd.has_until) r.until = std::min(r.until, rd.until);
      if (rd.has_compliance && rd.compliance > r.from) {
        r.has_compliance = true;
        r.in_force_from = r.from;
        r.from = rd.compliance;
      }
      if (rd.when) {
        r.when = LowerExpr(*rd.when, {});
        std::vector<const ast::Expr*> parts;
        std::function<void(const ast::Expr&)> flatten = [&](const ast::Expr& e) {
          if (e.kind == ast::ExprKind::kBinary && e.op == ast::BinOp::kAnd) {
            flatten(*e.args[0]);
            flatten(*e.args[1]);
          } else {
            parts.push_back(&e);
          }
        };
        flatten(*rd.when);
        // The parts were lowered (and any problem reported) as part of the whole condition above.
        DiagnosticList again;
        expr_diags_ = &again;
        for (const ast::Expr* part : parts)
          r.conditions.emplace_back(SpanText(part->span), LowerExpr(*part, {}));
        expr_diags_ = &diags_;
      }
      if (rd.has_outcome) r.outcome = LowerOutcome(rd.outcome);
      for (const auto& [name, span] : rd.consumes)
        for (const ast::Decl* q : checked_.quotas)
          if (q->name == name) r.consumes.push_back(q->sema_index);
      if (p_.RuleIndex(r.id) >= 0) {
        diags_.Error("E0503", d->span, "rule '" + r.id + "' is declared twice");
        continue;
      }
      rule_by_module_[{m.get(), d->name}] = static_cast<int>(p_.rules.size());
      p_.rules.push_back(std::move(r));
      decls.push_back(d.get());
    }
  }
  // Link exceptions and replacements.
  for (size_t i = 0; i < decls.size(); ++i) {
    const auto& rd = decls[i]->as<ast::RuleDecl>();
    if (rd.target.empty()) continue;
    int t = FindRule(decls[i]->module, rd.target);
    if (t < 0) {
      diags_.Error("E0501", rd.target_span, "no rule '" + rd.target + "'",
                   "rules of an imported policy are named POLICY.RULE");
      continue;
    }
    if (p_.rules[i].exception) {
      p_.rules[i].target = t;
    } else {  // `rule NEW replaces OLD`: OLD goes, its exceptions now override NEW
      p_.rules[t].withdrawn = true;
      for (size_t k = 0; k < p_.rules.size(); ++k)
        if (p_.rules[k].target == t) p_.rules[k].target = static_cast<int>(i);
    }
  }
  // Withdrawals by later policies.
  for (const auto& m : checked_.loaded->modules) {
    for (const auto& d : m->decls) {
      if (d->kind != ast::DeclKind::kWithdraw) continue;
      const auto& w = d->as<ast::WithdrawDecl>();
      auto apply = [&](Rule& r) {
        if (w.has_from)
          r.until = std::min(r.until, w.from - 1);
        else
          r.withdrawn = true;
      };
      if (w.whole_policy) {
        const std::string& policy = w.names[0].first;
        bool any = false;
        for (Rule& r : p_.rules)
          if (r.policy == policy) {
            apply(r);
            any = true;
          }
        if (!any) diags_.Error("E0501", w.names[0].second, "no imported policy '" + policy + "' with rules");
        continue;
      }
      for (const auto& [name, span] : w.names) {
        int t = FindRule(m.get(), name);
        if (t < 0)
          diags_.Error("E0501", span, "no rule '" + name + "' to withdraw");
        else
          apply(p_.rules[t]);
      }
    }
  }
  // Exception chains must end at a rule.
  for (size_t i = 0; i < p_.rules.size(); ++i) {
    int steps = 0;
    for (int t = p_.rules[i].target; t >= 0; t = p_.rules[t].target)
      if (++steps > static_cast<int>(p_.rules.size())) {
        diags_.Error("E0502", p_.rules[i].span,
                     "exception '" + p_.rules[i].id + "' overrides itself through a cycle");
        p_.rules[i].target = -1;
        break;
      }
  }
  for (size_t i = 0; i < p_.rules.size(); ++i) {
    Rule& r = p_.rules[i];
    if (r.withdrawn) continue;
    if (r.target >= 0)
      p_.rules[r.target].exceptions.push_back(static_cast<int>(i));
    else if (!r.exception)
      p_.roots.push_back(static_cast<int>(i));
    if (r.has_compliance) {
      p_.rule_compliance_edges.push_back(r.in_force_from);
      p_.rule_compliance_edges.push_back(r.from);
      if (r.until < INT_MAX) p_.rule_compliance_edges.push_back(r.until + 1);
    }
  }
  std::sort(p_.rule_compliance_edges.begin(), p_.rule_compliance_edges.end());
  p_.rule_compliance_edges.erase(
      std::unique(p_.rule_compliance_edges.begin(), p_.rule_compliance_edges.end()),
      p_.rule_compliance_edges.end());
}

void Lowerer::LowerConstants() {
  for (const auto& d : checked_.loaded->root->decls) {
    if (d->kind != ast::DeclKind::kConst && d->kind != ast::DeclKind::kSet) continue;
    auto it = constants_.find(d.get());
    const Expr* v = it != constants_.end() ? it->second : LowerExpr(*d->as<ast::ConstDecl>().value, {});
    constants_[d.get()] = v;
    p_.constants.push_back({d->name, d->type, v});
  }
}

// An assertion reads no shipment, so lowering folds it to a constant; the operands of a top-level comparison
// are lowered too, for the failure message.
void Lowerer::LowerAssertion(const ast::Expr& e, TestStep& s) {
  size_t before = diags_.size();
  s.assertion = LowerExpr(e, {});
  s.assertion_text = SpanText(e.span);
  if (s.assertion->op != Op::kConst) {
    // A failed evaluation was reported by Fold already.
    if (diags_.size() == before)
      diags_.Error("E0601", e.span, "an assertion must be computable without a shipment");
    return;
  }
  if (e.kind == ast::ExprKind::kBinary && e.args.size() == 2 && e.op >= ast::BinOp::kLt &&
      e.op <= ast::BinOp::kNe) {
    s.left = LowerExpr(*e.args[0], {});
    s.right = LowerExpr(*e.args[1], {});
    s.operand_type = e.args[0]->sema.type;
  }
}

void Lowerer::LowerTests() {
  const ast::Module* root = checked_.loaded->root;
  for (const auto& d : root->decls) {
    if (d->kind != ast::DeclKind::kTest) continue;
    Test t;
    t.name = d->name;
    t.span = d->span;
    for (const auto& step : d->as<ast::TestDecl>().steps) {
      TestStep s;
      s.kind = step.kind;
      s.span = step.span;
      s.as_of = step.as_of;
      for (const auto& [name, value] : step.shipment.fields) {
        int idx = p_.FieldIndex(name);
        if (idx < 0) continue;
        const Expr* v = LowerExpr(*value, {});
        if (v->op != Op::kConst) {
          diags_.Error("E0601", value->span, "a test shipment field must be a constant");
          continue;
        }
        s.fields.emplace_back(idx, v->constant);
      }
      s.expect_error = step.expect_error;
      s.error_text = step.error_text;
      if (step.kind == ast::TestStep::kExpect && !step.expect_error) s.outcome = LowerOutcome(step.outcome);
      if (step.kind == ast::TestStep::kAssert) LowerAssertion(*step.assertion, s);
      s.has_by = step.has_by;
      s.under = step.under;
      s.pending = step.pending;
      for (const auto& [name, span] : step.by) {
        int r = checked_.timeline ? -2 : FindRule(root, name);
        if (r == -1) diags_.Error("E0501", span, "no rule '" + name + "'");
        s.by.push_back(r >= 0 ? p_.rules[r].id : name);
      }
      t.steps.push_back(std::move(s));
    }
    p_.tests.push_back(std::move(t));
  }
}

bool Lowerer::Run() {
  size_t before = diags_.size();
  LowerEnumsAndTables();
  LowerHeaderAndSchema();
  LowerQuotas();
  LowerRules();
  LowerTests();
  LowerConstants();
  if (checked_.timeline) {
    std::filesystem::path base = std::filesystem::path(p_.path).parent_path();
    for (const auto& e : checked_.timeline->as<ast::TimelineDecl>().entries) {
      std::filesystem::path target = base / e.path;
      if (target.extension() != ".edict") target += ".edict";
      TimelineEntry entry;
      entry.from = e.from;
      entry.path = target.lexically_normal().string();
      p_.timeline.push_back(std::move(entry));
    }
    std::sort(p_.timeline.begin(), p_.timeline.end(),
              [](const TimelineEntry& a, const TimelineEntry& b) { return a.from < b.from; });
  }
  for (size_t i = before; i < diags_.size(); ++i)
    if (diags_.items()[i].severity == Severity::kError) return false;
  return true;
}

}  // namespace

std::shared_ptr<Program> Lower(const sema::CheckedProgram& checked, DiagnosticList& diags) {
  auto program = std::make_shared<Program>();
  Lowerer lowerer(checked, diags, *program);
  if (!lowerer.Run()) return nullptr;
  return program;
}

}  // namespace edict::ir
