// A class of differences in the users' terms: the values its enum fields take (countries, end uses...), the
// range of its item counts and TPP, and its earliest and latest dates. Each is worked out by solver queries,
// within a budget (--describe-budget) shared by all the classes of one search.
#pragma once

#include <z3++.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/diff/behaviour.h"
#include "compiler/diff/symbolic.h"
#include "compiler/ir/ir.h"

namespace edict::diff {

// Members of an enum that no constant of either program tells apart (same membership in every constant set,
// never named by a constant): any permutation within such a group maps shipments of a class to shipments of
// the same class, so finding one member of a group finds them all. Table enums are never grouped (their rows
// differ).
class MemberGroups {
 public:
  MemberGroups(const ir::Program& a, const ir::Program& b);
  // group[i]: the members interchangeable with member i (i itself when it has no twin).
  std::vector<std::vector<int>> Groups(int n, bool groupable) const;

 private:
  void Walk(const ir::Expr* e);

  std::vector<const BitSet*> sets_;
  std::set<int> named_;
  std::set<const ir::Expr*> visited_;
};

class ClassDescriber {
 public:
  // `queries` counts every solver query made here (the search reports the total).
  ClassDescriber(const ir::Program& old_program, const ir::Program& new_program,
                 const BehaviourOptions& options, int* queries);

  // Each split (item) of the search: its solver's assertions (the shipment's domain, both decisions, their
  // difference) and the derived number fields the two decisions read (tpp...).
  void StartSplit(const z3::expr_vector& assertions, std::map<std::string, z3::expr> derived);

  // Fills the class's values, values_complete, domains, ranges, first_date and last_date. `cls` is the
  // class's condition; `solver` the search's, used under push and pop for the enumerations and copied for the
  // dates.
  void Describe(BehaviourClass& c, Shipment& s, const z3::expr& cls, z3::solver& solver);

 private:
  void DescribeRanges(BehaviourClass& c, Shipment& s, const z3::expr& cls);
  void DescribeDates(BehaviourClass& c, Shipment& s, const z3::expr& cls, z3::solver& solver);
  std::optional<z3::model> Extreme(const z3::expr& in_class, const Shipment::Var& var, bool largest,
                                   int64_t top);
  std::optional<z3::model> ModelOf(const z3::expr& e);
  bool Satisfiable(const z3::expr& e);
  bool Groupable(const std::string& field) const;

  const ir::Program& a_;
  const ir::Program& b_;
  const BehaviourOptions& options_;
  int* queries_;
  MemberGroups groups_;
  std::set<std::string> read_;  // input fields either program reads
  int budget_used_ = 0;
  std::string interrupted_;  // why the last range could not be worked out ("budget spent"), or ""
  // The split's derived number fields, and its solver for the ranges: made on first use from the search's
  // assertions (queries with extreme counts on the search's own solver would bias the witnesses it finds
  // next).
  std::map<std::string, z3::expr> derived_;
  std::optional<z3::expr_vector> base_;
  std::optional<z3::solver> solver_;
};

}  // namespace edict::diff
