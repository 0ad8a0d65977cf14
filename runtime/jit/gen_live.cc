// What the compiled decision may evaluate (Live): the rules in the program and their exceptions, not the
// withdrawn ones, and what they read. From it: the enum keys of table rows and tabulated columns, checked
// once per record instead of at every lookup (a checked key makes its lookups Pure, gen_logic.cc, so an
// and/or chain may test them in another order: `russia_belarus_on(destination, date)` before
// `on_ccl(ccl_eccn)`), and the quotas a record may look up (whose entries the loop fetches ahead,
// gen_quota.cc).
#include <set>

#include "runtime/jit/generator.h"

namespace edict::jit {

namespace {

// The key field and row count of a lookup, or null.
const ir::Expr* LookupKey(const ir::Program& p, const ir::Expr& e, size_t* rows) {
  if (e.op == ir::Op::kTabulated && e.index >= 0) {
    *rows = p.columns[e.index].size();
    return e.args[0];
  }
  if (e.op == ir::Op::kRowField && e.table >= 0) {
    *rows = p.tables[e.table].rows.size();
    return e.args[0];
  }
  return nullptr;
}

// Marks every expression the decision may evaluate: the conditions and `notify` of the rules in the program
// and their exceptions (not the withdrawn ones), the formulas of the fields they read, and the measure and
// keys of the quotas they test or consume. A check for a key only dead code looks up would keep that code
// alive.
class Live {
 public:
  explicit Live(const ir::Program& p) : p_(p), fields_(p.fields.size(), 0), quotas_(p.quotas.size(), 0) {
    for (const ir::Rule& r : p.rules)
      if (!r.exception) Rule(r);
  }
  std::vector<const ir::Expr*> lookups;  // the live lookups whose key is a field
  const std::vector<uint8_t>& quotas() const { return quotas_; }

 private:
  void Walk(const ir::Expr* e) {
    if (!e || !seen_.insert(e).second) return;
    size_t rows = 0;
    if (const ir::Expr* key = LookupKey(p_, *e, &rows); key && key->op == ir::Op::kField)
      lookups.push_back(e);
    if (e->op == ir::Op::kField && e->index >= 0 && !fields_[e->index]) {
      fields_[e->index] = 1;
      Walk(p_.fields[e->index].value);
    }
    if (e->op == ir::Op::kFits) Quota(e->index);
    // A tabulated node's second argument is the expression it replaced, evaluated only for a key outside its
    // column: that is the interpreter's (Generator::Tabulated fails there), never compiled code's.
    size_t n = e->op == ir::Op::kTabulated ? 1 : e->args.size();
    for (size_t k = 0; k < n; ++k) Walk(e->args[k]);
  }
  // A rule and its exceptions, but for what was withdrawn (the exceptions to a withdrawn rule go with it).
  void Rule(const ir::Rule& r) {
    if (r.withdrawn) return;
    Walk(r.when);
    Walk(r.outcome.notify);
    for (int q : r.consumes) Quota(q);
    for (int x : r.exceptions) Rule(p_.rules[x]);
  }
  void Quota(int q) {
    if (q < 0 || quotas_[q]) return;
    quotas_[q] = 1;
    Walk(p_.quotas[q].measure);
    for (const ir::Expr* key : p_.quotas[q].keys) Walk(key);
  }

  const ir::Program& p_;
  std::vector<uint8_t> fields_, quotas_;
  std::set<const ir::Expr*> seen_;
};

}  // namespace

// Required inputs are checked before the defaults and formulas are computed (`computed` false), the fields
// with a default or a formula after (true). Valid input always passes (the reader checks members; a
// timeline's remapping fails earlier) and a computed enum is always one of its members; a record that does
// not pass is left to the interpreter, as the lookup itself would leave it.
void Generator::CheckKeys(bool computed) {
  if (!computed) checked_keys_.assign(p_->fields.size(), 0);
  std::vector<size_t> bound(p_->fields.size(), 0);
  for (const ir::Expr* e : Live(*p_).lookups) {
    size_t rows = 0;
    const ir::Expr* key = LookupKey(*p_, *e, &rows);
    const ir::Field& f = p_->fields[key->index];
    if (f.enum_index < 0 || f.kind == ir::Field::kOptional || (f.value != nullptr) != computed) continue;
    size_t members = p_->enums[f.enum_index].members.size();
    if (rows < members) continue;  // a member without a row: the lookup's own check reports it
    bound[key->index] = members;
  }
  for (size_t j = 0; j < bound.size(); ++j) {
    if (!bound[j]) continue;
    const CV& key = env_[j];
    llvm::Value* ok = B_.CreateICmpULT(Int(key), B_.getInt32(static_cast<uint32_t>(bound[j])));
    if (key.present) ok = B_.CreateAnd(ok, key.present);
    FailIf(B_.CreateNot(ok), -1);
    checked_keys_[j] = bound[j];
  }
}

std::vector<uint8_t> Generator::LiveQuotas(const ir::Program& p) const {
  return Live(p).quotas();
}

bool Generator::KeyChecked(const ir::Expr& key, size_t rows) const {
  return key.op == ir::Op::kField && checked_keys_.size() > static_cast<size_t>(key.index) &&
         checked_keys_[key.index] && checked_keys_[key.index] <= rows;
}

}  // namespace edict::jit
