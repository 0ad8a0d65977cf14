// The edict abstract syntax tree: what the front end builds from a parse tree and the checker annotates.
// It knows nothing of ANTLR. Checker annotations (type, resolved names) live in `Expr::sema`.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "compiler/ast/kinds.h"
#include "compiler/diag/diagnostics.h"
#include "compiler/sema/types.h"

namespace edict::ast {

struct Decl;
struct Module;

enum class ExprKind {
  kNumber,
  kString,
  kDate,
  kBool,
  kSet,
  kEccn,
  kName,
  kField,
  kCall,
  kFits,
  kYearOf,
  kIsKnown,
  kOtherwise,
  kNeg,
  kNot,
  kBinary,
  kIf,
};

enum class BinOp { kMul, kDiv, kAdd, kSub, kLt, kLe, kGt, kGe, kEq, kNe, kIn, kNotIn, kAnd, kOr };
const char* BinOpText(BinOp op);

// A unit written after a number or in a type: `tpp`, `tpp/mm2`. The first name is the numerator.
struct UnitText {
  std::vector<std::string> names;
  bool empty() const { return names.empty(); }
};

// What a name in an expression turned out to be (set by the checker).
enum class RefKind { kNone, kConst, kSet, kField, kParam, kEnumMember, kSchema, kModule };

struct ExprSema {
  TypeRef type;
  RefKind ref = RefKind::kNone;
  const Decl* decl = nullptr;  // const/set/function/quota/schema/record/table decl, as applicable
  int index = -1;              // field index, parameter index, or enum member index
};

struct Expr {
  ExprKind kind;
  Span span;
  std::string text;  // name, field name, literal text (number digits, string contents, date, ECCN)
  UnitText unit;     // numbers
  BinOp op = BinOp::kAdd;
  bool bool_value = false;
  int date_days = 0;  // dates: days since 1970-01-01
  std::vector<std::unique_ptr<Expr>> args;
  ExprSema sema;
};
using ExprPtr = std::unique_ptr<Expr>;

struct TypeExpr {
  enum Kind { kNamed, kSet, kOptional } kind = kNamed;
  UnitText names;  // kNamed: a type name, or a unit expression for quantities
  std::unique_ptr<TypeExpr> inner;
  Span span;
};

struct Outcome {
  using Kind = OutcomeKind;
  using enum OutcomeKind;
  Kind kind = kNoLicenseRequired;
  ExprPtr symbol;  // license_exception
  ExprPtr notify;  // license_exception, optional
  ExprPtr review;  // license_required
  Span span;
};

struct UnitDecl {
  bool count = false;
  std::string description;
};
struct ConstDecl {
  std::unique_ptr<TypeExpr> type;  // optional annotation
  ExprPtr value;
};
struct EnumMember {
  std::string name;
  std::string description;
  Span span;
};
struct EnumDecl {
  std::vector<EnumMember> members;
};
struct FieldDecl {
  enum Kind { kPlain, kDerived, kOptional } kind = kPlain;
  std::string name;
  std::string doc;
  std::unique_ptr<TypeExpr> type;
  ExprPtr value;  // default (plain) or formula (derived)
  Span span;
  TypeRef sema_type;  // set by the checker (without the optional wrapper)
};
struct RecordDecl {  // records and the query schema
  std::vector<FieldDecl> fields;
};
struct TableRow {
  std::string key;
  Span span;
  std::vector<std::pair<std::string, ExprPtr>> fields;
  std::vector<Span> field_spans;
};
struct TableDecl {
  std::string record;
  Span record_span;
  std::vector<TableRow> rows;
};
struct Param {
  std::string name;
  std::unique_ptr<TypeExpr> type;
  Span span;
};
struct FunctionDecl {
  std::vector<Param> params;
  std::unique_ptr<TypeExpr> result;
  ExprPtr body;
};
struct QuotaDecl {
  ExprPtr limit, measure;
  std::vector<ExprPtr> keys;
  bool calendar_year = false;
  bool window = false;
  int window_from = 0, window_to = 0;  // days
  std::string cite;
};
struct RuleDecl {      // rules and exceptions
  std::string target;  // exceptions: the rule overridden; rules: the rule replaced (may be empty)
  Span target_span;
  std::string cite, reason;
  bool has_from = false, has_until = false;
  int from = 0, until = 0;  // in-force days, inclusive
  bool has_compliance = false;
  int compliance = 0;  // the compliance date: in force but not binding before it
  Span compliance_span;
  ExprPtr when;
  Outcome outcome;
  bool has_outcome = false;
  std::vector<std::pair<std::string, Span>> consumes;
};
struct WithdrawDecl {
  bool whole_policy = false;
  std::vector<std::pair<std::string, Span>> names;  // rule names, or the one policy name
  bool has_from = false;
  int from = 0;
  std::string cite;
};
struct TimelineEntry {
  int from = 0;
  std::string path;
  Span span;
};
struct TimelineDecl {
  std::vector<TimelineEntry> entries;
};

// A shipment written in a test: `1699 nvidia-h100-sxm to IN consignee "X" on 2025-06-02 ...`.
struct ShipmentLiteral {
  std::string quantity;
  std::string item;
  Span span, item_span;
  // (field name, value expression): options are desugared to schema fields by the front end.
  std::vector<std::pair<std::string, ExprPtr>> fields;
};
struct TestStep {
  using Kind = TestStepKind;
  using enum TestStepKind;
  Kind kind = kShip;
  Span span;
  ShipmentLiteral shipment;
  int as_of = 0;
  bool expect_error = false;
  std::string error_text;
  Outcome outcome;
  bool has_by = false;
  std::vector<std::pair<std::string, Span>> by;
  std::string under, pending;  // `under POLICY`, `pending POLICY` ("" when not written)
  ExprPtr assertion;           // kAssert
};
struct TestDecl {
  std::vector<TestStep> steps;
};

enum class DeclKind {
  kUnit,
  kConst,
  kEnum,
  kSet,
  kRecord,
  kTable,
  kFunction,
  kSchema,
  kQuota,
  kRule,
  kException,
  kWithdraw,
  kTimeline,
  kTest,
};

struct Decl {
  DeclKind kind;
  std::string name;  // tests: the test's title
  std::string doc;
  Span span;  // the name
  Module* module = nullptr;
  std::variant<UnitDecl, ConstDecl, EnumDecl, RecordDecl, TableDecl, FunctionDecl, QuotaDecl, RuleDecl,
               WithdrawDecl, TimelineDecl, TestDecl>
      body;
  // Checker annotations.
  TypeRef type;         // consts, sets, functions (result), enums/tables (the enum type), records/schemas
  int sema_index = -1;  // position in the checker's tables (enums, tables, quotas)

  template <class T>
  T& as() {
    return std::get<T>(body);
  }
  template <class T>
  const T& as() const {
    return std::get<T>(body);
  }
};

struct PolicyHeader {
  std::string title, version, source, summary;
  bool has_from = false, has_until = false, has_compliance = false;
  int from = 0, until = 0, compliance = 0;
};

struct Import {
  bool policy = false;
  std::string target;  // module name (ear.groups) or policy path
  std::string alias;
  Span span;
  Module* resolved = nullptr;
};

struct Module {
  std::string name;  // module name, or the policy file's stem
  const SourceFile* file = nullptr;
  bool is_policy = false;
  bool is_builtin = false;
  PolicyHeader header;
  std::vector<Import> imports;
  std::vector<std::unique_ptr<Decl>> decls;
};

}  // namespace edict::ast
