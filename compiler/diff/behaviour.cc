#include "compiler/diff/behaviour.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "compiler/diff/replay.h"
#include "compiler/diff/symbolic.h"
#include "runtime/date.h"

namespace edict::diff {

namespace {

// Input enum fields used as table keys (`item` in `item.tpp`): the diff splits on them, so every table read
// folds to a constant and the arithmetic stays linear.
std::vector<std::string> SplitFields(const ir::Program& p) {
  std::vector<std::string> out;
  for (const ir::Expr& e : p.exprs) {
    if (e.op != ir::Op::kRowField || e.args.empty() || e.args[0]->op != ir::Op::kField) continue;
    const ir::Field& f = p.fields[e.args[0]->index];
    if (f.kind == ir::Field::kDerived || f.enum_index < 0) continue;
    if (std::find(out.begin(), out.end(), f.name) == out.end()) out.push_back(f.name);
  }
  return out;
}

// Input fields some expression reads (directly or through defaults and derived formulas).
std::set<std::string> ReadFields(const ir::Program& p) {
  std::set<std::string> out;
  for (const ir::Expr& e : p.exprs)
    if (e.op == ir::Op::kField) out.insert(p.fields[e.index].name);
  return out;
}

// Members of an enum that no constant of either program tells apart (same membership in every constant set,
// never named by a constant): any permutation within such a group maps shipments of a class to shipments of
// the same class, so finding one member of a group finds them all. Table enums are never grouped (their rows
// differ).
class MemberGroups {
 public:
  MemberGroups(const ir::Program& a, const ir::Program& b) {
    for (const ir::Program* p : {&a, &b}) {
      // Only what a decision can read: conditions, outcomes, fields, quotas (not unused stdlib declarations).
      for (const ir::Rule& r : p->rules) {
        Walk(r.when);
        Walk(r.outcome.notify);
      }
      for (const ir::Field& f : p->fields) Walk(f.value);
      for (const ir::Quota& q : p->quotas) {
        Walk(q.measure);
        for (const ir::Expr* k : q.keys) Walk(k);
      }
      for (const ir::Table& t : p->tables)
        for (const auto& row : t.rows)
          for (const Value& v : row) {
            if (v.kind == ValueKind::kEnum) named_.insert(v.i);
            if (v.kind == ValueKind::kSet) sets_.push_back(v.set);
          }
    }
  }
  void Walk(const ir::Expr* e) {
    if (!e || !visited_.insert(e).second) return;
    if (e->op == ir::Op::kConst && e->constant.kind == ValueKind::kEnum) named_.insert(e->constant.i);
    if (e->op == ir::Op::kConst && e->constant.kind == ValueKind::kSet) sets_.push_back(e->constant.set);
    for (const ir::Expr* a : e->args) Walk(a);
  }

  // group[i]: the members interchangeable with member i (i itself when it has no twin).
  std::vector<std::vector<int>> Groups(int n, bool groupable) const {
    std::vector<std::vector<int>> out(n);
    std::map<std::string, std::vector<int>> by_signature;
    for (int i = 0; i < n; ++i) {
      if (!groupable || named_.count(i)) {
        out[i] = {i};
        continue;
      }
      std::string sig;
      for (const BitSet* s : sets_) sig += s->Test(i) ? '1' : '0';
      by_signature[sig].push_back(i);
    }
    for (auto& [sig, members] : by_signature)
      for (int i : members) out[i] = members;
    return out;
  }

 private:
  std::vector<const BitSet*> sets_;
  std::set<int> named_;
  std::set<const ir::Expr*> visited_;
};

struct Found {
  int old_code, new_code;
  std::vector<int> old_rules, new_rules;
  std::string Key() const {
    std::string k = std::to_string(old_code) + ">" + std::to_string(new_code) + ":";
    for (int r : old_rules) k += std::to_string(r) + ",";
    k += "|";
    for (int r : new_rules) k += std::to_string(r) + ",";
    return k;
  }
};

class Search {
 public:
  Search(const ir::Program& a, const ir::Program& b, const BehaviourOptions& options, BehaviourResult& result)
      : a_(a), b_(b), options_(options), result_(result), outcomes_(a, b), groups_(a, b) {}

