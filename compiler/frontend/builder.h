// Internal to the front end: turns ANTLR parse-tree contexts into AST nodes. Split by grammar area like
// Kuzu's transform_*.cpp: build_decls.cc (declarations, rules, tests) and build_exprs.cc (expressions,
// types).
#pragma once

#include "EdictParser.h"
#include "compiler/ast/ast.h"

namespace edict::frontend {

class AstBuilder {
 public:
  AstBuilder(const SourceFile& file, DiagnosticList& diags) : file_(file), diags_(diags) {}

  void BuildFile(EdictParser::File_Context* ctx, ast::Module& module);

  // Expressions and types (build_exprs.cc).
  ast::ExprPtr BuildExpr(EdictParser::ExprContext* ctx);
  std::unique_ptr<ast::TypeExpr> BuildType(EdictParser::TypeContext* ctx);
  ast::Outcome BuildOutcome(EdictParser::OutcomeContext* ctx);

  Span SpanOf(antlr4::ParserRuleContext* ctx) const;
  Span SpanOf(antlr4::tree::TerminalNode* node) const;
  Span SpanOf(antlr4::Token* token) const;
  static std::string Unquote(const std::string& quoted);
  int Date(antlr4::tree::TerminalNode* node);

 private:
  std::unique_ptr<ast::Decl> BuildDecl(EdictParser::DeclContext* ctx, ast::Module& module);
  void BuildHeader(EdictParser::HeaderContext* ctx, ast::Module& module);
  void BuildRuleClauses(const std::vector<EdictParser::RuleClauseContext*>& clauses, ast::RuleDecl& rule);
  ast::FieldDecl BuildField(EdictParser::FieldDeclContext* ctx);
  ast::TestStep BuildStep(EdictParser::TestStepContext* ctx);
  ast::ShipmentLiteral BuildShipment(EdictParser::ShipmentContext* ctx);
  std::string Doc(const std::vector<antlr4::tree::TerminalNode*>& docs);
  ast::ExprPtr NameExpr(const std::string& name, Span span);

  const SourceFile& file_;
  DiagnosticList& diags_;
};

}  // namespace edict::frontend
