// Checking declarations: constants, functions (no recursion), the schema, tables, quotas, rules and tests.
#include "compiler/sema/checker.h"

namespace edict::sema {

void Checker::CheckDecl(ast::Decl* d) {
  State& st = state_[d];
  if (st == State::kDone) return;
  if (st == State::kChecking) {
    if (d->kind == ast::DeclKind::kFunction)
      diags_.Error("E0210", d->span,
                   "function '" + d->name + "' calls itself, directly or through another function",
                   "edict has no recursion, so that every evaluation terminates");
    else
      diags_.Error("E0210", d->span, "'" + d->name + "' is defined in terms of itself");
    if (!d->type) d->type = ErrorType();
    return;
  }
  st = State::kChecking;
  using K = ast::DeclKind;
  Env env;
  env.module = d->module;
  switch (d->kind) {
    case K::kConst:
    case K::kSet: {
      auto& c = d->as<ast::ConstDecl>();
      env.what = d->kind == K::kConst ? "a constant" : "a set";
      TypeRef want = c.type ? ResolveType(*c.type, d->module) : nullptr;
      TypeRef got = CheckExpr(*c.value, env, want);
      if (want && !Assignable(*got, *want))
        diags_.Error(
            "E0301", c.value->span,
            "'" + d->name + "' is declared " + want->ToString() + " but its value is " + got->ToString());
      d->type = want ? want : got;
      if (d->kind == K::kSet && !IsError(*d->type) && d->type->kind != TypeKind::kSet)
        diags_.Error("E0304", c.value->span,
                     "set '" + d->name + "' must be a set, found " + d->type->ToString(),
                     "write members in braces: `{A, B}`");
      break;
    }
    case K::kFunction: {
      auto& f = d->as<ast::FunctionDecl>();
      for (auto& p : f.params) ResolveType(*p.type, d->module);
      d->type = ResolveType(*f.result, d->module);
      env.function = &f;
      env.what = "a function";
      ExpectType(*f.body, env, d->type, ("the result of " + d->name).c_str());
      function_order_.push_back(d);
      break;
    }
    case K::kRecord:
      for (auto& f : d->as<ast::RecordDecl>().fields) {
        ResolveType(*f.type, d->module);
        if (f.value)
          diags_.Error("E0407", f.span, "record fields have no defaults", "give the value in each table row");
      }
      break;
    case K::kTable:
      CheckTable(d);
      break;
    case K::kQuota:
      CheckQuota(d);
      break;
    case K::kRule:
    case K::kException:
      CheckRuleDecl(d);
      break;
    case K::kTest:
      CheckTest(d);
      break;
    case K::kTimeline:
      if (d->module != program_.root)
        diags_.Error("E0410", d->span, "a timeline is only meaningful in the policy being evaluated");
      if (out_->timeline) diags_.Error("E0410", d->span, "a policy has one timeline");
      out_->timeline = d;
      break;
    default:
      break;
  }
  st = State::kDone;
}

void Checker::CheckSchema(ast::Decl* d) {
  auto& fields = d->as<ast::RecordDecl>().fields;
  std::vector<std::vector<int>> reads(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    auto& f = fields[i];
    TypeRef t = ResolveType(*f.type, d->module);
    f.sema_type = t;
    if (f.kind == ast::FieldDecl::kDerived && !f.value)
      diags_.Error("E0407", f.span, "derived field '" + f.name + "' needs a formula",
                   "write `derived NAME: TYPE = EXPR`");
    if (f.kind == ast::FieldDecl::kOptional && f.value)
      diags_.Error("E0407", f.span, "an optional field has no default",
                   "drop `optional` to give it a default");
    if (!f.value) continue;
    Env env;
    env.module = d->module;
    env.shipment = true;
    env.field_reads = &reads[i];
    env.what = "a field default";
    ExpectType(*f.value, env, t, ("field '" + f.name + "'").c_str());
  }
  // Order the fields so that each default or formula is computed after the fields it reads.
  std::vector<int> state(fields.size(), 0);
  std::function<void(int)> visit = [&](int i) {
    if (state[i] == 2) return;
    if (state[i] == 1) {
      diags_.Error("E0211", fields[i].span,
                   "field '" + fields[i].name + "' depends on itself through its default");
      state[i] = 2;
      return;
    }
    state[i] = 1;
    for (int r : reads[i])
      if (r != i)
        visit(r);
      else
        diags_.Error("E0211", fields[i].span, "field '" + fields[i].name + "' depends on itself");
    state[i] = 2;
    out_->schema_order.push_back(i);
  };
  for (size_t i = 0; i < fields.size(); ++i) visit(static_cast<int>(i));
}

void Checker::CheckTable(ast::Decl* d) {
  auto& t = d->as<ast::TableDecl>();
  const ast::Decl* rec = Lookup(d->module, t.record, kTypes, t.record_span, true);
  if (!rec) return;
  if (rec->kind != ast::DeclKind::kRecord) {
    diags_.Error("E0205", t.record_span, "'" + t.record + "' is not a record");
    return;
  }
  CheckDecl(const_cast<ast::Decl*>(rec));
  const auto& fields = rec->as<ast::RecordDecl>().fields;
  Env env;
  env.module = d->module;
  env.what = "a table row";
  for (auto& row : t.rows) {
    std::vector<bool> given(fields.size(), false);
    for (size_t k = 0; k < row.fields.size(); ++k) {
      auto& [name, value] = row.fields[k];
      auto it = std::find_if(fields.begin(), fields.end(),
                             [&n = name](const ast::FieldDecl& f) { return f.name == n; });
      if (it == fields.end()) {
        std::vector<std::string> names;
        for (const auto& f : fields) names.push_back(f.name);
        diags_.Error("E0303", row.field_spans[k], rec->name + " has no field '" + name + "'",
                     Suggest(name, names));
        CheckExpr(*value, env);
        continue;
      }
      size_t idx = static_cast<size_t>(it - fields.begin());
      if (given[idx])
        diags_.Error("E0201", row.field_spans[k], "field '" + name + "' is given twice in this row");
      given[idx] = true;
      ExpectType(*value, env, ResolveType(*it->type, rec->module), ("field '" + name + "'").c_str());
    }
    for (size_t i = 0; i < fields.size(); ++i)
      if (!given[i] && fields[i].kind != ast::FieldDecl::kOptional)
        diags_.Error("E0408", row.span, "row '" + row.key + "' has no value for '" + fields[i].name + "'",
                     "every field not marked `optional` needs a value");
  }
}

void Checker::CheckQuota(ast::Decl* d) {
  auto& q = d->as<ast::QuotaDecl>();
  Env env;
  env.module = d->module;
  env.what = "a quota limit";
  if (!q.limit || !q.measure) {
    diags_.Error("E0402", d->span, "quota '" + d->name + "' needs `limit` and `measure`",
                 "e.g. `limit 26_900_000 tpp` and `measure tpp`");
    return;
  }
  TypeRef lt = CheckExpr(*q.limit, env);
  Env ship = env;
  ship.shipment = true;
  ship.what = "a quota";
  TypeRef mt = CheckExpr(*q.measure, ship);
  if (!IsError(*lt) && !IsNumber(*lt)) diags_.Error("E0301", q.limit->span, "a quota limit must be a number");
  if (!IsError(*lt) && !IsError(*mt) && (!IsNumber(*mt) || mt->dims != lt->dims))
    diags_.Error("E0301", q.measure->span,
                 "the measure (" + mt->ToString() + ") must be in the limit's unit (" + lt->ToString() + ")");
  for (auto& k : q.keys) {
    TypeRef t = CheckExpr(*k, ship);
    if (!IsError(*t) &&
        (t->kind == TypeKind::kSet || t->kind == TypeKind::kOptional || t->kind == TypeKind::kRecord))
      diags_.Error("E0301", k->span,
                   "a quota key must be a plain value (text, country, enum, date or number)");
  }
  if (q.calendar_year && q.window)
    diags_.Error("E0403", d->span, "a quota has one period: `per calendar year` or `from D to D`");
  if (q.window && q.window_to < q.window_from)
    diags_.Error("E0403", d->span, "the quota window ends before it starts");
}

void Checker::CheckRuleDecl(ast::Decl* d) {
  auto& r = d->as<ast::RuleDecl>();
  Env env;
  env.module = d->module;
  env.shipment = true;
  env.what = "a rule";
  if (!r.when)
    diags_.Error("E0404", d->span, "rule '" + d->name + "' has no `when` clause",
                 "write `when true` for a rule that always applies");
  else
    ExpectType(*r.when, env, BoolType(), "the condition");
  if (!r.has_outcome)
    diags_.Error("E0405", d->span, "rule '" + d->name + "' has no `then` clause",
                 "e.g. `then license_required(review: denial)`");
  else
    CheckOutcome(r.outcome, env);
  if (r.cite.empty())
    diags_.Warning("W0406", d->span, "rule '" + d->name + "' cites no provision",
                   "add `cite \"15 CFR ...\"` so every decision can be traced to the law");
  if (r.cite.find('|') != std::string::npos)
    diags_.Error("E0412", d->span, "rule '" + d->name + "' has a `|` in its citation",
                 "CSV output separates a decision's citations with ` | `; write the citation without `|`");
  for (auto& [name, span] : r.consumes) Lookup(d->module, name, kQuotas, span, true);
  if (r.has_from && r.has_until && r.until < r.from)
    diags_.Error("E0403", d->span, "the rule's in-force period ends before it starts");
  if (r.has_compliance) {
    if (r.has_from && r.compliance < r.from)
      diags_.Error("E0403", r.compliance_span, "the compliance date is before the rule is in force",
                   "a compliance date is on or after `in force from`");
    if (r.has_until && r.compliance > r.until)
      diags_.Error("E0403", r.compliance_span,
                   "the rule's in-force period ends before compliance is required");
    // Until the compliance date the rule it replaces would have to keep binding, with exceptions that now
    // belong to the replacement: not modelled (docs/language.md, "Effective and compliance dates").
    if (!r.target.empty() && d->kind == ast::DeclKind::kRule)
      diags_.Error(
          "E0403", r.compliance_span, "a rule that replaces another cannot have a compliance date",
          "withdraw the old rule `from` the compliance date instead, or put the new rule in a policy of "
          "its own on the timeline");
  }
}

namespace {
// A field to show in a hint about writing a shipment field by field: the first one the options do not cover.
std::string FieldToShow(const std::vector<ast::FieldDecl>& fields) {
  for (const auto& f : fields)
    if (f.kind == ast::FieldDecl::kPlain && f.name != "id" && f.name != "date" && f.name != "destination")
      return f.name;
  return "FIELD";
}
}  // namespace

void Checker::CheckTest(ast::Decl* d) {
  auto& t = d->as<ast::TestDecl>();
  if (!out_->schema) {
    diags_.Error("E0409", d->span, "tests need the shipment schema", "add `import ear.shipment`");
    return;
  }
  const auto& fields = out_->schema->as<ast::RecordDecl>().fields;
  Env env;
  env.module = d->module;
  env.coerce_literals = true;
  env.what = "a test";
  bool pending_ship = false;
  for (auto& step : t.steps) {
    if (step.kind == ast::TestStep::kGiven || step.kind == ast::TestStep::kShip) {
      if (step.kind == ast::TestStep::kShip) pending_ship = true;
      std::vector<bool> given(fields.size(), false);
      for (auto& [name, value] : step.shipment.fields) {
        auto it = std::find_if(fields.begin(), fields.end(),
                               [&n = name](const ast::FieldDecl& f) { return f.name == n; });
        // A test may also fix a derived field (`with eccn = 3A090.b.2`) to try a hypothetical classification.
        if (it == fields.end()) {
          std::vector<std::string> names;
          for (const auto& f : fields) names.push_back(f.name);
          std::string hint = Suggest(name, names);
          if ((name == "item" || name == "quantity") && !step.shipment.item.empty())
            hint = "this schema has no `" + name + "` field: write the shipment's fields as options, `" +
                   (step.kind == ast::TestStep::kShip ? "ship" : "given shipped") + " with " +
                   FieldToShow(fields) + " = ...`";
          diags_.Error("E0303", value->span, "a shipment has no field '" + name + "'", hint);
          continue;
        }
        given[static_cast<size_t>(it - fields.begin())] = true;
        ExpectType(*value, env, ResolveType(*it->type, out_->schema->module),
                   ("field '" + name + "'").c_str());
      }
      for (size_t i = 0; i < fields.size(); ++i) {
        const auto& f = fields[i];
        if (given[i] || f.value || f.kind != ast::FieldDecl::kPlain || f.name == "id") continue;
        std::string how = f.name == "date"          ? "on 2025-06-02"
                          : f.name == "destination" ? "to IN"
                          : f.name == "consignee"   ? "consignee \"Name\""
                                                    : "with " + f.name + " = ...";
        diags_.Error("E0409", step.shipment.span, "this shipment has no " + f.name, "add `" + how + "`");
      }
    }
    if (step.kind == ast::TestStep::kAssert) {
      // No shipment is in scope: an assertion is a fact about the policy's data, decided when the tests run.
      Env facts;
      facts.module = d->module;
      facts.what = "an assertion";
      ExpectType(*step.assertion, facts, BoolType(), "an assertion");
    }
    if (step.kind == ast::TestStep::kExpect) {
      if (!pending_ship) diags_.Error("E0409", step.span, "`expect` needs a `ship` step before it");
      pending_ship = false;
      if (!step.expect_error) CheckOutcome(step.outcome, env);
    }
  }
  if (pending_ship)
    diags_.Warning("W0411", d->span, "the last shipment of this test is never checked", "add `expect ...`");
}

bool Checker::Run() {
  IndexDeclarations();
  for (auto& [name, unit] : units_)
    if (unit->as<ast::UnitDecl>().count) out_->count_units.insert(name);
  for (auto& m : program_.modules)
    for (auto& d : m->decls) {
      if (d->kind == ast::DeclKind::kSchema) {
        if (out_->schema) {
          auto& e = diags_.Error("E0401", d->span, "a program has one query schema");
          e.notes.emplace_back(out_->schema->span, "the other schema");
        } else {
          out_->schema = d.get();
        }
      }
      if (d->kind == ast::DeclKind::kEnum && d->name == "review_policy") out_->review_enum = d.get();
      if (d->kind == ast::DeclKind::kEnum && d->name == "exception_symbol") out_->symbol_enum = d.get();
    }
  if (out_->schema) {
    state_[out_->schema] = State::kDone;
    CheckSchema(const_cast<ast::Decl*>(out_->schema));
  }
  for (auto& m : program_.modules)
    for (auto& d : m->decls) CheckDecl(d.get());
  out_->functions = function_order_;
  if (out_->timeline) {
    for (auto& d : program_.root->decls)
      if (d->kind == ast::DeclKind::kRule || d->kind == ast::DeclKind::kException)
        diags_.Error("E0410", d->span,
                     "a policy with a timeline delegates to other policies and has no rules of its own");
    // An imported policy's rules would be this policy's, and never apply: the timeline hands every shipment
    // to the policy in force, and before its first date decides no_license_required.
    for (const ast::Import& imp : program_.root->imports)
      if (imp.policy)
        diags_.Error("E0410", imp.span,
                     "a policy with a timeline cannot import a policy (its rules would never apply)",
                     "apply it in the timeline instead: from DATE apply \"" + imp.target + "\"");
  }
  return !diags_.HasErrors();
}

bool Check(LoadedProgram& program, DiagnosticList& diags, CheckedProgram* out) {
  out->loaded = &program;
  Checker checker(program, diags, out);
  return checker.Run();
}

const std::vector<std::pair<std::string, std::string>>& DiagnosticCodes() {
  static const std::vector<std::pair<std::string, std::string>> codes = {
      {"E0001", "syntax error"},
      {"E0002", "further syntax error after the first"},
      {"E0003", "invalid date"},
      {"E0004", "source file is not valid UTF-8"},
      {"E0005", "a rule clause is given twice"},
      {"E0006", "an expression nests too deeply for the compiler"},
      {"E0101", "file or stdlib module not found"},
      {"E0102", "import cycle"},
      {"E0103", "module header does not match the import name"},
      {"E0104", "a module imported as a policy"},
      {"E0201", "declared twice"},
      {"E0202", "unknown name"},
      {"E0203", "ambiguous name"},
      {"E0204", "unknown unit"},
      {"E0205", "unknown type"},
      {"E0206", "not a member of the expected enumeration"},
      {"E0207", "enum member name belongs to several enumerations"},
      {"E0208", "the shipment is used where none exists"},
      {"E0209", "outcome vocabulary not imported"},
      {"E0210", "recursion"},
      {"E0211", "schema field depends on itself"},
      {"E0301", "type mismatch"},
      {"E0302", "number out of range"},
      {"E0303", "no such field"},
      {"E0304", "bad set"},
      {"E0305", "optional-value operator on a value that is never missing"},
      {"E0306", "a value that may be missing is used directly"},
      {"E0307", "wrong number of arguments"},
      {"E0401", "more than one query schema"},
      {"E0402", "quota without limit or measure"},
      {"E0403", "bad period"},
      {"E0404", "rule without `when`"},
      {"E0405", "rule without `then`"},
      {"W0406", "rule without citation"},
      {"E0407", "bad field declaration"},
      {"E0408", "table row misses a field"},
      {"E0409", "incomplete test"},
      {"E0410", "bad timeline"},
      {"W0411", "test shipment never checked"},
      {"E0412", "`|` in a citation"},
      {"E0501", "unknown rule"},
      {"E0502", "exception cycle"},
      {"E0503", "rule declared twice"},
      {"E0505", "set member is not a constant"},
      {"E0601", "a constant cannot be evaluated"},
  };
  return codes;
}

}  // namespace edict::sema