  void Run() {
    std::vector<std::string> split_a = SplitFields(a_), split_b = SplitFields(b_);
    // Split on one table key both programs read; anything else is left symbolic.
    std::string split;
    for (const auto& f : split_a)
      if (std::find(split_b.begin(), split_b.end(), f) != split_b.end() && b_.FieldIndex(f) >= 0) split = f;
    if (split.empty() && !split_a.empty() && b_.FieldIndex(split_a[0]) >= 0) split = split_a[0];
    if (split.empty() && !split_b.empty() && a_.FieldIndex(split_b[0]) >= 0) split = split_b[0];
    split_ = split;
    read_ = ReadFields(a_);
    for (const auto& f : ReadFields(b_)) read_.insert(f);
    {
      Bounds bounds;
      result_.assumptions.push_back("shipment dates from " + FormatDate(bounds.date_from) + " to " +
                                    FormatDate(bounds.date_to));
      result_.assumptions.push_back("item counts from 1 to " + std::to_string(bounds.max_count) +
                                    "; other quantities from 0 to 10^30");
      result_.assumptions.push_back("quota amounts consumed before the shipment from 0 to 10^15");
      result_.assumptions.push_back("evaluation errors (overflow, division by zero) are not searched for");
    }
    if (split.empty()) {
      RunOne(-1, "");
    } else {
      int fa = a_.FieldIndex(split);
      const auto& members = a_.enums[a_.fields[fa].enum_index].members;
      for (size_t m = 0; m < members.size() && !stopped_; ++m) RunOne(static_cast<int>(m), members[m]);
    }
    result_.proved = !stopped_ && result_.not_covered.empty();
    for (auto& key : order_) result_.classes.push_back(std::move(classes_[key]));
    // A stable order for reports: by old outcome, new outcome, then rules.
    std::stable_sort(result_.classes.begin(), result_.classes.end(), [](const auto& x, const auto& y) {
      return std::tie(x.old_outcome, x.new_outcome, x.old_rules, x.new_rules) <
             std::tie(y.old_outcome, y.new_outcome, y.old_rules, y.new_rules);
    });
  }

 private:
  void RunOne(int member, const std::string& member_name) {
    z3::context& z = z_;
    Shipment s(z, Bounds{});
    std::string where = member < 0 ? "" : " (" + split_ + " = " + member_name + ")";
    try {
      if (member >= 0) {
        int fb = b_.FieldIndex(split_);
        const auto& mb = b_.enums[b_.fields[fb].enum_index].members;
        if (std::find(mb.begin(), mb.end(), member_name) == mb.end()) return;  // not a shipment NEW can read
        s.Fix(a_, a_.FieldIndex(split_), member);
      }
      // Every input field is a variable, so each witness is a complete shipment.
      for (const ir::Program* p : {&a_, &b_})
        for (size_t i = 0; i < p->fields.size(); ++i)
          if (p->fields[i].kind != ir::Field::kDerived) s.VarFor(*p, static_cast<int>(i));
      SymDecision da = EncodeDecision(a_, s, outcomes_, "old.");
      SymDecision db = EncodeDecision(b_, s, outcomes_, "new.");
      z3::solver solver(z);
      if (options_.query_timeout_ms) {
        z3::params params(z);
        params.set("timeout", options_.query_timeout_ms);
        solver.set(params);
      }
      for (const auto& d : s.domain()) solver.add(d);
      for (const auto& d : da.definitions) solver.add(d);
      for (const auto& d : db.definitions) solver.add(d);
      solver.add(da.code != db.code);
      while (true) {
        ++result_.queries;
        z3::check_result r = solver.check();
        if (r == z3::unsat) return;
        if (r == z3::unknown) {
          result_.not_covered.push_back("the solver gave up" + where + ": " + solver.reason_unknown());
          return;
        }
        z3::model m = solver.get_model();
        Found f{Int(m, da.code), Int(m, db.code), True(m, da), True(m, db)};
        z3::expr cls = ClassCondition(da, db, f);
        Record(f, s, m, cls, member_name, solver);
        solver.add(!cls);
        if (stopped_) return;
      }
    } catch (const Unsupported& u) {
      result_.not_covered.push_back("not modelled: " + u.message);
      stopped_ = true;
    } catch (const z3::exception& e) {
      result_.not_covered.push_back(std::string("solver error") + where + ": " + e.msg());
      stopped_ = true;
    }
  }

