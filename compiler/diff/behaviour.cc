#include "compiler/diff/behaviour.h"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

#include "compiler/diag/human_text.h"
#include "compiler/diff/describe.h"
#include "compiler/diff/periods.h"
#include "compiler/diff/replay.h"
#include "compiler/diff/symbolic.h"
#include "runtime/date.h"

namespace edict::diff {

namespace {

std::string Join(const std::vector<std::string>& v, const std::string& sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

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
  // Searches one period: the policies in force there, shipments dated inside it. Witnesses are replayed
  // through `top_a` / `top_b`, the programs as given (timelines included).
  // `classes_before`: classes earlier periods found (they count towards --max-classes).
  Search(const Period& period, const ir::Program& top_a, const ir::Program& top_b, const Bounds& bounds,
         int classes_before, const BehaviourOptions& options, BehaviourResult& result,
         const Decider& old_decider, const Decider& new_decider)
      : a_(*period.old_program),
        b_(*period.new_program),
        top_a_(top_a),
        top_b_(top_b),
        period_(period),
        bounds_(bounds),
        classes_before_(classes_before),
        options_(options),
        result_(result),
        outcomes_(a_, b_),
        old_decider_(old_decider),
        new_decider_(new_decider),
        describer_(a_, b_, options_, &result_.queries) {}

  // The search's place for --progress: the period, the item, what was found so far.
  void Progress(const std::string& item) {
    if (!options_.progress) return;
    std::string what = "behaviour: ";
    if (!period_label_.empty()) what += period_label_ + (item.empty() ? "" : ", ");
    what += item;
    int classes = classes_before_ + static_cast<int>(order_.size());
    what += (item.empty() && period_label_.empty() ? "" : ", ") + text::Thousands(classes) +
            (classes == 1 ? " class, " : " classes, ") + text::Thousands(result_.queries) + " solver queries";
    options_.progress(DiffProgress{4, 4, what});
  }
  std::string period_label_;  // "period 2 of 3", for a timeline

  void Run() {
    std::vector<std::string> split_a = SplitFields(a_), split_b = SplitFields(b_);
    // Split on one table key both programs read; anything else is left symbolic.
    std::string split;
    for (const auto& f : split_a)
      if (std::find(split_b.begin(), split_b.end(), f) != split_b.end() && b_.FieldIndex(f) >= 0) split = f;
    if (split.empty() && !split_a.empty() && b_.FieldIndex(split_a[0]) >= 0) split = split_a[0];
    if (split.empty() && !split_b.empty() && a_.FieldIndex(split_b[0]) >= 0) split = split_b[0];
    split_ = split;
    {
      Bounds bounds;
      result_.assumptions.push_back(
          "every shipment `edict eval` accepts: dates " + FormatDate(bounds.date_from) + " to " +
          FormatDate(bounds.date_to) +
          ", item counts 1 to 2^63-1, other integers within 64 bits, other numbers up to 2^127-1");
      result_.assumptions.push_back(
          "any quota usage before the shipment, the same in both versions for quotas they share (by id, or "
          "renamed with the same keys and period); decisions and what each shipment adds to shared quotas "
          "are "
          "compared, so equal answers hold after any sequence of shipments");
      result_.assumptions.push_back("evaluation errors (overflow, division by zero) are not searched for");
    }
    CompareMembers();
    if (split.empty()) {
      Progress("");
      RunOne(-1, "");
    } else {
      int fa = a_.FieldIndex(split);
      const auto& members = a_.enums[a_.fields[fa].enum_index].members;
      for (size_t m = 0; m < members.size() && !stopped_; ++m) {
        Progress(split + " " + std::to_string(m + 1) + " of " + std::to_string(members.size()) + " (" +
                 members[m] + ")");
        RunOne(static_cast<int>(m), members[m]);
      }
    }
    for (const auto& [reason, members] : gave_up_) {
      std::string which = split_.empty() ? "" : " for " + split_ + " = " + Join(members);
      std::string why = reason;
      if (options_.query_timeout_ms && (reason == "canceled" || reason == "timeout"))
        why = "a query took longer than the " +
              (options_.query_timeout_ms % 1000 ? std::to_string(options_.query_timeout_ms) + " ms"
                                                : std::to_string(options_.query_timeout_ms / 1000) + " s") +
              " allowed (--timeout)";
      result_.not_covered.push_back("the solver gave up" + which + ": " + why);
    }
    // Quotas the two versions treat as one ledger entry although named differently, and those only one has.
    for (auto [i, j] : PairQuotas(a_, b_))
      if (a_.quotas[i].id != b_.quotas[j].id && a_.quotas[i].ledger_id != b_.quotas[j].ledger_id)
        result_.assumptions.push_back("quota " + a_.quotas[i].id + " (OLD) and " + b_.quotas[j].id +
                                      " (NEW) are one ledger entry: same keys and period");
    if (!excluded_.empty()) {
      std::sort(excluded_.begin(), excluded_.end());
      excluded_.erase(std::unique(excluded_.begin(), excluded_.end()), excluded_.end());
      result_.not_covered.push_back(
          "shipments with " + Join(excluded_, "; ") +
          " were left out of the search: a solver witness there did not replay in the interpreter (an "
          "evaluation error, such as a division by zero, that the solver does not model)");
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
  // Enum members (catalog ids, countries, ...) that only one version knows: the other rejects such shipments
  // as invalid input. The solver searches only members both know, so these are reported here.
  void CompareMembers() {
    for (const ir::Field& fa : a_.fields) {
      int ib = b_.FieldIndex(fa.name);
      if (fa.kind == ir::Field::kDerived || fa.enum_index < 0 || ib < 0 || b_.fields[ib].enum_index < 0)
        continue;
      const auto& ma = a_.enums[fa.enum_index].members;
      const auto& mb = b_.enums[b_.fields[ib].enum_index].members;
      auto only = [](const std::vector<std::string>& x, const std::vector<std::string>& y) {
        std::vector<std::string> out;
        for (const auto& m : x)
          if (std::find(y.begin(), y.end(), m) == y.end()) out.push_back(m);
        return out;
      };
      for (const auto& m : only(mb, ma))
        result_.input_changes.push_back(fa.name + " " + m +
                                        ": known only to NEW (OLD rejects such shipments)");
      for (const auto& m : only(ma, mb))
        result_.input_changes.push_back(fa.name + " " + m +
                                        ": known only to OLD (NEW rejects such shipments)");
    }
  }

  // Outcomes differ, or what the shipment adds to a quota both versions share.
  z3::expr Differ(const SymDecision& da, const SymDecision& db) {
    z3::expr d = da.code != db.code;
    for (auto [qa, qb] : period_.uses)
      d = d || (qa >= 0 ? da.uses.at(qa) : z_.real_val(0)) != (qb >= 0 ? db.uses.at(qb) : z_.real_val(0));
    return d;
  }

  void RunOne(int member, const std::string& member_name) {
    z3::context& z = z_;
    Shipment s(z, bounds_);
    s.PairQuotas(a_, b_);
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
      LimitTime(solver, options_.query_timeout_ms);
      for (const auto& d : s.domain()) solver.add(d);
      for (const auto& d : da.definitions) solver.add(d);
      for (const auto& d : db.definitions) solver.add(d);
      solver.add(Differ(da, db));
      std::map<std::string, z3::expr> derived = da.derived;
      derived.insert(db.derived.begin(), db.derived.end());
      describer_.StartSplit(solver.assertions(), std::move(derived));
      // Witnesses with an empty ledger replay with a plain `edict eval`: ask for one first.
      z3::expr fresh = z.bool_val(true);
      for (const auto& [key, c] : s.consumed()) fresh = fresh && c.amount == 0;
      std::map<std::string, int> retries;
      while (true) {
        std::optional<z3::model> found = s.consumed().empty() ? std::nullopt : Try(solver, fresh);
        if (!found) {
          ++result_.queries;
          z3::check_result r = solver.check();
          if (r == z3::unsat) return;
          if (r == z3::unknown) {
            gave_up_[solver.reason_unknown()].push_back(member_name);
            return;
          }
          found = solver.get_model();
        }
        z3::model m = Decimal(solver, s, *found);
        Found f{Int(m, da.code), Int(m, db.code), True(m, da), True(m, db)};
        z3::expr cls = ClassCondition(da, db, f);
        if (Record(f, s, m, cls, member_name, solver, retries[f.Key()]++ >= kRetries)) {
          solver.add(!cls);
        } else {
          // The interpreter disagreed with this point (say, a division by zero the solver does not model):
          // exclude its numbers (or, without numbers, the point) and look again. The search is then no
          // longer complete, and the result says so.
          solver.add(!PointOf(s, m, true));
          excluded_.push_back(Numbers(s, m) + where);
        }
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

  // The model's values of the input variables and ledger entries, as one formula; with `numbers_only`, a
  // formula true when any numeric field has its value in the model (when there are numeric fields).
  static z3::expr PointOf(Shipment& s, const z3::model& m, bool numbers_only) {
    z3::expr point = s.z().bool_val(false);
    bool any = false;
    for (const auto& [name, var] : s.vars())
      if (var.kind == TypeKind::kNumber && !var.fixed) {
        point = point || var.value == m.eval(var.value, true);  // any of the numbers: errors hang on one
        any = true;
      }
    if (numbers_only && any) return point;
    point = s.z().bool_val(true);
    for (const auto& [name, var] : s.vars()) {
      if (!var.fixed) point = point && var.value == m.eval(var.value, true);
      if (var.has_given) point = point && var.given == m.eval(var.given, true);
    }
    for (const auto& [key, c] : s.consumed()) point = point && c.amount == m.eval(c.amount, true);
    return point;
  }

  static std::string Numbers(Shipment& s, const z3::model& m) {
    std::string out;
    for (const auto& [name, var] : s.vars())
      if (var.kind == TypeKind::kNumber && !var.fixed) {
        Rational r;
        NumeralToRational(m.eval(var.value, true), &r);
        out += (out.empty() ? "" : " or ") + name + " = " + r.ToString();
      }
    return out.empty() ? "one shipment" : out;
  }

  // A model of the solver's assertions plus `extra`, if there is one (the assertions are left as they were).
  std::optional<z3::model> Try(z3::solver& solver, const z3::expr& extra) {
    ++result_.queries;
    solver.push();
    solver.add(extra);
    std::optional<z3::model> out;
    if (solver.check() == z3::sat) out = solver.get_model();
    solver.pop();
    return out;
  }

  // The model with every number that is not a finite decimal (11/30) moved to a nearby decimal, when the
  // solver allows it, so the witness can be written as JSON and read back by `edict eval`.
  z3::model Decimal(z3::solver& solver, Shipment& s, z3::model m) {
    for (const auto& [name, var] : s.vars()) {
      if (var.kind != TypeKind::kNumber || var.integer || var.fixed) continue;
      Rational r;
      if (!NumeralToRational(m.eval(var.value, true), &r) || r.ToString().find('/') == std::string::npos)
        continue;
      z3::expr keep = s.z().bool_val(true);  // every other field keeps its value
      for (const auto& [other, v] : s.vars())
        if (other != name && !v.fixed) keep = keep && v.value == m.eval(v.value, true);
      for (i128 scale : {i128{1000}, i128{1000000}, i128{1000000000}, i128{1000000000000}}) {
        const i128 max = static_cast<i128>((static_cast<unsigned __int128>(1) << 127) - 1);
        if (r.num > max / scale || r.num < -(max / scale)) break;  // r.num * scale would overflow
        i128 down = r.num * scale / r.den;                         // truncated toward zero
        bool done = false;
        for (i128 n : {down, down + 1, down - 1}) {
          Rational d{n, scale};
          auto simplified = Div(Rational{n, 1}, Rational{scale, 1});
          if (simplified) d = *simplified;
          if (auto better = Try(solver, keep && var.value == RealOf(s.z(), d))) {
            m = *better;
            done = true;
            break;
          }
        }
        if (done) break;
      }
    }
    return m;
  }

  static constexpr int kRetries = 5;  // other witnesses tried for a class whose witness did not replay

  // Records the class of `m` (or adds the split value to a known class). False when the witness did not
  // replay; after `give_up`, the class is reported as not covered and true is returned so the caller blocks
  // it.
  bool Record(const Found& f, Shipment& s, const z3::model& m, const z3::expr& cls,
              const std::string& member_name, z3::solver& solver, bool give_up) {
    std::string key = f.Key();
    auto it = classes_.find(key);
    if (it != classes_.end()) {
      if (!member_name.empty()) it->second.split_values.push_back(member_name);
      return true;
    }
    Witness w = MakeWitness(s, m);
    ReplayResult replay = Replay(top_a_, top_b_, w, &period_.uses);
    if (!replay.differ || replay.old_outcome != OutcomeName(f.old_code) ||
        replay.new_outcome != OutcomeName(f.new_code)) {
      // The encoding and the interpreter disagree: never report it as a difference, and never claim a proof.
      ++result_.unconfirmed;
      if (!give_up) return false;
      result_.not_covered.push_back(
          "a class of differences whose solver witnesses did not replay in the interpreter (" +
          std::to_string(kRetries + 1) + " tried; solver: " + OutcomeName(f.old_code) + " -> " +
          OutcomeName(f.new_code) + "; interpreter: " + replay.old_outcome + " -> " + replay.new_outcome +
          "): " + w.ToJson());
      return true;
    }
    BehaviourClass c;
    c.old_outcome = OutcomeName(f.old_code);
    c.new_outcome = OutcomeName(f.new_code);
    for (int r : f.old_rules) c.old_rules.push_back(a_.rules[r].id);
    for (int r : f.new_rules) c.new_rules.push_back(b_.rules[r].id);
    c.split_field = split_;
    c.old_policy = period_.old_name;
    c.new_policy = period_.new_name;
    if (!member_name.empty()) c.split_values.push_back(member_name);
    if (!split_.empty()) c.domains[split_] = s.vars().at(split_).members;
    if (old_decider_ && new_decider_) {
      // The second engine must decide the witness exactly as the interpreter does (a bug otherwise, in one of
      // them): the class is still reported, from the reference semantics, and the disagreement is shown.
      ReplaySide x = ReplayOne(top_a_, true, w, old_decider_), y = ReplayOne(top_b_, false, w, new_decider_);
      if (x.outcome != replay.old_outcome || y.outcome != replay.new_outcome || x.rules != replay.old_rules ||
          y.rules != replay.new_rules)
        result_.not_covered.push_back("the " + options_.second_engine_name +
                                      " decides a witness differently from the interpreter (" + x.outcome +
                                      " -> " + y.outcome + "): " + w.ToJson());
      else
        ++result_.second_engine_replays;
    }
    c.old_uses = replay.old_uses;
    c.new_uses = replay.new_uses;
    c.witness = std::move(w);
    describer_.Describe(c, s, cls, solver);
    classes_.emplace(key, std::move(c));
    order_.push_back(key);
    if (classes_before_ + static_cast<int>(order_.size()) >= options_.max_classes) {
      result_.not_covered.push_back("stopped after " + std::to_string(options_.max_classes) + " classes");
      stopped_ = true;
    }
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
    for (const auto& [key, c] : s.consumed()) {
      Rational r;
      NumeralToRational(m.eval(c.amount, true), &r);
      if (!(r == Rational{})) w.consumed.push_back({c.old_quota, c.new_quota, r});
    }
    return w;
  }

  const ir::Program& a_;  // the policies in force in the period
  const ir::Program& b_;
  const ir::Program& top_a_;  // the programs compared
  const ir::Program& top_b_;
  const Period& period_;
  Bounds bounds_;
  int classes_before_;
  const BehaviourOptions& options_;
  BehaviourResult& result_;
  OutcomeTable outcomes_;
  const Decider& old_decider_;
  const Decider& new_decider_;
  z3::context z_;             // one context for every split: terms are shared, and it is torn down once
  ClassDescriber describer_;  // after z_: its solver and terms go before the context does
  std::string split_;
  std::map<std::string, BehaviourClass> classes_;
  std::map<std::string, std::vector<std::string>> gave_up_;  // solver's reason -> split values
  std::vector<std::string> excluded_;                        // points left out after a failed replay
  std::vector<std::string> order_;
  bool stopped_ = false;
};

}  // namespace

BehaviourResult DiffBehaviour(const ir::Program& old_program, const ir::Program& new_program,
                              const BehaviourOptions& options, const Decider& old_decider,
                              const Decider& new_decider) {
  BehaviourResult result;
  // No search at all proves nothing (a limit of 0 classes once printed "proved" after 0 queries).
  if (options.max_classes < 1) {
    result.not_covered.push_back("no search: the limit on classes is " + std::to_string(options.max_classes));
    return result;
  }
  result.proved = true;
  const Bounds bounds;
  Periods periods(old_program, new_program, bounds.date_from, bounds.date_to);
  bool timeline = !old_program.timeline.empty() || !new_program.timeline.empty();
  if (timeline) {
    std::string list;
    for (const Period& p : periods.list())
      list += (list.empty() ? "" : "; ") + FormatDate(p.from) + " to " + FormatDate(p.to) + ": " +
              (p.old_name.empty() ? old_program.name : p.old_name) + " -> " +
              (p.new_name.empty() ? new_program.name : p.new_name);
    result.assumptions.push_back(
        "compared period by period, each with the policy each version applies then (" + list +
        "); one ledger across periods");
  }
  for (const std::string& m : periods.LedgerMismatches()) {
    result.not_covered.push_back("histories across periods: " + m);
    result.proved = false;
  }
  auto add = [](std::vector<std::string>& to, const std::string& s) {
    if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  };
  for (const Period& period : periods.list()) {
    std::string where = timeline ? " (" + FormatDate(period.from) + " to " + FormatDate(period.to) + ")" : "";
    int found = static_cast<int>(result.classes.size());
    if (found >= options.max_classes) break;  // the period that reached the limit said so
    Bounds b = bounds;
    if (timeline) {
      const ir::Program& top = old_program.timeline.empty() ? new_program : old_program;
      if (top.date_field >= 0) b.period_field = top.fields[top.date_field].name;
      b.period_from = period.from;
      b.period_to = period.to;
    }
    BehaviourResult part;
    try {
      Search search(period, old_program, new_program, b, found, options, part, old_decider, new_decider);
      if (timeline)
        search.period_label_ = "period " + std::to_string(&period - periods.list().data() + 1) + " of " +
                               std::to_string(periods.list().size()) + " (" + FormatDate(period.from) +
                               " to " + FormatDate(period.to) + ")";
      search.Run();
    } catch (const Unsupported& u) {
      part.proved = false;
      part.not_covered.push_back("not modelled: " + u.message);
    }
    result.proved = result.proved && part.proved;
    for (auto& c : part.classes) result.classes.push_back(std::move(c));
    for (const auto& n : part.not_covered) add(result.not_covered, n + where);
    for (const auto& i : part.input_changes) add(result.input_changes, i);
    for (const auto& a : part.assumptions) add(result.assumptions, a);
    result.queries += part.queries;
    result.unconfirmed += part.unconfirmed;
    result.second_engine_replays += part.second_engine_replays;
  }
  return result;
}

}  // namespace edict::diff
