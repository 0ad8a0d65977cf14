// The contract between compiled code and the C++ around it (no LLVM types).
//
// Record layout: compiled functions read and write the record in place, as the array of edict::Value that
// interp::Record holds (one slot per schema field, in schema order), so no copy is made per shipment. Within
// a slot they use only these parts, at the byte offsets in ValueLayout:
//   kind  u8   ValueKind (0 = absent: an optional field not given)
//   b     u8   bool
//   i     i32  date (days since 1970-01-01) or enum member (countries, catalog ids, ECCNs, enums: small ints)
//   num   i128 and den i128: an exact rational, den > 0, reduced; integers have den == 1
// Texts and sets are never read by compiled code: an expression over them is handed to the interpreter's
// evaluator through edict_jit_eval (see Fallback in codegen.cc). Constant sets become constant bit arrays in
// the module (membership is a bit test); table columns become constant arrays indexed by the row key.
//
// Compiled functions: int32_t fn(Value* fields, RuntimeContext* ctx)
//   p<N>_fields     fills defaults and derived fields in dependency order; 0, or -1 on error
//   p<N>_when_<R>   rule R's condition: 1 true, 0 false, -1 error
//   p<N>_notify_<R> rule R's `notify` expression: same
// where N is the program (0: the policy; 1...: a timeline's policies, pre-order). On error the function
// stores an error site index (ErrorSite table, built by the code generator) in ctx->error_site, or -2 when a
// helper stored the message and span in the context itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"
#include "runtime/ledger/ledger.h"

namespace edict::jit {

struct ValueLayout {
  size_t size, align, kind, b, i, num, den;
};
ValueLayout HostValueLayout();

struct ErrorSite {
  std::string message;
  Span span;
};

// Everything the code generator decided that the C++ side needs to call the code: per program, the names of
// its functions; the error sites; the expressions compiled as calls into the interpreter's evaluator.
struct ProgramPlan {
  const ir::Program* program = nullptr;
  std::string fields_fn;
  std::vector<std::string> when_fns, notify_fns;  // per rule; "" when the rule has none
};
struct Plan {
  std::vector<ProgramPlan> programs;
  std::vector<ErrorSite> sites;
  std::vector<const ir::Expr*> fallbacks;
  int native_exprs = 0;
};

// Per decision; compiled code writes only error_site (at offset 0).
struct RuntimeContext {
  int32_t error_site = -1;
  int date = 0;
  const ir::Program* program = nullptr;
  interp::Record* record = nullptr;
  Ledger* ledger = nullptr;
  const Plan* plan = nullptr;
  std::unique_ptr<std::deque<BitSet>> scratch;  // sets built at run time, allocated on first use
  std::deque<BitSet>* Scratch() {
    if (!scratch) scratch = std::make_unique<std::deque<BitSet>>();
    return scratch.get();
  }
  std::string message;  // error_site == -2
  Span span;
};

using CompiledFn = int32_t (*)(Value* fields, RuntimeContext* ctx);

// The C ABI helpers compiled code calls (helpers.cc); the engine binds them by these names.
struct HelperSymbol {
  const char* name;
  void* address;
};
std::vector<HelperSymbol> HelperSymbols();

}  // namespace edict::jit