  static int Int(const z3::model& m, const z3::expr& e) { return m.eval(e, true).get_numeral_int(); }
  static std::vector<int> True(const z3::model& m, const SymDecision& d) {
    std::vector<int> out;
    for (const auto& [rule, cond] : d.determining)
      if (m.eval(cond, true).is_true()) out.push_back(rule);
    return out;
  }

  static z3::expr ClassCondition(const SymDecision& da, const SymDecision& db, const Found& f) {
    z3::expr c = da.code == f.old_code && db.code == f.new_code;
    for (const auto& [rule, cond] : da.determining)
      c = c && (std::count(f.old_rules.begin(), f.old_rules.end(), rule) ? cond : !cond);
    for (const auto& [rule, cond] : db.determining)
      c = c && (std::count(f.new_rules.begin(), f.new_rules.end(), rule) ? cond : !cond);
    return c;
  }

  std::string OutcomeName(int code) const {
    return code < 0 ? "error (conflicting rules)" : outcomes_.Text(code);
  }

  void Record(const Found& f, Shipment& s, const z3::model& m, const z3::expr& cls,
              const std::string& member_name, z3::solver& solver) {
    std::string key = f.Key();
    auto it = classes_.find(key);
    if (it != classes_.end()) {
      if (!member_name.empty()) it->second.split_values.push_back(member_name);
      return;
    }
    Witness w = MakeWitness(s, m);
    ReplayResult replay = Replay(a_, b_, w);
    if (!replay.differ || replay.old_outcome != OutcomeName(f.old_code) ||
        replay.new_outcome != OutcomeName(f.new_code)) {
      // The encoding and the interpreter disagree: never report it as a difference, and never claim a proof.
      ++result_.unconfirmed;
      result_.not_covered.push_back(
          "a solver witness did not replay in the interpreter (solver: " + OutcomeName(f.old_code) + " -> " +
          OutcomeName(f.new_code) + "; interpreter: " + replay.old_outcome + " -> " + replay.new_outcome +
          "): " + w.ToJson());
      return;
    }
    BehaviourClass c;
    c.old_outcome = OutcomeName(f.old_code);
    c.new_outcome = OutcomeName(f.new_code);
    for (int r : f.old_rules) c.old_rules.push_back(a_.rules[r].id);
    for (int r : f.new_rules) c.new_rules.push_back(b_.rules[r].id);
    c.split_field = split_;
    if (!member_name.empty()) c.split_values.push_back(member_name);
    if (!split_.empty()) c.domains[split_] = s.vars().at(split_).members;
    c.witness = std::move(w);
    Describe(c, s, cls, solver);
    classes_.emplace(key, std::move(c));
    order_.push_back(key);
    if (static_cast<int>(order_.size()) >= options_.max_classes) {
      result_.not_covered.push_back("stopped after " + std::to_string(options_.max_classes) + " classes");
      stopped_ = true;
    }
  }

