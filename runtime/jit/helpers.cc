// The C ABI helpers that compiled code calls: exact rationals beyond the inline 64-bit paths, and the quota
// totals (QuotaState; those helpers are in quotas.cc, where the bookkeeping inlines into them). None is on
// the path of a decision that needs neither.
#include "runtime/jit/abi.h"
#include "runtime/jit/quotas.h"
#include "runtime/rational.h"

namespace edict::jit {

extern "C" {

// General rational arithmetic; op: 0 add, 1 sub, 2 mul, 3 div. Operands and result are {num, den} pairs.
// Returns 1, or 0 when the result overflows (the caller reports the expression's message).
int32_t edict_jit_rat(int32_t op, const i128* a, const i128* b, i128* out) {
  Rational x{a[0], a[1]}, y{b[0], b[1]};
  std::optional<Rational> r = op == 0 ? Add(x, y) : op == 1 ? Sub(x, y) : op == 2 ? Mul(x, y) : Div(x, y);
  if (!r) return 0;
  out[0] = r->num;
  out[1] = r->den;
  return 1;
}

int32_t edict_jit_rat_cmp(const i128* a, const i128* b) {
  return Compare(Rational{a[0], a[1]}, Rational{b[0], b[1]});
}

}  // extern "C"

std::vector<HelperSymbol> HelperSymbols() {
  return {{"edict_jit_rat", reinterpret_cast<void*>(&edict_jit_rat)},
          {"edict_jit_rat_cmp", reinterpret_cast<void*>(&edict_jit_rat_cmp)},
          {"edict_q_fits", reinterpret_cast<void*>(&edict_q_fits)},
          {"edict_q_consume", reinterpret_cast<void*>(&edict_q_consume)}};
}

}  // namespace edict::jit
