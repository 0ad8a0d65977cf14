// The decision IR: the one program every engine runs. Lowered from the checked AST (lower.cc): names resolved
// to slots, functions inlined, constants folded, rules linked to their exceptions, ids qualified by policy.
// The interpreter walks it; the JIT and the symbolic diff compile it. A rule id here is the id in every
// engine's output.
#pragma once

#include <climits>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/kinds.h"
#include "compiler/diag/diagnostics.h"
#include "compiler/sema/types.h"
#include "runtime/value.h"

namespace edict::ir {

enum class Op : uint8_t {
  kConst,     // constant
  kField,     // shipment field `index`
  kRowField,  // args[0] is a key of table `table`; read field `index` of its row
  kNot,
  kAnd,
  kOr,
  kIf,
  kNeg,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kIn,
  kNotIn,
  kUnion,
  kDifference,
  kYearOf,
  kIsKnown,
  kOtherwise,
  kFits,  // quota `index` has room for this shipment
  // args[1], whose only input is the enum field args[0], precomputed per member: column `index` of the
  // program's `columns`, indexed by args[0]'s member (tabulate.cc). args[1] is kept for explanations, the
  // symbolic diff, and a member outside the column.
  kTabulated,
};

struct Expr {
  Op op = Op::kConst;
  ValueKind kind = ValueKind::kAbsent;  // the kind of value it yields
  bool checked_int = false;             // int-typed arithmetic: overflow beyond 64 bits is an error
  int index = -1;
  int table = -1;
  Value constant;
  std::vector<const Expr*> args;
  Span span;
};

struct Enum {
  std::string name;
  std::vector<std::string> members;
  std::vector<std::string> descriptions;
  bool is_table = false;
};

struct Table {
  std::string name;
  int enum_index = -1;
  std::vector<std::string> fields;
  std::vector<std::vector<Value>> rows;  // rows[member][field]; absent optional fields are kAbsent
};

struct Field {
  enum Kind { kInput, kOptional, kDerived } kind = kInput;
  std::string name;
  std::string doc;
  TypeRef type;                 // the declared type (not optional-wrapped)
  int enum_index = -1;          // for enum-typed fields
  bool count = false;           // a count unit: input must be a whole number >= 1
  const Expr* value = nullptr;  // default (input fields) or formula (derived); null when required
};

struct OutcomeIR {
  using Kind = OutcomeKind;
  using enum OutcomeKind;
  Kind kind = kNoLicenseRequired;
  int symbol = -1;               // member of the exception_symbol enum
  const Expr* notify = nullptr;  // null: false
  int review = -1;               // member of the review_policy enum
};

struct Quota {
  std::string id;  // qualified unless the root policy's own: ai_diffusion_2025.lpp
  // The ledger entry's name: always qualified by the declaring policy, so every program that imports the
  // quota (each policy of a timeline, say) reads and adds to the same entries.
  std::string ledger_id;
  std::string name, doc, cite;
  Rational limit;
  std::string unit;  // for display: "tpp"
  const Expr* measure = nullptr;
  std::vector<const Expr*> keys;
  std::vector<std::string> key_texts;
  bool calendar_year = false;
  bool window = false;
  int window_from = 0, window_to = 0;
  Span span;
};

struct Rule {
  std::string id;  // qualified by policy unless it is the root policy's own
  std::string name;
  std::string policy;  // the policy (file stem) that declared it
  bool exception = false;
  int target = -1;              // exceptions: the rule or exception overridden
  std::vector<int> exceptions;  // exceptions that override this one
  std::string doc, cite;
  int from = INT_MIN, until = INT_MAX;  // binding, inclusive: what every engine decides by
  // A rule with a compliance date is in force from `in_force_from` but binds only from its compliance date,
  // `from` (docs/language.md, "Effective and compliance dates"); between the two a decision names it as
  // pending.
  bool has_compliance = false;
  int in_force_from = INT_MIN;
  const Expr* when = nullptr;
  std::vector<std::pair<std::string, const Expr*>> conditions;  // the top-level `and` parts, for explanations
  OutcomeIR outcome;
  std::vector<int> consumes;
  Span span;
  bool withdrawn = false;  // removed entirely by a later policy
};

struct TestStep {
  using Kind = TestStepKind;
  using enum TestStepKind;
  Kind kind = kShip;
  Span span;
  std::vector<std::pair<int, Value>> fields;  // (field index, value) as written
  int as_of = 0;
  bool expect_error = false;
  std::string error_text;
  OutcomeIR outcome;
  bool notify = false;
  bool has_by = false;
  std::vector<std::string> by;  // rule ids; in a timeline's tests, ids in the policy in force
  // The policy expected to decide, and the policy expected to be in force but not yet binding
  // (interp::CompliancePending); "" when the test does not say.
  std::string under, pending;
  // kAssert: the condition (folded to a constant when lowered), its text as written, and for a comparison its
  // two operands and their type, so a failure can say how they differ.
  const Expr* assertion = nullptr;
  std::string assertion_text;
  const Expr* left = nullptr;
  const Expr* right = nullptr;
  TypeRef operand_type;
};

struct Test {
  std::string name;
  Span span;
  std::vector<TestStep> steps;
};

struct Program;

// A constant or set declared by the root policy, folded (the REPL evaluates typed expressions through these).
struct NamedConstant {
  std::string name;
  TypeRef type;
  const Expr* value = nullptr;
};

struct TimelineEntry {
  int from = 0;
  std::string path;
  std::shared_ptr<const Program> program;
  // How a record of the timeline's schema becomes one of `program`'s: for each of its fields, the timeline's
  // field index (-1: none) and, for enum fields, the member index in `program` for each timeline member (-1:
  // none).
  std::vector<int> field_map;
  std::vector<std::vector<int>> member_map;
};

struct Program {
  // Header.
  std::string name;  // file stem
  std::string title, version, source, summary;
  int from = INT_MIN, until = INT_MAX, compliance = INT_MIN;
  bool has_compliance = false;
  std::string path;
  // SHA-256 (hex) of the sources it was compiled from: every module's name and text, dependencies first (the
  // policy, its imports, the stdlib), and the hashes of a timeline's policies. Set by the driver; decisions
  // and ledger entries name it (docs/ledger.md, "Provenance").
  std::string content_hash;