  // The values of the enum fields (countries, end uses...) the class covers, by enumeration within a budget.
  void Describe(BehaviourClass& c, Shipment& s, const z3::expr& cls, z3::solver& solver) {
    for (const auto& [name, var] : s.vars()) {
      if (var.kind != TypeKind::kEnum || var.fixed || !read_.count(name)) continue;
      std::vector<std::string> seen;
      auto groups = groups_.Groups(static_cast<int>(var.members.size()), Groupable(name));
      solver.push();
      solver.add(cls);
      bool complete = false;
      while (budget_used_ < options_.describe_budget) {
        ++budget_used_;
        ++result_.queries;
        if (solver.check() != z3::sat) {
          complete = true;
          break;
        }
        z3::model m = solver.get_model();
        int v = m.eval(var.value, true).get_numeral_int();
        z3::expr given = m.eval(var.given, true);
        if (var.has_given && given.is_false()) {
          solver.add(var.given);  // the default's value is what counts; look at the given values
          continue;
        }
        z3::expr_vector others(s.z());
        for (int g : groups[v]) {
          seen.push_back(var.members[g]);
          others.push_back(var.value == g);
        }
        solver.add(!z3::mk_or(others));
      }
      solver.pop();
      std::sort(seen.begin(), seen.end());
      seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
      c.values[name] = std::move(seen);
      c.domains[name] = var.members;
      c.values_complete[name] = complete;
    }
  }

  // An enum field whose members both programs number alike and that is not a table key.
  bool Groupable(const std::string& field) const {
    int fa = a_.FieldIndex(field), fb = b_.FieldIndex(field);
    for (auto [p, f] : {std::pair{&a_, fa}, std::pair{&b_, fb}}) {
      if (f < 0) continue;
      const ir::Enum& e = p->enums[p->fields[f].enum_index];
      if (e.is_table) return false;
    }
    if (fa >= 0 && fb >= 0 &&
        a_.enums[a_.fields[fa].enum_index].members != b_.enums[b_.fields[fb].enum_index].members)
      return false;
    return true;
  }

  Witness MakeWitness(Shipment& s, const z3::model& m) {
    Witness w;
    const ir::Program& p = a_;
    std::vector<std::string> order;
    for (const auto& f : p.fields)
      if (f.kind != ir::Field::kDerived) order.push_back(f.name);
    for (const auto& f : b_.fields)
      if (f.kind != ir::Field::kDerived && std::find(order.begin(), order.end(), f.name) == order.end())
        order.push_back(f.name);
    for (const auto& name : order) {
      auto it = s.vars().find(name);
      if (it == s.vars().end()) continue;
      const Shipment::Var& var = it->second;
      if (var.has_given && !m.eval(var.given, true).is_true()) continue;
      WitnessValue v;
      v.kind = var.kind;
      z3::expr x = m.eval(var.value, true);
      switch (var.kind) {
        case TypeKind::kBool:
          v.b = x.is_true();
          break;
        case TypeKind::kNumber:
          NumeralToRational(x, &v.num);
          break;
        case TypeKind::kText:
          v.text = s.TextOf(x.get_numeral_int64());
          break;
        case TypeKind::kDate:
          v.date = x.get_numeral_int();
          break;
        case TypeKind::kEnum:
          v.text = var.members[x.get_numeral_int()];
          break;
        default:
          continue;
      }
      w.fields.emplace_back(name, v);
    }
    for (const auto& [label, consumed] : s.consumed()) {
      Rational r;
      NumeralToRational(m.eval(consumed.amount, true), &r);
      w.consumed.emplace_back(label, r);
    }
    return w;
  }

  const ir::Program& a_;
  const ir::Program& b_;
  const BehaviourOptions& options_;
  BehaviourResult& result_;
  OutcomeTable outcomes_;
  MemberGroups groups_;
  z3::context z_;  // one context for every split: terms are shared, and it is torn down once
  std::string split_;
  std::set<std::string> read_;
  std::map<std::string, BehaviourClass> classes_;
  std::vector<std::string> order_;
  bool stopped_ = false;
  int budget_used_ = 0;
};

}  // namespace

BehaviourResult DiffBehaviour(const ir::Program& old_program, const ir::Program& new_program,
                              const BehaviourOptions& options) {
  BehaviourResult result;
  try {
    Search search(old_program, new_program, options, result);
    search.Run();
  } catch (const Unsupported& u) {
    result.proved = false;
    result.not_covered.push_back("not modelled: " + u.message);
  }
  return result;
}

}  // namespace edict::diff
