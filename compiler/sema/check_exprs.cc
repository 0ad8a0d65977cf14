// Type checking of expressions: every Expr gets a type and, for names, what it refers to.
#include "compiler/sema/checker.h"

namespace edict::sema {

namespace {

TypeRef Set(ast::Expr& e, TypeRef t) {
  e.sema.type = t;
  return t;
}

bool IsOptional(const Type& t) {
  return t.kind == TypeKind::kOptional;
}

std::string Quote(const Type& t) {
  return "'" + t.ToString() + "'";
}

// Collects the members of an enum or table for suggestions.
std::vector<std::string> MemberNames(const std::map<std::string, int>& m) {
  std::vector<std::string> out;
  for (auto& [k, v] : m) out.push_back(k);
  return out;
}

}  // namespace

void Checker::ExpectType(ast::Expr& e, const Env& env, const TypeRef& want, const char* what) {
  TypeRef got = CheckExpr(e, env, want);
  if (Assignable(*got, *want)) return;
  std::string hint;
  if (IsOptional(*got))
    hint = "this value may be missing: write `... otherwise DEFAULT` or test `... is known` first";
  else if (IsNumber(*got) && IsNumber(*want))
    hint = "units must match: write the unit after the number, e.g. `5 " +
           (want->dims.empty() ? std::string("tpp") : want->dims.ToString()) + "`";
  diags_.Error("E0301", e.span, std::string(what) + " must be " + Quote(*want) + ", found " + Quote(*got),
               hint);
}

// A bare name or ECCN that should be an enum member (a country, a catalog id, an end use, ...).
TypeRef Checker::CheckEnumLiteral(ast::Expr& e, const Env& env, const TypeRef& expected) {
  const std::string& name = e.text;
  auto bind = [&](const ast::Decl* d, int idx) {
    e.sema.ref = ast::RefKind::kEnumMember;
    e.sema.decl = d;
    e.sema.index = idx;
    return Set(e, d->type);
  };
  const Type* want = expected.get();
  // Where a set is expected (`x in NAME`), a name that is not a member is an unknown set, reported by the
  // caller.
  if (want && want->kind == TypeKind::kSet)
    want = MemberIndex(want->elem->decl, name) >= 0 ? want->elem.get() : nullptr;
  if (want && want->kind == TypeKind::kOptional) want = want->elem.get();
  if (want && want->kind == TypeKind::kEnum) {
    int idx = MemberIndex(want->decl, name);
    if (idx >= 0) return bind(want->decl, idx);
    // An enum was expected but the name is not one of its members (callers try every other reading first).
    diags_.Error("E0206", e.span, "'" + name + "' is not a " + want->decl->name,
                 Suggest(name, MemberNames(members_[want->decl])));
    return Set(e, ErrorType());
  }
  // No expectation: the name must be a member of exactly one visible enum.
  std::vector<std::pair<const ast::Decl*, int>> hits;
  auto scan = [&](const ast::Module* mod) {
    for (auto& [n, d] : own_[mod]) {
      if (d->kind != ast::DeclKind::kEnum && d->kind != ast::DeclKind::kTable) continue;
      int idx = MemberIndex(d, name);
      if (idx >= 0 && std::find_if(hits.begin(), hits.end(),
                                   [&decl = d](auto& h) { return h.first == decl; }) == hits.end())
        hits.emplace_back(d, idx);
    }
  };
  scan(env.module);
  for (const auto& imp : env.module->imports)
    if (imp.resolved) scan(imp.resolved);
  if (hits.size() == 1) return bind(hits[0].first, hits[0].second);
  if (hits.size() > 1) {
    diags_.Error("E0207", e.span,
                 "'" + name + "' is a member of both " + hits[0].first->name + " and " + hits[1].first->name,
                 "compare it with a typed value (e.g. `end_use is " + name + "`) so the type is known");
    return Set(e, ErrorType());
  }
  return nullptr;
}

TypeRef Checker::CheckExpr(ast::Expr& e, const Env& env, const TypeRef& expected) {
  using K = ast::ExprKind;
  switch (e.kind) {
    case K::kNumber: {
      auto value = ParseRational(e.text);
      if (!value) {
        diags_.Error("E0302", e.span, "number '" + e.text + "' is out of range",
                     "numbers are exact up to about 1.7e38");
        return Set(e, ErrorType());
      }
      if (!e.unit.empty()) {
        auto dims = ResolveUnits(e.unit, env.module, e.span);
        return Set(e, dims ? QuantityType(*dims) : ErrorType());
      }
      if (env.coerce_literals && expected && IsNumber(*expected) && !expected->dims.empty())
        return Set(e, QuantityType(expected->dims));
      bool integer = e.text.find_first_of(".eE") == std::string::npos;
      if (integer && !value->FitsInt64()) {
        diags_.Error("E0302", e.span, "integer '" + e.text + "' does not fit in 64 bits",
                     "write it with a unit or as a decimal (`1e26 ops`) if it is a quantity");
        return Set(e, ErrorType());
      }
      return Set(e, integer ? IntType() : DecimalType());
    }
    case K::kString:
      return Set(e, TextType());
    case K::kDate:
      return Set(e, DateType());
    case K::kBool:
      return Set(e, BoolType());
    case K::kEccn: {
      if (auto t = CheckEnumLiteral(e, env, expected)) return t;
      diags_.Error("E0206", e.span, "'" + e.text + "' is not a known ECCN",
                   "the ECCNs are the enum `eccn` of ear.chips");
      return Set(e, ErrorType());
    }
    case K::kName: {
      const std::string& name = e.text;
      if (env.function) {
        const auto& params = env.function->params;
        for (size_t i = 0; i < params.size(); ++i) {
          if (params[i].name == name) {
            e.sema.ref = ast::RefKind::kParam;
            e.sema.index = static_cast<int>(i);
            return Set(e, ResolveType(*params[i].type, env.module));
          }
        }
      }
      // A value the context expects (an enum member) wins over other readings: `item is nvidia-h20`.
      {
        const Type* want = expected.get();
        if (want && (want->kind == TypeKind::kSet || want->kind == TypeKind::kOptional))
          want = want->elem.get();
        if (want && want->kind == TypeKind::kEnum && MemberIndex(want->decl, name) >= 0)
          return CheckEnumLiteral(e, env, expected);
      }
      if (env.shipment && out_->schema) {
        const auto& fields = out_->schema->as<ast::RecordDecl>().fields;
        for (size_t i = 0; i < fields.size(); ++i) {
          if (fields[i].name != name) continue;
          e.sema.ref = ast::RefKind::kField;
          e.sema.decl = out_->schema;
          e.sema.index = static_cast<int>(i);
          if (env.field_reads) env.field_reads->push_back(static_cast<int>(i));
          TypeRef t = ResolveType(*fields[i].type, out_->schema->module);
          return Set(e, fields[i].kind == ast::FieldDecl::kOptional ? OptionalType(t) : t);
        }
      }
      if (const ast::Decl* d = Lookup(env.module, name, kValues, e.span, false)) {
        if (d->kind == ast::DeclKind::kSchema) {
          if (!env.shipment) {
            diags_.Error(
                "E0208", e.span, "the shipment is not available in " + std::string(env.what),
                "constants, sets and functions cannot depend on a shipment; use a rule or a derived field");
            return Set(e, ErrorType());
          }
          e.sema.ref = ast::RefKind::kSchema;
          e.sema.decl = d;
          return Set(e, d->type);
        }
        CheckDecl(const_cast<ast::Decl*>(d));
        e.sema.ref = d->kind == ast::DeclKind::kSet ? ast::RefKind::kSet : ast::RefKind::kConst;
        e.sema.decl = d;
        return Set(e, d->type ? d->type : ErrorType());
      }
      if (auto t = CheckEnumLiteral(e, env, expected)) return t;
      // Nothing matched: report with the best suggestion we have.
      std::vector<std::string> candidates;
      for (auto& [n, d] : own_[env.module]) candidates.push_back(n);
      for (const auto& imp : env.module->imports)
        if (imp.resolved)
          for (auto& [n, d] : own_[imp.resolved]) candidates.push_back(n);
      if (env.shipment && out_->schema)
        for (const auto& f : out_->schema->as<ast::RecordDecl>().fields) candidates.push_back(f.name);
      std::string hint = Suggest(name, candidates);
      if (name.find('-') != std::string::npos && hint.empty())
        hint = "names may contain hyphens; for subtraction put spaces around '-'";
      if (!env.shipment && out_->schema)
        for (const auto& f : out_->schema->as<ast::RecordDecl>().fields)
          if (f.name == name) hint = "shipment fields are not available in " + std::string(env.what);
      diags_.Error("E0202", e.span, "unknown name '" + name + "'", hint);
      return Set(e, ErrorType());
    }
    case K::kField: {
      TypeRef base = CheckExpr(*e.args[0], env);
      if (IsError(*base)) return Set(e, base);
      if (IsOptional(*base)) {
        diags_.Error("E0306", e.args[0]->span, "this value may be missing",
                     "write `(... otherwise DEFAULT).field`");
        return Set(e, ErrorType());
      }
      const ast::Decl* rec = nullptr;
      if (base->kind == TypeKind::kRecord) rec = base->decl;
      if (base->kind == TypeKind::kEnum && base->decl->kind == ast::DeclKind::kTable) {
        rec = Lookup(base->decl->module, base->decl->as<ast::TableDecl>().record, kTypes,
                     base->decl->as<ast::TableDecl>().record_span, false);
      }
      if (!rec || (rec->kind != ast::DeclKind::kRecord && rec->kind != ast::DeclKind::kSchema)) {
        diags_.Error("E0303", e.span, "a value of type " + Quote(*base) + " has no fields",
                     "fields belong to the shipment and to table rows (item.tpp)");
        return Set(e, ErrorType());
      }
      const auto& fields = rec->as<ast::RecordDecl>().fields;
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name != e.text) continue;
        e.sema.ref = ast::RefKind::kField;
        e.sema.decl = rec;
        e.sema.index = static_cast<int>(i);
        if (rec == out_->schema && env.field_reads) env.field_reads->push_back(static_cast<int>(i));
        TypeRef t = ResolveType(*fields[i].type, rec->module);
        return Set(e, fields[i].kind == ast::FieldDecl::kOptional ? OptionalType(t) : t);
      }
      std::vector<std::string> names;
      for (const auto& f : fields) names.push_back(f.name);
      diags_.Error("E0303", e.span, rec->name + " has no field '" + e.text + "'", Suggest(e.text, names));
      return Set(e, ErrorType());
    }
    case K::kCall: {
      const ast::Decl* fn = Lookup(env.module, e.text, kFunctions, e.span, true);
      for (auto& a : e.args) CheckExpr(*a, env);
      if (!fn) return Set(e, ErrorType());
      CheckDecl(const_cast<ast::Decl*>(fn));
      const auto& f = fn->as<ast::FunctionDecl>();
      if (f.params.size() != e.args.size()) {
        diags_.Error("E0307", e.span,
                     e.text + " takes " + std::to_string(f.params.size()) + " argument(s), given " +
                         std::to_string(e.args.size()));
        return Set(e, ErrorType());
      }
      for (size_t i = 0; i < e.args.size(); ++i) {
        TypeRef want = ResolveType(*f.params[i].type, fn->module);
        if (!Assignable(*e.args[i]->sema.type, *want)) {
          TypeRef again =
              CheckExpr(*e.args[i], env, want);  // enum literals resolve against the parameter type
          if (!Assignable(*again, *want))
            diags_.Error(
                "E0301", e.args[i]->span,
                "argument '" + f.params[i].name + "' must be " + Quote(*want) + ", found " + Quote(*again));
        }
      }
      e.sema.decl = fn;
      return Set(e, fn->type ? fn->type : ErrorType());
    }
    case K::kFits: {
      const ast::Decl* q = Lookup(env.module, e.text, kQuotas, e.span, true);
      if (!env.shipment && q) {
        diags_.Error("E0208", e.span,
                     "`fits` needs a shipment; it is not available in " + std::string(env.what));
        return Set(e, ErrorType());
      }
      e.sema.decl = q;
      return Set(e, q ? BoolType() : ErrorType());
    }
    case K::kYearOf: {
      ExpectType(*e.args[0], env, DateType(), "`year of` takes a date; the operand");
      return Set(e, IntType());
    }
    case K::kIsKnown: {
      TypeRef t = CheckExpr(*e.args[0], env);
      if (!IsError(*t) && !IsOptional(*t))
        diags_.Error("E0305", e.args[0]->span, "this value is never missing, so `is known` is always true",
                     "`is known` is for optional fields");
      return Set(e, BoolType());
    }
    case K::kOtherwise: {
      TypeRef t = CheckExpr(*e.args[0], env);
      if (IsError(*t)) return Set(e, t);
      if (!IsOptional(*t)) {
        diags_.Error("E0305", e.args[0]->span, "this value is never missing, so `otherwise` never applies");
        return Set(e, t);
      }
      ExpectType(*e.args[1], env, t->elem, "the default");
      return Set(e, t->elem);
    }
    case K::kNeg: {
      TypeRef t = CheckExpr(*e.args[0], env);
      if (!IsError(*t) && !IsNumber(*t))
        diags_.Error("E0301", e.span, "only numbers can be negated, found " + Quote(*t));
      return Set(e, t);
    }
    case K::kNot: {
      ExpectType(*e.args[0], env, BoolType(), "the operand of `not`");
      return Set(e, BoolType());
    }
    case K::kIf: {
      ExpectType(*e.args[0], env, BoolType(), "the condition of `if`");
      TypeRef a = CheckExpr(*e.args[1], env, expected);
      TypeRef b = CheckExpr(*e.args[2], env, expected ? expected : a);
      if (IsError(*a) || IsError(*b)) return Set(e, ErrorType());
      if (Assignable(*a, *b)) return Set(e, b);
      if (Assignable(*b, *a)) return Set(e, a);
      diags_.Error("E0301", e.span, "the branches of `if` differ: " + Quote(*a) + " and " + Quote(*b));
      return Set(e, ErrorType());
    }
    case K::kSet: {
      TypeRef elem;
      if (expected && expected->kind == TypeKind::kSet) elem = expected->elem;
      for (auto& a : e.args) {
        // A member of the expected enum resolves against it; anything else gets its own type and is reported
        // as a mixed set below.
        bool is_member = elem && elem->kind == TypeKind::kEnum &&
                         (a->kind == K::kName || a->kind == K::kEccn) &&
                         MemberIndex(elem->decl, a->text) >= 0;
        TypeRef t = CheckExpr(*a, env, is_member ? elem : nullptr);
        if (IsError(*t)) continue;
        if (t->kind != TypeKind::kEnum) {
          diags_.Error("E0304", a->span,
                       "set members are countries, catalog ids, ECCNs or enum values; found " + Quote(*t));
          continue;
        }
        if (!elem)
          elem = t;
        else if (!SameType(*t, *elem))
          diags_.Error("E0304", a->span, "this set mixes " + Quote(*elem) + " and " + Quote(*t));
      }
      return Set(e, SetType(elem ? elem : ErrorType()));
    }
    case K::kBinary:
      break;
  }

  // Binary operators.
  ast::Expr& l = *e.args[0];
  ast::Expr& r = *e.args[1];
  using B = ast::BinOp;
  // A value that may be missing cannot take part in arithmetic, ordering or membership.
  auto optional_operand = [&](const TypeRef& lt, const TypeRef& rt) {
    ast::Expr* side = IsOptional(*lt) ? &l : (IsOptional(*rt) ? &r : nullptr);
    if (!side) return false;
    diags_.Error("E0306", side->span, "this value may be missing (" + Quote(*side->sema.type) + ")",
                 "write `... otherwise DEFAULT`, or test `... is known` first");
    return true;
  };
  switch (e.op) {
    case B::kAnd:
    case B::kOr:
      ExpectType(l, env, BoolType(), "an operand of `and`/`or`");
      ExpectType(r, env, BoolType(), "an operand of `and`/`or`");
      return Set(e, BoolType());
    case B::kIn:
    case B::kNotIn: {
      TypeRef lt = CheckExpr(l, env);
      TypeRef rt = CheckExpr(r, env, IsError(*lt) ? nullptr : SetType(lt));
      if (IsError(*lt) || IsError(*rt) || optional_operand(lt, rt)) return Set(e, BoolType());
      if (rt->kind != TypeKind::kSet) {
        diags_.Error("E0304", r.span, "`in` needs a set on the right, found " + Quote(*rt),
                     "write a set `{A, B}` or the name of a set");
      } else if (!IsError(*rt->elem) && !SameType(*lt, *rt->elem)) {
        diags_.Error("E0304", e.span, "a " + Quote(*lt) + " cannot be a member of a " + Quote(*rt));
      }
      return Set(e, BoolType());
    }
    case B::kEq:
    case B::kNe: {
      TypeRef lt = CheckExpr(l, env);
      TypeRef rt = CheckExpr(r, env, IsError(*lt) ? nullptr : lt);
      if (IsError(*lt) || IsError(*rt)) return Set(e, BoolType());
      bool ok = SameType(*lt, *rt) || (IsNumber(*lt) && IsNumber(*rt) && lt->dims == rt->dims);
      if (!ok || IsOptional(*lt))
        diags_.Error("E0301", e.span, "cannot compare " + Quote(*lt) + " with " + Quote(*rt),
                     IsOptional(*lt) ? "a value that may be missing needs `otherwise` first" : "");
      return Set(e, BoolType());
    }
    case B::kLt:
    case B::kLe:
    case B::kGt:
    case B::kGe: {
      TypeRef lt = CheckExpr(l, env);
      TypeRef rt = CheckExpr(r, env, lt);
      if (IsError(*lt) || IsError(*rt) || optional_operand(lt, rt)) return Set(e, BoolType());
      bool ok = (IsNumber(*lt) && IsNumber(*rt) && lt->dims == rt->dims) ||
                (lt->kind == TypeKind::kDate && rt->kind == TypeKind::kDate);
      if (!ok) {
        std::string hint;
        if (IsNumber(*lt) && IsNumber(*rt))
          hint = "give both sides the same unit, e.g. `" +
                 std::string(lt->dims.empty() ? "4800" : "4800 " + lt->dims.ToString()) + "`";
        if (IsOptional(*lt) || IsOptional(*rt)) hint = "a value that may be missing needs `otherwise` first";
        diags_.Error("E0301", e.span, "cannot order " + Quote(*lt) + " against " + Quote(*rt), hint);
      }
      return Set(e, BoolType());
    }
    case B::kAdd:
    case B::kSub: {
      TypeRef lt = CheckExpr(l, env, expected);
      TypeRef rt = CheckExpr(r, env, lt);
      if (IsError(*lt) || IsError(*rt) || optional_operand(lt, rt)) return Set(e, ErrorType());
      if (lt->kind == TypeKind::kSet && rt->kind == TypeKind::kSet) {
        if (!IsError(*lt->elem) && !IsError(*rt->elem) && !SameType(*lt->elem, *rt->elem))
          diags_.Error("E0304", e.span, "cannot combine a " + Quote(*lt) + " with a " + Quote(*rt));
        return Set(e, IsError(*lt->elem) ? rt : lt);
      }
      if (IsNumber(*lt) && IsNumber(*rt)) {
        if (lt->dims != rt->dims) {
          diags_.Error("E0301", e.span,
                       std::string("cannot ") + (e.op == B::kAdd ? "add " : "subtract ") + Quote(*rt) +
                           (e.op == B::kAdd ? " to " : " from ") + Quote(*lt),
                       "quantities in different units do not add up; convert one side first");
          return Set(e, ErrorType());
        }
        if (lt->integer && rt->integer) return Set(e, IntType());
        return Set(e, QuantityType(lt->dims));
      }
      diags_.Error("E0301", e.span,
                   "`" + std::string(ast::BinOpText(e.op)) + "` needs two numbers or two sets, found " +
                       Quote(*lt) + " and " + Quote(*rt));
      return Set(e, ErrorType());
    }
    case B::kMul:
    case B::kDiv: {
      TypeRef lt = CheckExpr(l, env);
      TypeRef rt = CheckExpr(r, env);
      if (IsError(*lt) || IsError(*rt) || optional_operand(lt, rt)) return Set(e, ErrorType());
      if (!IsNumber(*lt) || !IsNumber(*rt)) {
        diags_.Error("E0301", e.span,
                     "`" + std::string(ast::BinOpText(e.op)) + "` needs two numbers, found " + Quote(*lt) +
                         " and " + Quote(*rt));
        return Set(e, ErrorType());
      }
      Dims a = lt->dims, b = rt->dims;
      // A count times a per-item figure is the figure: units * tpp = tpp.
      if (e.op == B::kMul) {
        auto single_count = [&](const Dims& d) {
          return d.exps.size() == 1 && d.exps[0].second == 1 && IsCountUnit(d.exps[0].first);
        };
        if (single_count(a) && !b.empty())
          a = Dims{};
        else if (single_count(b) && !a.empty())
          b = Dims{};
      }
      Dims out = MulDims(a, b, e.op == B::kMul ? 1 : -1);
      if (e.op == B::kMul && lt->integer && rt->integer) return Set(e, IntType());
      return Set(e, QuantityType(out));
    }
    default:
      break;
  }
  return Set(e, ErrorType());
}

void Checker::CheckOutcome(ast::Outcome& o, const Env& env) {
  if (o.kind == ast::Outcome::kLicenseException) {
    if (!out_->symbol_enum) {
      diags_.Error("E0209", o.span, "license exceptions need the enum `exception_symbol`",
                   "add `import ear.outcomes`");
    } else if (o.symbol) {
      ExpectType(*o.symbol, env, out_->symbol_enum->type, "the license exception");
    }
    if (o.notify) ExpectType(*o.notify, env, BoolType(), "`notify`");
  }
  if (o.kind == ast::Outcome::kLicenseRequired) {
    if (!out_->review_enum) {
      diags_.Error("E0209", o.span, "license requirements need the enum `review_policy`",
                   "add `import ear.outcomes`");
    } else if (o.review) {
      ExpectType(*o.review, env, out_->review_enum->type, "the review policy");
    }
  }
}

}  // namespace edict::sema
