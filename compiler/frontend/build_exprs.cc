#include "compiler/frontend/builder.h"
#include "runtime/date.h"

namespace edict::frontend {

using antlr4::ParserRuleContext;

Span AstBuilder::SpanOf(antlr4::Token* tok) const {
  Span s;
  s.file = &file_;
  s.line = static_cast<int>(tok->getLine());
  s.col = static_cast<int>(tok->getCharPositionInLine());
  s.end_line = s.line;
  s.end_col = s.col + static_cast<int>(tok->getStopIndex() - tok->getStartIndex() + 1);
  return s;
}

Span AstBuilder::SpanOf(antlr4::tree::TerminalNode* node) const {
  return SpanOf(node->getSymbol());
}

Span AstBuilder::SpanOf(ParserRuleContext* ctx) const {
  Span s = SpanOf(ctx->getStart());
  antlr4::Token* stop = ctx->getStop();
  if (stop && stop->getTokenIndex() >= ctx->getStart()->getTokenIndex()) {
    Span e = SpanOf(stop);
    s.end_line = e.end_line;
    s.end_col = e.end_col;
  }
  return s;
}

std::string AstBuilder::Unquote(const std::string& q) {
  std::string out;
  for (size_t i = 1; i + 1 < q.size(); ++i) {
    if (q[i] == '\\' && i + 2 < q.size()) {
      char c = q[++i];
      out.push_back(c == 'n' ? '\n' : (c == 't' ? '\t' : c));
    } else {
      out.push_back(q[i]);
    }
  }
  return out;
}

int AstBuilder::Date(antlr4::tree::TerminalNode* node) {
  auto d = ParseDate(node->getText());
  if (!d) {
    diags_.Error("E0003", SpanOf(node), "invalid date '" + node->getText() + "'",
                 DateOutOfRange(node->getText()) ? "edict handles dates from 1900-01-01 to 2199-12-31"
                                                 : "dates are YYYY-MM-DD with a real month and day");
    return 0;
  }
  return *d;
}

namespace {

ast::ExprPtr Make(ast::ExprKind kind, Span span) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = kind;
  e->span = span;
  return e;
}

}  // namespace

ast::ExprPtr AstBuilder::NameExpr(const std::string& name, Span span) {
  auto e = Make(ast::ExprKind::kName, span);
  e->text = name;
  return e;
}

