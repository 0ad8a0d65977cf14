#include "compiler/diff/describe.h"

#include <algorithm>

#include "runtime/date.h"

namespace edict::diff {

namespace {

// Input fields some expression reads (directly or through defaults and derived formulas).
std::set<std::string> ReadFields(const ir::Program& p) {
  std::set<std::string> out;
  for (const ir::Expr& e : p.exprs)
    if (e.op == ir::Op::kField) out.insert(p.fields[e.index].name);
  return out;
}

}  // namespace

MemberGroups::MemberGroups(const ir::Program& a, const ir::Program& b) {
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

void MemberGroups::Walk(const ir::Expr* e) {
  if (!e || !visited_.insert(e).second) return;
  if (e->op == ir::Op::kConst && e->constant.kind == ValueKind::kEnum) named_.insert(e->constant.i);
  if (e->op == ir::Op::kConst && e->constant.kind == ValueKind::kSet) sets_.push_back(e->constant.set);
  for (const ir::Expr* a : e->args) Walk(a);
}

std::vector<std::vector<int>> MemberGroups::Groups(int n, bool groupable) const {
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

ClassDescriber::ClassDescriber(const ir::Program& old_program, const ir::Program& new_program,
                               const BehaviourOptions& options, int* queries)
    : a_(old_program), b_(new_program), options_(options), queries_(queries), groups_(a_, b_) {
  read_ = ReadFields(a_);
  for (const auto& f : ReadFields(b_)) read_.insert(f);
}

void ClassDescriber::StartSplit(const z3::expr_vector& assertions, std::map<std::string, z3::expr> derived) {
  derived_ = std::move(derived);
  base_ = assertions;
  solver_.reset();
}

// The values of the enum fields (countries, end uses...) the class covers, by enumeration within a budget.
void ClassDescriber::Describe(BehaviourClass& c, Shipment& s, const z3::expr& cls, z3::solver& solver) {
  for (const auto& [name, var] : s.vars()) {
    if (var.kind != TypeKind::kEnum || var.fixed || !read_.count(name)) continue;
    std::vector<std::string> seen;
    auto groups = groups_.Groups(static_cast<int>(var.members.size()), Groupable(name));
    solver.push();
    solver.add(cls);
    bool complete = false;
    while (budget_used_ < options_.describe_budget) {
      ++budget_used_;
      ++*queries_;
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
    if (seen.empty() && !complete) continue;  // the budget was spent before this field: say nothing of it
    c.values[name] = std::move(seen);
    c.domains[name] = var.members;
    c.values_complete[name] = complete;
  }
  DescribeDates(c, s, cls, solver);
  DescribeRanges(c, s, cls);
}

// The range of the item counts (quantity) and of the derived numbers the policies read (tpp), over the
// class's shipments from an empty ledger when it has some there: the smallest and the largest value only (the
// class need not hold for every count between). A count's extremes are found by galloping and bisection; a
// derived number is read off the models at the counts' extremes and reported only when one satisfiability
// query each way shows nothing in the class lies beyond (true of tpp = quantity x the item's TPP). A count
// whose extremes are 1 and the input's bound gets no line (nor do the derived numbers then), and neither does
// a derived number that stays the same while the counts vary.
void ClassDescriber::DescribeRanges(BehaviourClass& c, Shipment& s, const z3::expr& cls) {
  std::vector<const Shipment::Var*> counts;
  for (const auto& [name, var] : s.vars())
    if (var.kind == TypeKind::kNumber && var.count && !var.fixed && read_.count(name)) counts.push_back(&var);
  if (counts.empty()) return;
  interrupted_.clear();
  z3::expr fresh = s.z().bool_val(true);
  for (const auto& [key, consumed] : s.consumed()) fresh = fresh && consumed.amount == 0;
  bool empty_ledger = s.consumed().empty() || Satisfiable(cls && fresh);
  z3::expr where = empty_ledger ? cls && fresh : cls;
  const std::string top = std::to_string(s.bounds().max_count);
  auto value = [](const z3::model& m, const z3::expr& e) {
    Rational r;
    NumeralToRational(m.eval(e, true), &r);
    return r;
  };
  // A query that could not be answered (budget spent, or the solver gave up) leaves the line out, and says
  // so.
  auto interrupted = [&](const std::string& field) {
    if (interrupted_.empty()) return false;
    BehaviourClass::Range r;
    r.field = field;
    r.empty_ledger = empty_ledger;
    r.not_described = interrupted_;
    c.ranges.push_back(r);
    return true;
  };
  if (interrupted(counts[0]->name)) return;
  std::vector<z3::model> extremes;
  bool constrained = false,
       varies = false;  // some count's range is narrower than its domain; or wider than 1
  for (const Shipment::Var* var : counts) {
    z3::expr in_class = where && var->given;
    std::optional<z3::model> lo = Extreme(in_class, *var, false, s.bounds().max_count);
    std::optional<z3::model> hi = lo ? Extreme(in_class, *var, true, s.bounds().max_count) : lo;
    if (interrupted(var->name)) return;
    if (!lo || !hi) continue;
    extremes.push_back(*lo);
    extremes.push_back(*hi);
    Rational min = value(*lo, var->value), max = value(*hi, var->value);
    bool unbounded = max.ToString() == top;
    varies = varies || !(min == max);
    if (unbounded && min.ToString() == "1") continue;
    constrained = true;
    c.ranges.push_back({var->name, min.ToString(), max.ToString(), unbounded, empty_ledger, ""});
  }
  // Over counts of any size, a derived number says nothing the counts do not (tpp: one item's TPP or more).
  if (!constrained) return;
  for (const auto& [name, expr] : derived_) {
    const z3::model *at_min = &extremes[0], *at_max = &extremes[0];
    for (const z3::model& m : extremes) {
      if (Compare(value(m, expr), value(*at_min, expr)) < 0) at_min = &m;
      if (Compare(value(m, expr), value(*at_max, expr)) > 0) at_max = &m;
    }
    Rational min = value(*at_min, expr), max = value(*at_max, expr);
    if (min == max && varies) continue;  // the same for every count (tpp 0 for model weights)
    bool beyond =
        Satisfiable(where && expr < RealOf(s.z(), min)) || Satisfiable(where && expr > RealOf(s.z(), max));
    if (interrupted(name)) return;
    if (beyond) continue;  // not attained at the counts' extremes: not described
    bool unbounded = false;
    for (const Shipment::Var* var : counts)
      unbounded = unbounded || value(*at_max, var->value).ToString() == top;
    c.ranges.push_back({name, min.ToString(), max.ToString(), unbounded, empty_ledger, ""});
  }
}

// The model of the class with the smallest (or largest) item count: from a count of the class, probes at
// doubling distances until one lies outside the class, then bisects between (about 2 log2 of the count in
// queries, each incremental on the describer); an optimisation query would climb towards 2^63-1 one bound at
// a time.
std::optional<z3::model> ClassDescriber::Extreme(const z3::expr& in_class, const Shipment::Var& var,
                                                 bool largest, int64_t top) {
  z3::context& z = in_class.ctx();
  z3::expr n =
      var.value.is_app() && var.value.decl().decl_kind() == Z3_OP_TO_REAL ? var.value.arg(0) : var.value;
  auto count = [&](const z3::model& m) { return m.eval(n, true).get_numeral_int64(); };
  // Counts are 1..top; start from the end of the range when the class reaches it.
  std::optional<z3::model> best = ModelOf(in_class && n == z.int_val(largest ? top : 1));
  if (best) return best;
  best = ModelOf(in_class);
  if (!best) return best;
  int64_t good = count(*best);      // a count of the class
  int64_t bad = largest ? top : 1;  // no count of the class is at or beyond this one
  if (largest) {
    for (int64_t step = 1; step<bad - good; step = step>(top >> 1) ? bad - good : step * 2) {
      std::optional<z3::model> m = ModelOf(in_class && n >= z.int_val(good + step));
      if (!m) {
        bad = good + step;
        break;
      }
      best = m;
      good = count(*m);
    }
  } else {
    for (int64_t probe = 2; probe<good; probe = probe>(top >> 1) ? good : probe * 2) {
      std::optional<z3::model> m = ModelOf(in_class && n <= z.int_val(probe));
      if (m) {
        best = m;
        good = count(*m);
        break;
      }
      bad = probe;
    }
  }
  while (largest ? bad - good > 1 : good - bad > 1) {
    int64_t mid = largest ? good + (bad - good) / 2 : bad + (good - bad) / 2;
    std::optional<z3::model> m = ModelOf(in_class && (largest ? n >= z.int_val(mid) : n <= z.int_val(mid)));
    if (m) {
      best = m;
      good = count(*m);
    } else {
      bad = mid;
    }
  }
  return best;
}

// On the describer (see StartSplit), under push and pop. No model (and `interrupted_` says why) when the
// budget is spent or the solver gives up.
std::optional<z3::model> ClassDescriber::ModelOf(const z3::expr& e) {
  if (!interrupted_.empty()) return std::nullopt;
  if (budget_used_ >= options_.describe_budget) {
    interrupted_ = "budget spent";
    return std::nullopt;
  }
  ++budget_used_;
  ++*queries_;
  if (!solver_) {
    solver_.emplace(e.ctx());
    LimitTime(*solver_, options_.query_timeout_ms);
    for (const z3::expr& a : *base_) solver_->add(a);
  }
  z3::solver& d = *solver_;
  d.push();
  d.add(e);
  std::optional<z3::model> m;
  z3::check_result r = d.check();
  if (r == z3::sat) m = d.get_model();
  if (r == z3::unknown) interrupted_ = "a solver query gave up";
  d.pop();
  return m;
}

bool ClassDescriber::Satisfiable(const z3::expr& e) {
  return ModelOf(e).has_value();
}

// The earliest and latest date of the class, by two optimisation queries.
void ClassDescriber::DescribeDates(BehaviourClass& c, Shipment& s, const z3::expr& cls, z3::solver& solver) {
  auto it = s.vars().find("date");
  if (it == s.vars().end() || it->second.kind != TypeKind::kDate ||
      budget_used_ + 2 > options_.describe_budget)
    return;
  const z3::expr& date = it->second.value;
  for (bool earliest : {true, false}) {
    budget_used_++;
    ++*queries_;
    z3::optimize opt(s.z());
    LimitTime(opt, options_.query_timeout_ms);
    for (const z3::expr& a : solver.assertions()) opt.add(a);
    opt.add(cls);
    if (earliest)
      opt.minimize(date);
    else
      opt.maximize(date);
    if (opt.check() != z3::sat) return;
    int day = opt.get_model().eval(date, true).get_numeral_int();
    (earliest ? c.first_date : c.last_date) = FormatDate(day);
  }
}

// An enum field whose members both programs number alike and that is not a table key.
bool ClassDescriber::Groupable(const std::string& field) const {
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

}  // namespace edict::diff
