// The reference evaluator of IR expressions. Errors (overflow, division by zero) become an EvalError carrying
// the source span of the failing expression; they are caught inside runtime/interp and turned into error
// decisions.
#pragma once

#include <deque>
#include <string>

#include "compiler/ir/ir.h"
#include "runtime/ledger/ledger.h"

namespace edict::interp {

struct EvalError {
  std::string message;
  Span span;
};

struct EvalContext {
  const ir::Program* program = nullptr;
  const Value* fields = nullptr;  // one slot per schema field; null while folding constants
  const Ledger* ledger = nullptr;
  int date = 0;                           // the evaluation date (shipment date or --as-of)
  std::deque<BitSet>* scratch = nullptr;  // sets built at run time
  int8_t* fits_memo =
      nullptr;  // per quota: -1 not yet known, else `fits` for this shipment (fixed while deciding)
};

Value Eval(const ir::Expr& e, EvalContext& ctx);  // throws EvalError
// Eval(e).b for a boolean expression, without building Values for the logic and membership tests on the way.
bool EvalBool(const ir::Expr& e, EvalContext& ctx);

// The ledger key of a quota for this shipment, or "" when the shipment is outside the quota's window.
std::string QuotaKey(const ir::Quota& q, EvalContext& ctx);
// A readable form of the key values, e.g. "consignee=Indus Compute, year=2025".
std::string QuotaKeyText(const ir::Quota& q, EvalContext& ctx);

// Formats a value for people: numbers exact, enums by member name, dates ISO.
std::string FormatValue(const ir::Program& p, const Value& v, const TypeRef& type);

}  // namespace edict::interp
