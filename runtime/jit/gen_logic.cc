// `and` and `or` as short-circuit branches. A chain of them (a and b and c ...) is one sequence of tests;
// within it, a run of terms that cannot fail and change nothing (comparisons and memberships of fields and
// constants, and their combinations: Pure below) may be tested in any order with the same result, so the
// term most likely to decide the chain is tested first (`destination is RU` before `on_ccl(ccl_eccn)`). A
// term that can fail or has an effect (`fits`, arithmetic) keeps its place, and so does every term relative
// to it: the interpreter's errors and quota lookups happen exactly where they happen in the source order.
#include <algorithm>

#include "runtime/jit/generator.h"

namespace edict::jit {

using ir::Op;

namespace {

// The terms of a chain of `op`, left to right.
void Flatten(const ir::Expr& e, Op op, std::vector<const ir::Expr*>* terms) {
  if (e.op != op) {
    terms->push_back(&e);
    return;
  }
  Flatten(*e.args[0], op, terms);
  Flatten(*e.args[1], op, terms);
}

// A set known at compile time (InSet tests it without evaluating anything); its size, or -1.
int ConstSetSize(const ir::Expr& s) {
  switch (s.op) {
    case Op::kConst:
      return s.constant.kind == ValueKind::kSet && s.constant.set ? s.constant.set->Count() : -1;
    case Op::kUnion: {
      int a = ConstSetSize(*s.args[0]), b = ConstSetSize(*s.args[1]);
      return a < 0 || b < 0 ? -1 : a + b;
    }
    case Op::kDifference: {
      int b = ConstSetSize(*s.args[1]);
      return b < 0 ? -1 : ConstSetSize(*s.args[0]);
    }
    default:
      return -1;
  }
}

}  // namespace

bool Generator::Pure(const ir::Expr& e) const {
  switch (e.op) {
    case Op::kConst:
      return e.constant.kind != ValueKind::kSet;
    case Op::kField:  // every field is loaded or computed before the rules (Fields)
      return true;
    case Op::kRowField:
      return KeyChecked(*e.args[0], p_->tables[e.table].rows.size()) && Pure(*e.args[0]);
    case Op::kTabulated:
      return KeyChecked(*e.args[0], p_->columns[e.index].size()) && Pure(*e.args[0]);
    case Op::kNot:
    case Op::kIsKnown:
      return Pure(*e.args[0]);
    case Op::kAnd:
    case Op::kOr:
      return Pure(*e.args[0]) && Pure(*e.args[1]);
    case Op::kEq:
    case Op::kNe:
      return Loadable(e.args[0]->kind) && e.args[0]->kind == e.args[1]->kind && Pure(*e.args[0]) &&
             Pure(*e.args[1]);
    case Op::kIn:
    case Op::kNotIn:
      return Pure(*e.args[0]) && ConstSetSize(*e.args[1]) >= 0;
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:  // dates: integer compares (numbers may call the exact comparison)
      return e.args[0]->kind == ValueKind::kDate && e.args[1]->kind == ValueKind::kDate && Pure(*e.args[0]) &&
             Pure(*e.args[1]);
    default:
      return false;
  }
}

// How likely `e` is to hold, as a rough static guess: a member of an enum of n is 1/n likely to be a given
// one; a set of k of them, k/n; anything else unknown, one half.
double Generator::Likelihood(const ir::Expr& e) const {
  auto members = [&](const ir::Expr& x) -> int {
    if (x.kind != ValueKind::kEnum || x.op != Op::kField) return -1;
    int en = p_->fields[x.index].enum_index;
    return en >= 0 ? static_cast<int>(p_->enums[en].members.size()) : -1;
  };
  switch (e.op) {
    case Op::kConst:
      return e.constant.kind == ValueKind::kBool ? (e.constant.b ? 1.0 : 0.0) : 0.5;
    case Op::kNot:
      return 1 - Likelihood(*e.args[0]);
    case Op::kAnd:
      return Likelihood(*e.args[0]) * Likelihood(*e.args[1]);
    case Op::kOr:
      return 1 - (1 - Likelihood(*e.args[0])) * (1 - Likelihood(*e.args[1]));
    case Op::kEq:
    case Op::kNe: {
      double p = 0.1;
      int n = std::max(members(*e.args[0]), members(*e.args[1]));
      if (n > 0 && (e.args[0]->op == Op::kConst || e.args[1]->op == Op::kConst)) p = 1.0 / n;
      return e.op == Op::kEq ? p : 1 - p;
    }
    case Op::kIn:
    case Op::kNotIn: {
      double p = 0.3;
      int n = members(*e.args[0]), k = ConstSetSize(*e.args[1]);
      if (n > 0 && k >= 0) p = std::min(1.0, static_cast<double>(k) / n);
      return e.op == Op::kIn ? p : 1 - p;
    }
    default:
      return 0.5;
  }
}

// A term this unlikely to let the chain go on is tested first.
constexpr double kRare = 1.0 / 32;

CV Generator::Logic(const ir::Expr& e) {
  const bool is_and = e.op == Op::kAnd;
  std::vector<const ir::Expr*> terms;
  Flatten(e, e.op, &terms);
  // In each run of pure terms, a term that almost always ends the chain (false for `and`, true for `or`:
  // a test for one member of a large enum) moves to the front; the others keep the order the author wrote,
  // which the data may well follow (ordering every term by these guesses made the shipped policies slower).
  for (size_t b = 0; b < terms.size();) {
    size_t end = b;
    while (end < terms.size() && Pure(*terms[end])) ++end;
    if (end - b > 1)
      std::stable_partition(
          terms.begin() + static_cast<long>(b), terms.begin() + static_cast<long>(end),
          [&](const ir::Expr* t) { return (is_and ? Likelihood(*t) : 1 - Likelihood(*t)) < kRare; });
    b = std::max(end, b + 1);
  }
  llvm::BasicBlock* done = Block("logic");
  std::vector<std::pair<llvm::Value*, llvm::BasicBlock*>> incoming;
  for (size_t k = 0; k + 1 < terms.size(); ++k) {
    llvm::Value* v = Bool(Gen(*terms[k]));
    llvm::BasicBlock* rhs = Block("rhs");
    incoming.emplace_back(B_.getInt1(!is_and), B_.GetInsertBlock());
    if (is_and)
      B_.CreateCondBr(v, rhs, done);
    else
      B_.CreateCondBr(v, done, rhs);
    B_.SetInsertPoint(rhs);
  }
  llvm::Value* last = Bool(Gen(*terms.back()));  // (before GetInsertBlock: Gen may add blocks)
  incoming.emplace_back(last, B_.GetInsertBlock());
  B_.CreateBr(done);
  B_.SetInsertPoint(done);
  auto* phi = B_.CreatePHI(i1_, static_cast<unsigned>(incoming.size()));
  for (const auto& [v, from] : incoming) phi->addIncoming(v, from);
  return BoolValue(phi);
}

}  // namespace edict::jit