ast::ExprPtr AstBuilder::BuildExpr(EdictParser::ExprContext* ctx) {
  using K = ast::ExprKind;
  Span span = SpanOf(ctx);
  auto binary = [&](ast::BinOp op, EdictParser::ExprContext* l, EdictParser::ExprContext* r) {
    auto e = Make(K::kBinary, span);
    e->op = op;
    e->args.push_back(BuildExpr(l));
    e->args.push_back(BuildExpr(r));
    return e;
  };
  auto unary = [&](K kind, EdictParser::ExprContext* inner) {
    auto e = Make(kind, span);
    e->args.push_back(BuildExpr(inner));
    return e;
  };
  if (auto* c = dynamic_cast<EdictParser::ParenExprContext*>(ctx)) return BuildExpr(c->expr());
  if (auto* c = dynamic_cast<EdictParser::IfExprContext*>(ctx)) {
    auto e = Make(K::kIf, span);
    for (auto* x : c->expr()) e->args.push_back(BuildExpr(x));
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::FieldExprContext*>(ctx)) {
    // The whole `item.tpp`: explanations quote conditions by their spans.
    auto e = unary(K::kField, c->expr());
    e->text = c->name()->getText();
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::CallExprContext*>(ctx)) {
    auto e = Make(K::kCall, span);
    e->text = c->name()->getText();
    for (auto* x : c->expr()) e->args.push_back(BuildExpr(x));
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::FitsExprContext*>(ctx)) {
    auto e = Make(K::kFits, span);
    e->text = c->name()->getText();
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::YearOfExprContext*>(ctx)) return unary(K::kYearOf, c->expr());
  if (auto* c = dynamic_cast<EdictParser::KnownExprContext*>(ctx)) return unary(K::kIsKnown, c->expr());
  if (auto* c = dynamic_cast<EdictParser::OtherwiseExprContext*>(ctx)) {
    auto e = Make(K::kOtherwise, span);
    for (auto* x : c->expr()) e->args.push_back(BuildExpr(x));
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::NegExprContext*>(ctx)) return unary(K::kNeg, c->expr());
  if (auto* c = dynamic_cast<EdictParser::NotExprContext*>(ctx)) return unary(K::kNot, c->expr());
  if (auto* c = dynamic_cast<EdictParser::MulExprContext*>(ctx))
    return binary(c->op->getText() == "*" ? ast::BinOp::kMul : ast::BinOp::kDiv, c->expr(0), c->expr(1));
  if (auto* c = dynamic_cast<EdictParser::AddExprContext*>(ctx))
    return binary(c->op->getText() == "+" ? ast::BinOp::kAdd : ast::BinOp::kSub, c->expr(0), c->expr(1));
  if (auto* c = dynamic_cast<EdictParser::CompareExprContext*>(ctx)) {
    std::string op = c->op->getText();
    ast::BinOp b = op == "<"    ? ast::BinOp::kLt
                   : op == "<=" ? ast::BinOp::kLe
                   : op == ">"  ? ast::BinOp::kGt
                                : ast::BinOp::kGe;
    return binary(b, c->expr(0), c->expr(1));
  }
  if (auto* c = dynamic_cast<EdictParser::EqualExprContext*>(ctx))
    return binary(c->op->getText() == "=" ? ast::BinOp::kEq : ast::BinOp::kNe, c->expr(0), c->expr(1));
  if (auto* c = dynamic_cast<EdictParser::IsExprContext*>(ctx))
    return binary(ast::BinOp::kEq, c->expr(0), c->expr(1));
  if (auto* c = dynamic_cast<EdictParser::IsNotExprContext*>(ctx))
    return binary(ast::BinOp::kNe, c->expr(0), c->expr(1));
  if (auto* c = dynamic_cast<EdictParser::InExprContext*>(ctx))
    return binary(ast::BinOp::kIn, c->expr(0), c->expr(1));
  if (auto* c = dynamic_cast<EdictParser::NotInExprContext*>(ctx))
    return binary(ast::BinOp::kNotIn, c->expr(0), c->expr(1));
  if (auto* c = dynamic_cast<EdictParser::AndExprContext*>(ctx))
    return binary(ast::BinOp::kAnd, c->expr(0), c->expr(1));
  if (auto* c = dynamic_cast<EdictParser::OrExprContext*>(ctx))
    return binary(ast::BinOp::kOr, c->expr(0), c->expr(1));
  if (auto* c = dynamic_cast<EdictParser::NumberExprContext*>(ctx)) {
    auto e = Make(K::kNumber, span);
    e->text = c->NUMBER()->getText();
    if (c->unit())
      for (auto* n : c->unit()->name()) e->unit.names.push_back(n->getText());
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::StringExprContext*>(ctx)) {
    auto e = Make(K::kString, span);
    e->text = Unquote(c->STRING()->getText());
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::DateExprContext*>(ctx)) {
    auto e = Make(K::kDate, span);
    e->text = c->DATE()->getText();
    e->date_days = Date(c->DATE());
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::BoolExprContext*>(ctx)) {
    auto e = Make(K::kBool, span);
    e->bool_value = c->getText() == "true";
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::SetExprContext*>(ctx)) {
    auto e = Make(K::kSet, span);
    for (auto* x : c->expr()) e->args.push_back(BuildExpr(x));
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::EccnExprContext*>(ctx)) {
    auto e = Make(K::kEccn, span);
    e->text = c->ECCN()->getText();
    return e;
  }
  if (auto* c = dynamic_cast<EdictParser::NameExprContext*>(ctx)) return NameExpr(c->name()->getText(), span);
  // Only reachable after a syntax error: ANTLR leaves an incomplete context behind.
  return NameExpr("<error>", span);
}

std::unique_ptr<ast::TypeExpr> AstBuilder::BuildType(EdictParser::TypeContext* ctx) {
  auto t = std::make_unique<ast::TypeExpr>();
  t->span = SpanOf(ctx);
  if (auto* c = dynamic_cast<EdictParser::SetTypeContext*>(ctx)) {
    t->kind = ast::TypeExpr::kSet;
    t->inner = BuildType(c->type());
  } else if (auto* c = dynamic_cast<EdictParser::OptionalTypeContext*>(ctx)) {
    t->kind = ast::TypeExpr::kOptional;
    t->inner = BuildType(c->type());
  } else if (auto* c = dynamic_cast<EdictParser::NamedTypeContext*>(ctx)) {
    for (auto* n : c->name()) t->names.names.push_back(n->getText());
  }
  return t;
}

ast::Outcome AstBuilder::BuildOutcome(EdictParser::OutcomeContext* ctx) {
  ast::Outcome o;
  o.span = SpanOf(ctx);
  if (auto* c = dynamic_cast<EdictParser::ExceptionOutcomeContext*>(ctx)) {
    o.kind = ast::Outcome::kLicenseException;
    auto exprs = c->expr();
    if (!exprs.empty()) o.symbol = BuildExpr(exprs[0]);
    if (exprs.size() > 1) o.notify = BuildExpr(exprs[1]);
  } else if (auto* c = dynamic_cast<EdictParser::LicenseOutcomeContext*>(ctx)) {
    o.kind = ast::Outcome::kLicenseRequired;
    if (c->expr()) o.review = BuildExpr(c->expr());
  } else if (dynamic_cast<EdictParser::ProhibitedOutcomeContext*>(ctx)) {
    o.kind = ast::Outcome::kProhibited;
  } else {
    o.kind = ast::Outcome::kNoLicenseRequired;
  }
  return o;
}

}  // namespace edict::frontend
