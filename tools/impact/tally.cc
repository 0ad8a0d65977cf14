#include "tools/impact/tally.h"

#include <algorithm>

#include "runtime/date.h"
#include "runtime/io/writer.h"

namespace edict::impact {

std::string OutcomeLabel(const interp::DecisionView& d) {
  if (d.error) return "error";
  if (!d.in_force) return "not in force";
  const ir::Program& p = *d.program;
  std::string out = interp::DecisionName(d.kind);
  if (d.kind == ir::OutcomeIR::kLicenseException && d.symbol >= 0 && p.symbol_enum >= 0)
    out += " " + p.enums[p.symbol_enum].members[d.symbol] + (d.notify ? " (notify)" : "");
  if (d.kind == ir::OutcomeIR::kLicenseRequired && d.review >= 0 && p.review_enum >= 0)
    out += " (" + p.enums[p.review_enum].members[d.review] + ")";
  return out;
}

namespace {

int EnumOf(const ir::Program& p, const char* field) {
  int f = p.FieldIndex(field);
  return f >= 0 && p.fields[f].type && p.fields[f].type->kind == TypeKind::kEnum ? p.fields[f].enum_index
                                                                                 : -1;
}

constexpr size_t kInvalidExamples = 5;
const char* const kInvalid = "invalid";

}  // namespace

Tally::Tally(const ir::Program& old_program)
    : program_(old_program),
      country_enum_(EnumOf(old_program, "destination")),
      item_enum_(EnumOf(old_program, "item")) {
  if (country_enum_ >= 0) countries_.resize(program_.enums[country_enum_].members.size());
  if (item_enum_ >= 0) items_.resize(program_.enums[item_enum_].members.size());
}

int Tally::LabelOf(const SideDecision& s) {
  auto add = [&](const std::string& label, int severity) { return AddLabel(label, severity); };
  if (!s.valid) return add(kInvalid, -1);
  const interp::DecisionView& d = *s.view;
  for (const CacheEntry& e : cache_)
    if (e.program == d.program && e.kind == static_cast<int>(d.kind) && e.symbol == d.symbol &&
        e.review == d.review && e.notify == d.notify && e.in_force == d.in_force && e.error == d.error)
      return e.label;
  int severity = d.error || !d.in_force ? -1 : d.program->Severity({d.kind, d.symbol, nullptr, d.review});
  int label = add(OutcomeLabel(d), severity);
  cache_.push_back(
      {d.program, static_cast<int>(d.kind), d.symbol, d.review, d.notify, d.in_force, d.error, label});
  return label;
}

int Tally::AddLabel(const std::string& label, int severity) {
  auto at = std::find(labels_.begin(), labels_.end(), label);
  if (at != labels_.end()) return static_cast<int>(at - labels_.begin());
  labels_.push_back(label);
  severity_.push_back(severity);
  before_.push_back(0);
  after_.push_back(0);
  // The matrix doubles, its counts kept.
  if (labels_.size() > matrix_side_) {
    size_t side = std::max<size_t>(8, matrix_side_ * 2);
    std::vector<long> grown(side * side, 0);
    for (size_t a = 0; a < matrix_side_; ++a)
      for (size_t b = 0; b < matrix_side_; ++b) grown[a * side + b] = matrix_[a * matrix_side_ + b];
    matrix_.swap(grown);
    matrix_side_ = side;
  }
  return static_cast<int>(labels_.size() - 1);
}

void Tally::Count(std::vector<GroupCounts>& groups, int index, const GroupCounts& one) {
  if (index < 0) return;
  if (static_cast<size_t>(index) >= groups.size()) groups.resize(static_cast<size_t>(index) + 1);
  groups[static_cast<size_t>(index)].Add(one);
}

bool Tally::Add(const SideDecision& before, const SideDecision& after, const RowKeys& keys, int* old_label,
                int* new_label) {
  int a = LabelOf(before), b = LabelOf(after);
  *old_label = a;
  *new_label = b;
  ++total_;
  if (!before.valid) ++invalid_old_;
  if (!after.valid) ++invalid_new_;
  ++before_[a];
  ++after_[b];
  ++matrix_[static_cast<size_t>(a) * matrix_side_ + static_cast<size_t>(b)];
  GroupCounts one;
  one.total = 1;
  if (a != b) {
    one.moved = 1;
    if (severity_[a] >= 0 && severity_[b] >= 0) {
      one.tighter = severity_[b] > severity_[a];
      one.looser = severity_[b] < severity_[a];
      sideways_ += severity_[b] == severity_[a];
    }
    ++moved_;
    tighter_ += one.tighter;
    looser_ += one.looser;
    if (before.valid)
      for (int r : before.view->rules) ++old_rules_[{before.view->program, r}];
    if (after.valid)
      for (int r : after.view->rules) ++new_rules_[{after.view->program, r}];
  }
  Count(countries_, keys.country, one);
  Count(items_, keys.item, one);
  Count(months_, keys.month, one);
  return a != b;
}

void Tally::AddInvalid(bool old_side, int line, const std::string& reason) {
  auto& rows = old_side ? invalid_old_rows_ : invalid_new_rows_;
  if (rows.size() < kInvalidExamples) rows.emplace_back(line, reason);
}

void Tally::Merge(const Tally& other) {
  std::vector<int> map(other.labels_.size());
  for (size_t i = 0; i < other.labels_.size(); ++i) map[i] = AddLabel(other.labels_[i], other.severity_[i]);
  for (size_t a = 0; a < other.labels_.size(); ++a) {
    before_[map[a]] += other.before_[a];
    after_[map[a]] += other.after_[a];
    for (size_t b = 0; b < other.labels_.size(); ++b)
      matrix_[static_cast<size_t>(map[a]) * matrix_side_ + static_cast<size_t>(map[b])] +=
          other.matrix_[a * other.matrix_side_ + b];
  }
  total_ += other.total_;
  moved_ += other.moved_;
  tighter_ += other.tighter_;
  looser_ += other.looser_;
  sideways_ += other.sideways_;
  invalid_old_ += other.invalid_old_;
  invalid_new_ += other.invalid_new_;
  for (size_t i = 0; i < other.countries_.size(); ++i)
    Count(countries_, static_cast<int>(i), other.countries_[i]);
  for (size_t i = 0; i < other.items_.size(); ++i) Count(items_, static_cast<int>(i), other.items_[i]);
  for (size_t i = 0; i < other.months_.size(); ++i) Count(months_, static_cast<int>(i), other.months_[i]);
  for (const auto& [k, v] : other.old_rules_) old_rules_[k] += v;
  for (const auto& [k, v] : other.new_rules_) new_rules_[k] += v;
  // Each tally holds its first rows by line; the first of all are among them.
  auto merge = [](auto& mine, const auto& theirs) {
    mine.insert(mine.end(), theirs.begin(), theirs.end());
    std::sort(mine.begin(), mine.end());
    if (mine.size() > kInvalidExamples) mine.resize(kInvalidExamples);
  };
  merge(invalid_old_rows_, other.invalid_old_rows_);
  merge(invalid_new_rows_, other.invalid_new_rows_);
}

Tally::Summary Tally::Summarize() const {
  Summary s;
  s.total = total_;
  s.moved = moved_;
  s.tighter = tighter_;
  s.looser = looser_;
  s.sideways = sideways_;
  s.invalid_old = invalid_old_;
  s.invalid_new = invalid_new_;
  std::vector<size_t> order(labels_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // By severity, then name; outcomes without a rank (not in force, error, invalid) last.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    int sa = severity_[a] < 0 ? 1 << 30 : severity_[a], sb = severity_[b] < 0 ? 1 << 30 : severity_[b];
    return sa != sb ? sa < sb : labels_[a] < labels_[b];
  });
  for (size_t i : order) s.outcomes.push_back(labels_[i]);
  for (size_t a = 0; a < labels_.size(); ++a) {
    if (before_[a]) s.before[labels_[a]] = before_[a];
    if (after_[a]) s.after[labels_[a]] = after_[a];
    for (size_t b = 0; b < labels_.size(); ++b)
      if (long n = matrix_[a * matrix_side_ + b]) s.matrix[{labels_[a], labels_[b]}] = n;
  }
  auto groups = [](const std::vector<GroupCounts>& counts, auto name) {
    std::vector<std::pair<std::string, GroupCounts>> out;
    for (size_t i = 0; i < counts.size(); ++i)
      if (counts[i].total) out.emplace_back(name(i), counts[i]);
    return out;
  };
  if (country_enum_ >= 0) {
    const ir::Enum& e = program_.enums[country_enum_];
    s.countries = groups(countries_, [&](size_t i) { return e.members[i]; });
    for (size_t i = 0; i < e.members.size() && i < e.descriptions.size(); ++i)
      if (i < countries_.size() && countries_[i].total && !e.descriptions[i].empty())
        s.country_names[e.members[i]] = e.descriptions[i];
  }
  if (item_enum_ >= 0)
    s.items = groups(items_, [&](size_t i) { return program_.enums[item_enum_].members[i]; });
  s.months = groups(months_, [](size_t i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", static_cast<int>(i / 12), static_cast<int>(i % 12) + 1);
    return std::string(buf);
  });
  // By the policy that declared the rule and its id: the policies of a timeline share the rules they import.
  auto rules = [](const std::map<std::pair<const ir::Program*, int>, long>& counts) {
    std::map<std::pair<std::string, std::string>, RuleCount> named;
    for (const auto& [key, n] : counts) {
      const ir::Rule& r = key.first->rules[key.second];
      RuleCount& c = named[{r.policy, r.id}];
      c.rule = r.id;
      c.policy = r.policy;
      c.cite = r.cite;
      c.moved += n;
    }
    std::vector<RuleCount> out;
    for (auto& [key, c] : named) out.push_back(std::move(c));
    std::stable_sort(out.begin(), out.end(), [](const RuleCount& a, const RuleCount& b) {
      return a.moved != b.moved ? a.moved > b.moved : a.policy + a.rule < b.policy + b.rule;
    });
    return out;
  };
  s.old_rules = rules(old_rules_);
  s.new_rules = rules(new_rules_);
  s.invalid_old_rows = invalid_old_rows_;
  s.invalid_new_rows = invalid_new_rows_;
  return s;
}

}  // namespace edict::impact
