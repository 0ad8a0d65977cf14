#include "compiler/ir/tabulate.h"

#include <unordered_map>

#include "runtime/interp/eval.h"

namespace edict::ir {

namespace {

// Countries (about 250) and catalog ids are the enums that matter; the cap keeps a column's size reasonable.
constexpr size_t kMaxMembers = 4096;
// Smaller expressions (a field, a row read, `x in S`) cost about as much as the lookup that would replace
// them.
constexpr int kMinNodes = 4;

bool Tabulable(ValueKind k) {
  return k == ValueKind::kBool || k == ValueKind::kNumber || k == ValueKind::kDate || k == ValueKind::kEnum;
}

class Tabulator {
 public:
  explicit Tabulator(Program& p) : p_(p) {}

  const Expr* Rewrite(const Expr* e) {
    if (!e) return nullptr;
    auto it = rewritten_.find(e);
    if (it != rewritten_.end()) return it->second;
    const Expr* out = e;
    int key = KeyField(*e);
    if (key >= 0 && e->op != Op::kConst && e->op != Op::kField && e->op != Op::kRowField &&
        Tabulable(e->kind) && Size(*e) >= kMinNodes) {
      if (const Expr* t = TryTabulate(*e, key)) out = t;
    }
    if (out == e) {
      std::vector<const Expr*> args;
      bool changed = false;
      for (const Expr* a : e->args) {
        args.push_back(Rewrite(a));
        changed |= args.back() != a;
      }
      if (changed) {
        Expr& copy = p_.exprs.emplace_back(*e);
        copy.args = std::move(args);
        out = &copy;
      }
    }
    return rewritten_[e] = out;
  }

  int tabulated() const { return tabulated_; }

 private:
  // The one enum field `e` reads: its index; -2 when it reads no field; -1 when it reads several, an optional
  // field, a large enum, or consults a quota.
  int KeyField(const Expr& e) {
    auto it = key_field_.find(&e);
    if (it != key_field_.end()) return it->second;
    int key = -2;
    if (e.op == Op::kField) {
      const Field& f = p_.fields[e.index];
      bool small_enum = e.kind == ValueKind::kEnum && f.enum_index >= 0 &&
                        p_.enums[f.enum_index].members.size() <= kMaxMembers;
      key = f.kind != Field::kOptional && small_enum ? e.index : -1;
    } else if (e.op == Op::kFits) {
      key = -1;
    }
    for (const Expr* a : e.args) {
      int k = KeyField(*a);
      if (k == -1 || (k >= 0 && key >= 0 && k != key)) {
        key = -1;
        break;
      }
      if (k >= 0) key = k;
    }
    return key_field_[&e] = key;
  }

  int Size(const Expr& e) {
    int n = 1;
    for (const Expr* a : e.args) n += Size(*a);
    return n;
  }

  // The lookup node, or null when some member's value is an error or not of the expression's kind.
  const Expr* TryTabulate(const Expr& e, int key) {
    std::vector<Value> fields(p_.fields.size());
    std::deque<BitSet> scratch;
    interp::EvalContext ctx;
    ctx.program = &p_;
    ctx.fields = fields.data();
    ctx.scratch = &scratch;
    std::vector<Value> column;
    size_t members = p_.enums[p_.fields[key].enum_index].members.size();
    for (size_t m = 0; m < members; ++m) {
      fields[key] = Value::Enum(static_cast<int>(m));
      try {
        Value v = interp::Eval(e, ctx);
        if (v.kind != e.kind) return nullptr;
        column.push_back(v);
      } catch (const interp::EvalError&) {
        return nullptr;
      }
    }
    if (column.empty()) return nullptr;
    p_.columns.push_back(std::move(column));
    Expr& key_expr = p_.exprs.emplace_back();
    key_expr.op = Op::kField;
    key_expr.kind = ValueKind::kEnum;
    key_expr.index = key;
    key_expr.span = e.span;
    Expr& t = p_.exprs.emplace_back();
    t.op = Op::kTabulated;
    t.kind = e.kind;
    t.index = static_cast<int>(p_.columns.size()) - 1;
    t.args = {&key_expr, &e};
    t.span = e.span;
    ++tabulated_;
    return &t;
  }

  Program& p_;
  std::unordered_map<const Expr*, const Expr*> rewritten_;
  std::unordered_map<const Expr*, int> key_field_;
  int tabulated_ = 0;
};

}  // namespace

int Tabulate(Program& p) {
  Tabulator t(p);
  for (Field& f : p.fields) f.value = t.Rewrite(f.value);
  for (Quota& q : p.quotas) {
    q.measure = t.Rewrite(q.measure);
    for (const Expr*& k : q.keys) k = t.Rewrite(k);
  }
  for (Rule& r : p.rules) {
    r.when = t.Rewrite(r.when);
    for (auto& [text, part] : r.conditions) part = t.Rewrite(part);
    r.outcome.notify = t.Rewrite(r.outcome.notify);
  }
  return t.tabulated();
}

}  // namespace edict::ir
