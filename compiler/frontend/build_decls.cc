#include "compiler/frontend/builder.h"

namespace edict::frontend {

namespace {

template <class T>
std::unique_ptr<ast::Decl> NewDecl(ast::DeclKind kind, std::string name, Span span, T body) {
  auto d = std::make_unique<ast::Decl>();
  d->kind = kind;
  d->name = std::move(name);
  d->span = span;
  d->body = std::move(body);
  return d;
}

}  // namespace

std::string AstBuilder::Doc(const std::vector<antlr4::tree::TerminalNode*>& docs) {
  std::string out;
  for (auto* d : docs) {
    std::string line = d->getText().substr(3);
    if (!line.empty() && line[0] == ' ') line.erase(0, 1);
    out += (out.empty() ? "" : " ") + line;
  }
  return out;
}

void AstBuilder::BuildFile(EdictParser::File_Context* ctx, ast::Module& module) {
  if (ctx->header()) BuildHeader(ctx->header(), module);
  for (auto* d : ctx->decl()) {
    if (auto* c = dynamic_cast<EdictParser::ImportModuleContext*>(d)) {
      module.imports.push_back({false, c->qualName()->getText(), "", SpanOf(c->qualName()), nullptr});
    } else if (auto* c = dynamic_cast<EdictParser::ImportPolicyContext*>(d)) {
      module.imports.push_back({true, Unquote(c->STRING()->getText()), c->name() ? c->name()->getText() : "",
                                SpanOf(c->STRING()), nullptr});
    } else if (auto decl = BuildDecl(d, module)) {
      decl->module = &module;
      module.decls.push_back(std::move(decl));
    }
  }
}

void AstBuilder::BuildHeader(EdictParser::HeaderContext* ctx, ast::Module& module) {
  if (auto* m = dynamic_cast<EdictParser::ModuleHeaderContext*>(ctx)) {
    module.name = m->qualName()->getText();
    return;
  }
  auto* p = dynamic_cast<EdictParser::PolicyHeaderContext*>(ctx);
  module.is_policy = true;
  auto& h = module.header;
  h.title = Unquote(p->STRING()->getText());
  for (auto* clause : p->headerClause()) {
    if (auto* c = dynamic_cast<EdictParser::VersionClauseContext*>(clause))
      h.version = Unquote(c->STRING()->getText());
    if (auto* c = dynamic_cast<EdictParser::SourceClauseContext*>(clause))
      h.source = Unquote(c->STRING()->getText());
    if (auto* c = dynamic_cast<EdictParser::SummaryClauseContext*>(clause))
      h.summary = Unquote(c->STRING()->getText());
    if (auto* c = dynamic_cast<EdictParser::ComplianceClauseContext*>(clause)) {
      h.has_compliance = true;
      h.compliance = Date(c->DATE());
    }
    if (auto* c = dynamic_cast<EdictParser::InForceClauseContext*>(clause)) {
      h.has_from = true;
      h.from = Date(c->DATE(0));
      if (c->DATE().size() > 1) {
        h.has_until = true;
        h.until = Date(c->DATE(1));
      }
    }
  }
}

ast::FieldDecl AstBuilder::BuildField(EdictParser::FieldDeclContext* ctx) {
  ast::FieldDecl f;
  f.name = ctx->name()->getText();
  f.span = SpanOf(ctx->name());
  f.doc = Doc(ctx->DOC());
  if (ctx->fieldKind())
    f.kind = ctx->fieldKind()->getText() == "derived" ? ast::FieldDecl::kDerived : ast::FieldDecl::kOptional;
  f.type = BuildType(ctx->type());
  if (ctx->expr()) f.value = BuildExpr(ctx->expr());
  return f;
}

void AstBuilder::BuildRuleClauses(const std::vector<EdictParser::RuleClauseContext*>& clauses,
                                  ast::RuleDecl& r) {
  for (auto* clause : clauses) {
    if (auto* c = dynamic_cast<EdictParser::CiteClauseContext*>(clause))
      r.cite = Unquote(c->STRING()->getText());
    if (auto* c = dynamic_cast<EdictParser::ReasonClauseContext*>(clause))
      r.reason = Unquote(c->STRING()->getText());
    if (auto* c = dynamic_cast<EdictParser::RuleInForceContext*>(clause)) {
      r.has_from = true;
      r.from = Date(c->DATE(0));
      if (c->DATE().size() > 1) {
        r.has_until = true;
        r.until = Date(c->DATE(1));
      }
    }
    if (auto* c = dynamic_cast<EdictParser::RuleInForceUntilContext*>(clause)) {
      r.has_until = true;
      r.until = Date(c->DATE());
    }
    if (auto* c = dynamic_cast<EdictParser::RuleComplianceContext*>(clause)) {
      r.has_compliance = true;
      r.compliance = Date(c->DATE());
      r.compliance_span = SpanOf(c);
    }
    if (auto* c = dynamic_cast<EdictParser::WhenClauseContext*>(clause)) {
      if (r.when)
        diags_.Error("E0005", SpanOf(c), "a rule has one `when` clause", "join conditions with `and`");
      r.when = BuildExpr(c->expr());
    }
    if (auto* c = dynamic_cast<EdictParser::ThenClauseContext*>(clause)) {
      if (r.has_outcome) diags_.Error("E0005", SpanOf(c), "a rule has one `then` clause");
      r.outcome = BuildOutcome(c->outcome());
      r.has_outcome = true;
    }
    if (auto* c = dynamic_cast<EdictParser::ConsumesClauseContext*>(clause))
      for (auto* n : c->name()) r.consumes.emplace_back(n->getText(), SpanOf(n));
  }
}

std::unique_ptr<ast::Decl> AstBuilder::BuildDecl(EdictParser::DeclContext* ctx, ast::Module& module) {
  using K = ast::DeclKind;
  (void)module;
  if (auto* c = dynamic_cast<EdictParser::UnitDeclContext*>(ctx)) {
    ast::UnitDecl u;
    // `count` is the only optional word between the name and the description.
    for (auto* child : c->children)
      if (child != c->name() && child->getText() == "count") u.count = true;
    if (c->STRING()) u.description = Unquote(c->STRING()->getText());
    auto d = NewDecl(K::kUnit, c->name()->getText(), SpanOf(c->name()), std::move(u));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::ConstDeclContext*>(ctx)) {
    ast::ConstDecl k;
    if (c->type()) k.type = BuildType(c->type());
    k.value = BuildExpr(c->expr());
    auto d = NewDecl(K::kConst, c->name()->getText(), SpanOf(c->name()), std::move(k));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::SetDeclContext*>(ctx)) {
    ast::ConstDecl k;
    if (c->type()) k.type = BuildType(c->type());
    k.value = BuildExpr(c->expr());
    auto d = NewDecl(K::kSet, c->name()->getText(), SpanOf(c->name()), std::move(k));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::EnumDeclContext*>(ctx)) {
    ast::EnumDecl e;
    for (auto* m : c->enumMember()) {
      ast::EnumMember mem;
      mem.name = m->name() ? m->name()->getText() : m->ECCN()->getText();
      mem.span = m->name() ? SpanOf(m->name()) : SpanOf(m->ECCN());
      if (m->STRING()) mem.description = Unquote(m->STRING()->getText());
      e.members.push_back(std::move(mem));
    }
    auto d = NewDecl(K::kEnum, c->name()->getText(), SpanOf(c->name()), std::move(e));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::RecordDeclContext*>(ctx)) {
    ast::RecordDecl r;
    for (auto* f : c->fieldDecl()) r.fields.push_back(BuildField(f));
    auto d = NewDecl(K::kRecord, c->name()->getText(), SpanOf(c->name()), std::move(r));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::SchemaDeclContext*>(ctx)) {
    ast::RecordDecl r;
    for (auto* f : c->fieldDecl()) r.fields.push_back(BuildField(f));
    auto d = NewDecl(K::kSchema, c->name()->getText(), SpanOf(c->name()), std::move(r));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::TableDeclContext*>(ctx)) {
    ast::TableDecl t;
    t.record = c->name(1)->getText();
    t.record_span = SpanOf(c->name(1));
    for (auto* row : c->tableRow()) {
      ast::TableRow r;
      r.key = row->rowKey()->name() ? row->rowKey()->name()->getText()
                                    : Unquote(row->rowKey()->STRING()->getText());
      r.span = SpanOf(row->rowKey());
      for (auto* f : row->rowField()) {
        r.fields.emplace_back(f->name()->getText(), BuildExpr(f->expr()));
        r.field_spans.push_back(SpanOf(f->name()));
      }
      t.rows.push_back(std::move(r));
    }
    auto d = NewDecl(K::kTable, c->name(0)->getText(), SpanOf(c->name(0)), std::move(t));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::FunctionDeclContext*>(ctx)) {
    ast::FunctionDecl f;
    for (auto* p : c->param())
      f.params.push_back({p->name()->getText(), BuildType(p->type()), SpanOf(p->name())});
    f.result = BuildType(c->type());
    f.body = BuildExpr(c->expr());
    auto d = NewDecl(K::kFunction, c->name()->getText(), SpanOf(c->name()), std::move(f));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::QuotaDeclContext*>(ctx)) {
    ast::QuotaDecl q;
    for (auto* clause : c->quotaClause()) {
      if (auto* x = dynamic_cast<EdictParser::QuotaLimitContext*>(clause)) q.limit = BuildExpr(x->expr());
      if (auto* x = dynamic_cast<EdictParser::QuotaMeasureContext*>(clause)) q.measure = BuildExpr(x->expr());
      if (auto* x = dynamic_cast<EdictParser::QuotaKeysContext*>(clause))
        for (auto* e : x->expr()) q.keys.push_back(BuildExpr(e));
      if (dynamic_cast<EdictParser::QuotaCalendarYearContext*>(clause)) q.calendar_year = true;
      if (auto* x = dynamic_cast<EdictParser::QuotaWindowContext*>(clause)) {
        q.window = true;
        q.window_from = Date(x->DATE(0));
        q.window_to = Date(x->DATE(1));
      }
      if (auto* x = dynamic_cast<EdictParser::QuotaCiteContext*>(clause))
        q.cite = Unquote(x->STRING()->getText());
    }
    auto d = NewDecl(K::kQuota, c->name()->getText(), SpanOf(c->name()), std::move(q));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::RuleDeclContext*>(ctx)) {
    ast::RuleDecl r;
    if (c->qualName()) {
      r.target = c->qualName()->getText();
      r.target_span = SpanOf(c->qualName());
    }
    BuildRuleClauses(c->ruleClause(), r);
    auto d = NewDecl(K::kRule, c->name()->getText(), SpanOf(c->name()), std::move(r));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::ExceptionDeclContext*>(ctx)) {
    ast::RuleDecl r;
    r.target = c->qualName()->getText();
    r.target_span = SpanOf(c->qualName());
    BuildRuleClauses(c->ruleClause(), r);
    auto d = NewDecl(K::kException, c->name()->getText(), SpanOf(c->name()), std::move(r));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::WithdrawRulesContext*>(ctx)) {
    ast::WithdrawDecl w;
    for (auto* q : c->qualName()) w.names.emplace_back(q->getText(), SpanOf(q));
    if (c->DATE()) {
      w.has_from = true;
      w.from = Date(c->DATE());
    }
    if (c->STRING()) w.cite = Unquote(c->STRING()->getText());
    auto d = NewDecl(K::kWithdraw, "withdraw", SpanOf(c->qualName(0)), std::move(w));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::WithdrawPolicyContext*>(ctx)) {
    ast::WithdrawDecl w;
    w.whole_policy = true;
    w.names.emplace_back(c->name()->getText(), SpanOf(c->name()));
    if (c->DATE()) {
      w.has_from = true;
      w.from = Date(c->DATE());
    }
    if (c->STRING()) w.cite = Unquote(c->STRING()->getText());
    auto d = NewDecl(K::kWithdraw, "withdraw", SpanOf(c->name()), std::move(w));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::TimelineDeclContext*>(ctx)) {
    ast::TimelineDecl t;
    for (auto* e : c->timelineEntry())
      t.entries.push_back({Date(e->DATE()), Unquote(e->STRING()->getText()), SpanOf(e)});
    auto d = NewDecl(K::kTimeline, "timeline", SpanOf(c), std::move(t));
    d->doc = Doc(c->DOC());
    return d;
  }
  if (auto* c = dynamic_cast<EdictParser::TestDeclContext*>(ctx)) {
    ast::TestDecl t;
    for (auto* s : c->testStep()) t.steps.push_back(BuildStep(s));
    auto d = NewDecl(K::kTest, Unquote(c->STRING()->getText()), SpanOf(c->STRING()), std::move(t));
    d->doc = Doc(c->DOC());
    return d;
  }
  return nullptr;
}

ast::TestStep AstBuilder::BuildStep(EdictParser::TestStepContext* ctx) {
  ast::TestStep step;
  step.span = SpanOf(ctx);
  if (auto* c = dynamic_cast<EdictParser::GivenStepContext*>(ctx)) {
    step.kind = ast::TestStep::kGiven;
    step.shipment = BuildShipment(c->shipment());
  } else if (auto* c = dynamic_cast<EdictParser::ShipStepContext*>(ctx)) {
    step.kind = ast::TestStep::kShip;
    step.shipment = BuildShipment(c->shipment());
  } else if (auto* c = dynamic_cast<EdictParser::AsOfStepContext*>(ctx)) {
    step.kind = ast::TestStep::kAsOf;
    step.as_of = Date(c->DATE());
  } else if (auto* c = dynamic_cast<EdictParser::ExpectStepContext*>(ctx)) {
    step.kind = ast::TestStep::kExpect;
    if (auto* e = dynamic_cast<EdictParser::ExpectErrorContext*>(c->expectation())) {
      step.expect_error = true;
      if (e->STRING()) step.error_text = Unquote(e->STRING()->getText());
    } else if (auto* e = dynamic_cast<EdictParser::ExpectOutcomeContext*>(c->expectation())) {
      step.outcome = BuildOutcome(e->outcome());
      step.has_by = !e->qualName().empty();
      for (auto* q : e->qualName()) step.by.emplace_back(q->getText(), SpanOf(q));
      if (e->underPolicy) step.under = e->underPolicy->getText();
      if (e->pendingPolicy) step.pending = e->pendingPolicy->getText();
    }
  } else if (auto* c = dynamic_cast<EdictParser::AssertStepContext*>(ctx)) {
    step.kind = ast::TestStep::kAssert;
    step.assertion = BuildExpr(c->expr());
  }
  return step;
}

ast::ShipmentLiteral AstBuilder::BuildShipment(EdictParser::ShipmentContext* ctx) {
  ast::ShipmentLiteral s;
  s.span = SpanOf(ctx);
  // After a syntax error the parser may have recovered with a partial `NUMBER itemRef`: build nothing from
  // it.
  auto* item = ctx->itemRef();
  if (item && ctx->NUMBER() && (item->name() || item->STRING())) {
    s.quantity = ctx->NUMBER()->getText();
    s.item = item->name() ? item->name()->getText() : Unquote(item->STRING()->getText());
    s.item_span = SpanOf(item);
    auto number = std::make_unique<ast::Expr>();
    number->kind = ast::ExprKind::kNumber;
    number->text = s.quantity;
    number->span = SpanOf(ctx->NUMBER());
    s.fields.emplace_back("quantity", std::move(number));
    s.fields.emplace_back("item", NameExpr(s.item, s.item_span));
  }
  auto text = [&](antlr4::tree::TerminalNode* node) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = ast::ExprKind::kString;
    e->text = Unquote(node->getText());
    e->span = SpanOf(node);
    return e;
  };
  for (auto* opt : ctx->shipOption()) {
    if (auto* c = dynamic_cast<EdictParser::OptConsigneeContext*>(opt))
      s.fields.emplace_back("consignee", text(c->STRING()));
    if (auto* c = dynamic_cast<EdictParser::OptDateContext*>(opt)) {
      auto e = std::make_unique<ast::Expr>();
      e->kind = ast::ExprKind::kDate;
      e->text = c->DATE()->getText();
      e->date_days = Date(c->DATE());
      e->span = SpanOf(c->DATE());
      s.fields.emplace_back("date", std::move(e));
    }
    if (auto* c = dynamic_cast<EdictParser::OptDestinationContext*>(opt))
      s.fields.emplace_back("destination", NameExpr(c->name()->getText(), SpanOf(c->name())));
    if (auto* c = dynamic_cast<EdictParser::OptHqContext*>(opt))
      s.fields.emplace_back("consignee_hq", NameExpr(c->name()->getText(), SpanOf(c->name())));
    if (auto* c = dynamic_cast<EdictParser::OptEndUseContext*>(opt))
      s.fields.emplace_back("end_use", NameExpr(c->name()->getText(), SpanOf(c->name())));
    if (auto* c = dynamic_cast<EdictParser::OptEndUserContext*>(opt))
      s.fields.emplace_back("end_user", text(c->STRING()));
    if (auto* c = dynamic_cast<EdictParser::OptVeuContext*>(opt))
      s.fields.emplace_back("veu", NameExpr(c->name()->getText(), SpanOf(c->name())));
    if (auto* c = dynamic_cast<EdictParser::OptTrainingOpsContext*>(opt))
      s.fields.emplace_back("training_ops", BuildExpr(c->expr()));
    if (auto* c = dynamic_cast<EdictParser::OptOpenWeightsContext*>(opt)) {
      auto e = std::make_unique<ast::Expr>();
      e->kind = ast::ExprKind::kBool;
      e->bool_value = true;
      e->span = SpanOf(c);
      s.fields.emplace_back("open_weights", std::move(e));
    }
    if (auto* c = dynamic_cast<EdictParser::OptExporterContext*>(opt))
      s.fields.emplace_back("exporter", text(c->STRING()));
    if (auto* c = dynamic_cast<EdictParser::OptExporterCountryContext*>(opt))
      s.fields.emplace_back("exporter_country", NameExpr(c->name()->getText(), SpanOf(c->name())));
    if (auto* c = dynamic_cast<EdictParser::OptIdContext*>(opt))
      s.fields.emplace_back("id", text(c->STRING()));
    if (auto* c = dynamic_cast<EdictParser::OptFieldContext*>(opt))
      s.fields.emplace_back(c->name()->getText(), BuildExpr(c->expr()));
  }
  return s;
}

}  // namespace edict::frontend
