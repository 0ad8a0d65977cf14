// Internal to sema: the checker's state, split across scope.cc (names and types), check_exprs.cc and
// check_decls.cc.
#pragma once

#include <functional>
#include <map>
#include <set>

#include "compiler/sema/check.h"
#include "runtime/rational.h"

namespace edict::sema {

// Which kinds of declaration a name may denote where it is used.
enum NameSpace : unsigned {
  kValues = 1,  // const, set, schema
  kTypes = 2,   // enum, table, record, schema
  kFunctions = 4,
  kQuotas = 8,
  kUnits = 16,
};

struct Env {
  const ast::Module* module = nullptr;
  bool shipment = false;                        // schema fields and `fits` are in scope
  const ast::FunctionDecl* function = nullptr;  // parameters are in scope
  bool coerce_literals = false;                 // test shipments: `1699` takes the field's unit
  std::vector<int>* field_reads = nullptr;      // schema fields read (for ordering defaults)
  const char* what = "";                        // "a constant", ... for messages
};

class Checker {
 public:
  Checker(LoadedProgram& program, DiagnosticList& diags, CheckedProgram* out)
      : program_(program), diags_(diags), out_(out) {}
  bool Run();

  // scope.cc
  void IndexDeclarations();
  const ast::Decl* Lookup(const ast::Module* m, const std::string& name, unsigned spaces, Span span,
                          bool report);
  TypeRef ResolveType(const ast::TypeExpr& t, const ast::Module* m);
  std::optional<Dims> ResolveUnits(const ast::UnitText& u, const ast::Module* m, Span span);
  int MemberIndex(const ast::Decl* enum_decl, const std::string& name) const;
  bool IsCountUnit(const std::string& name) const;
  std::string Suggest(const std::string& name, const std::vector<std::string>& candidates) const;

  // check_exprs.cc
  TypeRef CheckExpr(ast::Expr& e, const Env& env, const TypeRef& expected = nullptr);
  TypeRef CheckEnumLiteral(ast::Expr& e, const Env& env, const TypeRef& expected);
  void ExpectType(ast::Expr& e, const Env& env, const TypeRef& want, const char* what);
  void CheckOutcome(ast::Outcome& o, const Env& env);

  // check_decls.cc
  void CheckDecl(ast::Decl* d);
  void CheckSchema(ast::Decl* d);
  void CheckTable(ast::Decl* d);
  void CheckRuleDecl(ast::Decl* d);
  void CheckTest(ast::Decl* d);
  void CheckQuota(ast::Decl* d);

  LoadedProgram& program_;
  DiagnosticList& diags_;
  CheckedProgram* out_;

  std::map<const ast::Module*, std::multimap<std::string, ast::Decl*>> own_;
  std::map<const ast::Decl*, std::map<std::string, int>> members_;  // enum/table -> member -> index
  std::map<std::string, const ast::Decl*> units_;
  enum class State { kUnchecked, kChecking, kDone };
  std::map<const ast::Decl*, State> state_;
  std::vector<const ast::Decl*> function_order_;
};

}  // namespace edict::sema
