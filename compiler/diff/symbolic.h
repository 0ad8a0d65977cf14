// Symbolic encoding of a decision program with Z3: the shipment's fields become solver variables shared by
// the two policies being compared, each program's decision (default logic, severity, determining rules)
// becomes a formula over them. Exact: numbers are Z3 reals (rationals), dates and enum members are integers.
#pragma once

#include <z3++.h>

#include <climits>
#include <map>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace edict::diff {

// A construct the encoder does not model (a timeline, a set-valued table field...). The diff reports it.
struct Unsupported {
  std::string message;
};

// Every outcome either program can produce, as integer codes in severity order (0 is no_license_required).
class OutcomeTable {
 public:
  OutcomeTable(const ir::Program& old_program, const ir::Program& new_program);
  int Code(const ir::Program& p, const ir::OutcomeIR& o, bool notify) const;
  const std::string& Text(int code) const { return texts_[code]; }
  int Severity(int code) const { return severities_[code]; }
  int size() const { return static_cast<int>(texts_.size()); }

 private:
  std::vector<std::string> texts_;
  std::vector<int> severities_;
};

// Bounds placed on the free variables: the values `edict eval` accepts in its input (reported with every
// result), so a proof covers every shipment a user can submit.
struct Bounds {
  int date_from = 0, date_to = 0;  // 1900-01-01 .. 2199-12-31, the reader's date range
  int64_t max_count = INT64_MAX;   // item counts: 1 .. 2^63-1
  std::string max_number;          // other numbers: |x| <= 2^127-1 (quantities with a unit are >= 0)
  std::string max_consumed;        // a quota's ledger entry before the shipment: 0 .. 2^127-1
  // A timeline's period: the field it dispatches on (the shipment's date) is held to period_from..period_to;
  // other date fields keep the whole range.
  std::string period_field;
  int period_from = 0, period_to = 0;
  Bounds();
};

// The shipment both programs decide: one variable per field name, plus one "consumed before" variable per
// quota ledger entry. A field may be fixed to a constant enum member (the diff splits on table keys such as
// `item`).
class Shipment {
 public:
  struct Var {
    std::string name;
    TypeKind kind = TypeKind::kError;
    bool integer = false;
    bool count = false;      // an item count (1..2^63-1)
    bool has_given = false;  // the field may be omitted (default or optional)
    z3::expr value;
    z3::expr given;
    std::vector<std::string> members;  // enum fields: the canonical members (the first program's)
    bool fixed = false;
  };
  // One ledger entry read by either program. A quota of OLD and one of NEW that compute the same key (same
  // key expressions and period) share the entry, as if both versions had seen the same earlier shipments.
  struct Consumed {
    std::string old_quota, new_quota;  // the quota's id in each version ("" when that version has none)
    z3::expr amount;
  };

  Shipment(z3::context& z, const Bounds& bounds);
  // The variable for a field of `p` (created on first use); its value in `p`'s enum member numbering.
  const Var& VarFor(const ir::Program& p, int field);
  z3::expr ValueFor(const ir::Program& p, int field);
  // Fixes an enum field to a member (by canonical index) before any program is encoded.
  void Fix(const ir::Program& p, int field, int member);
  // Pairs the quotas of the two programs (before any encoding; see the free function PairQuotas).
  void PairQuotas(const ir::Program& old_program, const ir::Program& new_program);
  // The paired quota of the other program, or -1.
  int PartnerOf(const ir::Program& p, int quota) const;
  z3::expr ConsumedFor(const ir::Program& p, int quota);
  int TextId(std::string_view text);
  std::string TextOf(int64_t id) const;

  z3::context& z() { return z_; }
  const std::vector<z3::expr>& domain() const { return domain_; }
  const std::map<std::string, Var>& vars() const { return vars_; }
  const std::map<std::string, Consumed>& consumed() const { return consumed_; }
  const Bounds& bounds() const { return bounds_; }

 private:
  z3::context& z_;
  Bounds bounds_;
  std::map<std::string, Var> vars_;
  std::map<std::string, Consumed> consumed_;
  const ir::Program* old_ = nullptr;
  const ir::Program* new_ = nullptr;
  std::map<int, int> old_to_new_, new_to_old_;  // paired quota indices
  std::vector<z3::expr> domain_;
  std::map<std::string, int, std::less<>> text_ids_;
  std::vector<std::string> texts_;
};

// One program's decision as formulas: the outcome code (-1 on a conflict) and, per rule, whether it
// determines it.
// The code and each condition are named constants, defined by `definitions` (which the solver must assert):
// models then give their values directly, and blocking a class stays a small formula.
struct SymDecision {
  z3::expr code;
  std::vector<std::pair<int, z3::expr>> determining;  // (rule index, condition)
  std::map<int, z3::expr> uses;  // quota index -> what this shipment adds to its ledger entry (0 if nothing)
  // The derived number fields the decision reads ("tpp"), as formulas over the shipment: for descriptions.
  std::map<std::string, z3::expr> derived;
  std::vector<z3::expr> definitions;
};

// `prefix` keeps the two programs' named constants apart ("old.", "new.").
SymDecision EncodeDecision(const ir::Program& p, Shipment& shipment, const OutcomeTable& outcomes,
                           const std::string& prefix);

// The ledger entry a quota reads, without its id: two quotas with the same label compute the same key.
std::string QuotaLabel(const ir::Quota& q);

// The quotas of OLD and NEW that stand for the same ledger entry, as (old index, new index): by id when keys
// and period agree (or by ledger entry: a timeline's policies share an imported quota), else by keys and
// period when exactly one unpaired quota of each has them (a renamed quota).
std::vector<std::pair<int, int>> PairQuotas(const ir::Program& old_program, const ir::Program& new_program);

// Limits each query of a solver or an optimiser to `ms` milliseconds; 0 leaves it unlimited.
template <class Solver>
void LimitTime(Solver& solver, unsigned ms) {
  if (!ms) return;
  z3::params params(solver.ctx());
  params.set("timeout", ms);
  solver.set(params);
}

// A rational as an exact Z3 real numeral.
z3::expr RealOf(z3::context& z, const Rational& r);

// Exact conversion of a Z3 numeral (integer or rational) to a Rational; false when out of range.
bool NumeralToRational(const z3::expr& e, Rational* out);

}  // namespace edict::diff
