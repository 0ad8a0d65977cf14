// What `edict impact` counts while it reads: for every shipment, the outcome under the old and the new
// policy, and for those that move, where (destination, item, month) and why (the rules that determined
// each side). Counted per worker with small integer keys, merged and named at the end (Summary).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"

namespace edict::impact {

// The shipment's place, as indices: members of the old policy's destination and item enums, and the month
// (year * 12 + month - 1); -1 when the policy has no such field or the shipment did not give it.
struct RowKeys {
  int country = -1, item = -1, month = -1;
  int date = 0;  // days since 1970-01-01, when month >= 0
};

// What a decision says, as a report names it: "license_required (approval)", "license_exception LPP
// (notify)", "no_license_required", "not in force", "error"; "invalid" for a row the policy could not read.
std::string OutcomeLabel(const interp::DecisionView& d);

// Where each side's outcome changed: rows counted per group.
struct GroupCounts {
  long total = 0, moved = 0, tighter = 0, looser = 0;
  void Add(const GroupCounts& o) {
    total += o.total;
    moved += o.moved;
    tighter += o.tighter;
    looser += o.looser;
  }
};

// One side's decision of one row, as the tally needs it.
struct SideDecision {
  bool valid = false;                          // false: the row was invalid for this policy
  const interp::DecisionView* view = nullptr;  // when valid
};

class Tally {
 public:
  // `old_program` gives the grouping fields' enums.
  explicit Tally(const ir::Program& old_program);

  // Counts one row; true when its outcome moved. `old_label`/`new_label` receive the labels' indices.
  bool Add(const SideDecision& before, const SideDecision& after, const RowKeys& keys, int* old_label,
           int* new_label);
  const std::string& Label(int index) const { return labels_[index]; }
  // The first few rows each side could not read: (line, reason).
  void AddInvalid(bool old_side, int line, const std::string& reason);
  void Merge(const Tally& other);

  // Everything named, for the reports.
  struct RuleCount {
    std::string rule, policy, cite;
    long moved = 0;
  };
  struct Summary {
    long total = 0, moved = 0, tighter = 0, looser = 0, invalid_old = 0, invalid_new = 0;
    long sideways = 0;                  // moved to another outcome as severe (another licence exception)
    std::vector<std::string> outcomes;  // every label seen, most severe last
    std::map<std::pair<std::string, std::string>, long> matrix;  // (from, to) -> rows, every row
    std::map<std::string, long> before, after;                   // outcome -> rows
    std::vector<std::pair<std::string, GroupCounts>> countries, items, months;  // groups with data
    std::map<std::string, std::string> country_names;  // code -> name, where the schema has one
    std::vector<RuleCount> old_rules, new_rules;       // by moved rows, most first
    std::vector<std::pair<int, std::string>> invalid_old_rows, invalid_new_rows;
  };
  Summary Summarize() const;

 private:
  int LabelOf(const SideDecision& d);
  int AddLabel(const std::string& label, int severity);
  void Count(std::vector<GroupCounts>& groups, int index, const GroupCounts& one);

  const ir::Program& program_;
  int country_enum_ = -1, item_enum_ = -1;
  // Labels, with a small cache of the decisions that produced them (a handful of distinct outcomes).
  std::vector<std::string> labels_;
  std::vector<int> severity_;  // per label: its rank (-1: error, invalid, not in force)
  struct CacheEntry {
    const ir::Program* program;
    int kind, symbol, review;
    bool notify, in_force, error;
    int label;
  };
  std::vector<CacheEntry> cache_;
  std::vector<long> matrix_;  // labels_ x labels_, grown as labels appear
  size_t matrix_side_ = 0;
  long total_ = 0, moved_ = 0, tighter_ = 0, looser_ = 0, invalid_old_ = 0, invalid_new_ = 0, sideways_ = 0;
  std::vector<long> before_, after_;
  std::vector<GroupCounts> countries_, items_, months_;
  std::map<std::pair<const ir::Program*, int>, long> old_rules_, new_rules_;
  std::vector<std::pair<int, std::string>> invalid_old_rows_, invalid_new_rows_;
};

}  // namespace edict::impact