  std::vector<Field> fields;
  std::vector<int> field_order;  // defaults and formulas in dependency order
  int id_field = -1, date_field = -1;
  std::vector<Enum> enums;
  std::vector<Table> tables;  // by enum index of the table; -1 when the enum is not a table
  std::vector<int> table_of_enum;
  std::vector<Quota> quotas;
  std::vector<Rule> rules;
  // The in-force and compliance dates of rules that have a compliance date, sorted: between two neighbours
  // the same rules are pending (interp::PendingRules). Empty in most programs.
  std::vector<int> rule_compliance_edges;
  std::vector<int> roots;  // rules that are not exceptions, in declaration order
  std::vector<Test> tests;
  std::vector<NamedConstant> constants;  // the root policy's, in declaration order
  std::vector<TimelineEntry> timeline;
  int symbol_enum = -1, review_enum = -1;

  // Storage for expressions, constant sets and texts referenced by pointer.
  std::deque<Expr> exprs;
  std::deque<BitSet> sets;
  std::deque<std::string> strings;
  std::deque<std::vector<Value>> columns;  // kTabulated: one value per enum member
  // Keeps the sources and the AST (spans and types point into them) alive as long as the program.
  std::shared_ptr<const void> owner;

  int FieldIndex(const std::string& name) const;
  int RuleIndex(const std::string& id) const;
  // Severity rank of an outcome: NLR < exception < license(review in enum order) < prohibited.
  int Severity(const OutcomeIR& o) const;
};

}  // namespace edict::ir
