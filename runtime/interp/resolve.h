// Default logic (docs/language.md, "How the final outcome is chosen"), written once for every engine. The
// interpreter and the JIT differ only in how they evaluate a rule's condition and its `notify`; the order of
// evaluation, the conflicts, the severity choice, the determining rules and the quota bookkeeping are these,
// so that both engines meet the same first error and print the same decision byte for byte.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"
#include "runtime/interp/eval.h"

namespace edict::interp {

// Two applicable outcomes the policy does not order; becomes an error decision.
struct Conflict {
  std::string message;
  Span span;
};

// A concrete outcome: the rule's outcome with `notify` evaluated.
struct Resolved {
  ir::OutcomeIR::Kind kind = ir::OutcomeIR::kNoLicenseRequired;
  int symbol = -1, review = -1;
  bool notify = false;
  int from = -1;  // the rule or exception it was resolved for
  // The rules and exceptions whose outcome this is: leaves[first, last) of the pool. A rule's range is the
  // concatenation of its applicable exceptions' ranges, which are resolved one after the other and so lie
  // side by side: no decision allocates for them.
  size_t first = 0, last = 0;
  bool Same(const Resolved& o) const {
    return kind == o.kind && symbol == o.symbol && review == o.review && notify == o.notify;
  }
};

// Per-thread pools, reused from one decision to the next.
struct ResolveScratch {
  std::vector<Resolved>
      stack;  // each level of Resolve works above its base; the roots' outcomes at the bottom
  std::vector<int> leaves;
  static ResolveScratch& ForThisThread() {
    thread_local ResolveScratch scratch;
    return scratch;
  }
};

// Engine: bool Applies(int rule, int depth) (in force and its condition holds); bool Notify(int rule);
// void OnResolved(int rule, const Resolved&) (for explanations).
template <typename Engine>
class DefaultLogic {
 public:
  DefaultLogic(const ir::Program& p, Engine& engine, ResolveScratch& scratch)
      : p_(p), engine_(engine), s_(scratch) {}

  // An applicable rule is replaced by its applicable exceptions, recursively; those must agree.
  Resolved Resolve(int idx, int depth) {
    const ir::Rule& r = p_.rules[idx];
    size_t base = s_.stack.size();
    for (int e : r.exceptions) {
      if (!engine_.Applies(e, depth + 1)) continue;
      s_.stack.push_back(Resolve(e, depth + 1));
    }
    Resolved out;
    if (s_.stack.size() == base) {
      out.kind = r.outcome.kind;
      out.symbol = r.outcome.symbol;
      out.review = r.outcome.review;
      out.notify = engine_.Notify(idx);
      out.first = s_.leaves.size();
      s_.leaves.push_back(idx);
      out.last = s_.leaves.size();
    } else {
      out = s_.stack[base];
      for (size_t i = base + 1; i < s_.stack.size(); ++i) {
        const Resolved& other = s_.stack[i];
        if (!other.Same(out))
          throw Conflict{"conflict: exceptions '" + p_.rules[out.from].id + "' (" + Text(out) + ") and '" +
                             p_.rules[other.from].id + "' (" + Text(other) + ") both override '" + r.id +
                             "'; the policy must say which applies",
                         p_.rules[other.from].span};
      }
      out.last = s_.stack.back().last;  // the ranges are adjacent, see Resolved
      s_.stack.resize(base);
    }
    out.from = idx;
    engine_.OnResolved(idx, out);
    return out;
  }

  // The decision among the applicable root rules: the most severe outcome wins; equally severe different
  // outcomes are a conflict; the determining rules are the leaves of every root giving the winning outcome.
  void Decide(Decision& d) {
    s_.stack.clear();
    s_.leaves.clear();
    for (int r : p_.roots)
      if (engine_.Applies(r, 0)) {
        Resolved x = Resolve(r, 0);
        s_.stack.push_back(x);
      }
    const std::vector<Resolved>& results = s_.stack;
    if (results.empty()) return;
    const Resolved* worst = &results[0];
    for (const auto& r : results)
      if (Severity(r) > Severity(*worst)) worst = &r;
    int sev = Severity(*worst);
    for (const auto& r : results) {
      if (Severity(r) != sev || r.Same(*worst)) continue;
      throw Conflict{"conflict: '" + p_.rules[s_.leaves[worst->first]].id + "' gives " + Text(*worst) +
                         " and '" + p_.rules[s_.leaves[r.first]].id + "' gives " + Text(r) +
                         ", equally severe; the policy must say which applies",
                     p_.rules[s_.leaves[r.first]].span};
    }
    d.kind = worst->kind;
    d.symbol = worst->symbol;
    d.review = worst->review;
    d.notify = worst->notify;
    for (const auto& r : results)
      if (r.Same(*worst))
        for (size_t i = r.first; i < r.last; ++i)
          if (int leaf = s_.leaves[i]; std::find(d.rules.begin(), d.rules.end(), leaf) == d.rules.end())
            d.rules.push_back(leaf);
  }

  std::string Text(const Resolved& r) const { return OutcomeText(p_, r.kind, r.symbol, r.notify, r.review); }

 private:
  int Severity(const Resolved& r) const { return p_.Severity({r.kind, r.symbol, nullptr, r.review}); }

  const ir::Program& p_;
  Engine& engine_;
  ResolveScratch& s_;
};

// Only the determining rules consume their quotas, after the decision, in input order. `ctx` reads the
// shipment (fields, date, ledger).
void ConsumeQuotas(const ir::Program& program, EvalContext& ctx, Ledger& ledger, const DecideOptions& options,
                   Decision& d);

// Maps a record of a timeline's schema to the schema of the program in force.
void MapRecord(const ir::TimelineEntry& entry, const Record& from, Record& to);

// An error met while deciding: the decision carries it instead of an outcome.
void SetError(Decision& d, const std::string& message, const Span& span);

}  // namespace edict::interp
