#include "compiler/ast/clone.h"

#include <type_traits>
#include <utility>

namespace edict::ast {

namespace {

// The structs below are copied field by field. Their sizes are pinned (x86-64, libstdc++: the CI's GCC and
// clang builds) so that a field added later stops the build here, to be cloned, instead of being dropped from
// every cached parse (sema/parse_cache). After cloning the new field, update the size.
#if defined(__x86_64__) && defined(__GLIBCXX__)
#define EDICT_CLONED(T, size) \
  static_assert(sizeof(T) == (size), #T " changed: clone its new field in clone.cc, then update the size")
EDICT_CLONED(Expr, 168);
EDICT_CLONED(TypeExpr, 64);
EDICT_CLONED(Outcome, 56);
EDICT_CLONED(FieldDecl, 128);
EDICT_CLONED(ConstDecl, 16);
EDICT_CLONED(RecordDecl, 24);
EDICT_CLONED(TableRow, 104);
EDICT_CLONED(TableDecl, 80);
EDICT_CLONED(Param, 64);
EDICT_CLONED(FunctionDecl, 40);
EDICT_CLONED(QuotaDecl, 88);
EDICT_CLONED(RuleDecl, 264);
EDICT_CLONED(ShipmentLiteral, 136);
EDICT_CLONED(TestStep, 368);
EDICT_CLONED(TestDecl, 24);
EDICT_CLONED(Decl, 400);
EDICT_CLONED(Module, 240);
#undef EDICT_CLONED
#endif

ExprPtr Clone(const ExprPtr& e) {
  if (!e) return nullptr;
  auto out = std::make_unique<Expr>();
  out->kind = e->kind;
  out->span = e->span;
  out->text = e->text;
  out->unit = e->unit;
  out->op = e->op;
  out->bool_value = e->bool_value;
  out->date_days = e->date_days;
  out->sema = e->sema;
  out->args.reserve(e->args.size());
  for (const auto& a : e->args) out->args.push_back(Clone(a));
  return out;
}

std::unique_ptr<TypeExpr> Clone(const std::unique_ptr<TypeExpr>& t) {
  if (!t) return nullptr;
  auto out = std::make_unique<TypeExpr>();
  out->kind = t->kind;
  out->names = t->names;
  out->inner = Clone(t->inner);
  out->span = t->span;
  return out;
}

Outcome Clone(const Outcome& o) {
  Outcome out;
  out.kind = o.kind;
  out.symbol = Clone(o.symbol);
  out.notify = Clone(o.notify);
  out.review = Clone(o.review);
  out.span = o.span;
  return out;
}

std::vector<std::pair<std::string, ExprPtr>> Clone(
    const std::vector<std::pair<std::string, ExprPtr>>& fields) {
  std::vector<std::pair<std::string, ExprPtr>> out;
  out.reserve(fields.size());
  for (const auto& [name, value] : fields) out.emplace_back(name, Clone(value));
  return out;
}

FieldDecl Clone(const FieldDecl& f) {
  FieldDecl out;
  out.kind = f.kind;
  out.name = f.name;
  out.doc = f.doc;
  out.type = Clone(f.type);
  out.value = Clone(f.value);
  out.span = f.span;
  out.sema_type = f.sema_type;
  return out;
}

// One overload per declaration body: the ones without owned sub-trees are plain copies.
template <class T>
T CloneBody(const T& body) {
  static_assert(std::is_copy_constructible_v<T>, "a body with owned sub-trees needs its own CloneBody");
  return body;
}

ConstDecl CloneBody(const ConstDecl& c) {
  return ConstDecl{Clone(c.type), Clone(c.value)};
}

RecordDecl CloneBody(const RecordDecl& r) {
  RecordDecl out;
  for (const auto& f : r.fields) out.fields.push_back(Clone(f));
  return out;
}

TableDecl CloneBody(const TableDecl& t) {
  TableDecl out;
  out.record = t.record;
  out.record_span = t.record_span;
  for (const auto& row : t.rows) {
    TableRow& r = out.rows.emplace_back();
    r.key = row.key;
    r.span = row.span;
    r.fields = Clone(row.fields);
    r.field_spans = row.field_spans;
  }
  return out;
}

FunctionDecl CloneBody(const FunctionDecl& f) {
  FunctionDecl out;
  for (const auto& p : f.params) out.params.push_back(Param{p.name, Clone(p.type), p.span});
  out.result = Clone(f.result);
  out.body = Clone(f.body);
  return out;
}

QuotaDecl CloneBody(const QuotaDecl& q) {
  QuotaDecl out;
  out.limit = Clone(q.limit);
  out.measure = Clone(q.measure);
  for (const auto& k : q.keys) out.keys.push_back(Clone(k));
  out.calendar_year = q.calendar_year;
  out.window = q.window;
  out.window_from = q.window_from;
  out.window_to = q.window_to;
  out.cite = q.cite;
  return out;
}

RuleDecl CloneBody(const RuleDecl& r) {
  RuleDecl out;
  out.target = r.target;
  out.target_span = r.target_span;
  out.cite = r.cite;
  out.reason = r.reason;
  out.has_from = r.has_from;
  out.has_until = r.has_until;
  out.from = r.from;
  out.until = r.until;
  out.has_compliance = r.has_compliance;
  out.compliance = r.compliance;
  out.compliance_span = r.compliance_span;
  out.when = Clone(r.when);
  out.outcome = Clone(r.outcome);
  out.has_outcome = r.has_outcome;
  out.consumes = r.consumes;
  return out;
}

TestDecl CloneBody(const TestDecl& t) {
  TestDecl out;
  for (const auto& s : t.steps) {
    TestStep& step = out.steps.emplace_back();
    step.kind = s.kind;
    step.span = s.span;
    step.shipment.quantity = s.shipment.quantity;
    step.shipment.item = s.shipment.item;
    step.shipment.span = s.shipment.span;
    step.shipment.item_span = s.shipment.item_span;
    step.shipment.fields = Clone(s.shipment.fields);
    step.as_of = s.as_of;
    step.expect_error = s.expect_error;
    step.error_text = s.error_text;
    step.outcome = Clone(s.outcome);
    step.has_by = s.has_by;
    step.by = s.by;
    step.assertion = Clone(s.assertion);
  }
  return out;
}

}  // namespace

std::unique_ptr<Module> CloneParsed(const Module& module) {
  auto out = std::make_unique<Module>();
  out->name = module.name;
  out->file = module.file;
  out->is_policy = module.is_policy;
  out->is_builtin = module.is_builtin;
  out->header = module.header;
  out->imports = module.imports;
  for (auto& imp : out->imports) imp.resolved = nullptr;  // the loader resolves each copy's imports
  for (const auto& d : module.decls) {
    auto decl = std::make_unique<Decl>();
    decl->kind = d->kind;
    decl->name = d->name;
    decl->doc = d->doc;
    decl->span = d->span;
    decl->module = out.get();
    decl->body =
        std::visit([](const auto& body) -> decltype(Decl::body) { return CloneBody(body); }, d->body);
    decl->type = d->type;
    decl->sema_index = d->sema_index;
    out->decls.push_back(std::move(decl));
  }
  return out;
}

}  // namespace edict::ast
