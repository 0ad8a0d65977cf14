// Decision output: JSON Lines (the fixed contract), CSV, and an aligned table for people.
#pragma once

#include <string>
#include <vector>

#include "runtime/interp/decide.h"

namespace edict::io {

enum class Format { kJsonl, kCsv, kTable };

std::string JsonEscape(std::string_view s);
// A CSV cell: quoted (quotes doubled) when it holds a comma, a quote or a line break.
std::string CsvCell(std::string_view s);

// {"id":..., "decision":..., "exception":..., "review_policy":..., "notify":..., "rules":[...],
// "citations":[...]} plus "quotas" with `explain`, and "policy" when a timeline chose the policy.
std::string DecisionJson(const interp::Decision& d, std::string_view id, bool explain, bool timeline);
void AppendDecisionJson(std::string& out, const interp::DecisionView& d, std::string_view id, bool explain,
                        bool timeline);
std::string ErrorJson(std::string_view id, int line, std::string_view message);

std::string CsvHeader();
std::string DecisionCsv(const interp::Decision& d, std::string_view id);
void AppendDecisionCsv(std::string& out, const interp::DecisionView& d, std::string_view id);
std::string ErrorCsv(std::string_view id, int line, std::string_view message);

// Table rows are collected and aligned at the end.
class TableWriter {
 public:
  void Add(const interp::Decision& d, std::string_view id, const interp::Record& rec, const ir::Program& top);
  void AddError(std::string_view id, int line, std::string_view message);
  // A decision read back from a ledger (recorded by an earlier run): its outcome and rules as recorded.
  void AddRecorded(std::string_view id, const interp::Record& rec, const ir::Program& top,
                   std::string outcome, std::string rules, std::string policy);
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
  bool timeline_ = false;  // add a column naming the policy that decided each row
};

// "license_exception LPP (notify)" / "license_required (denial)" / "no_license_required".
std::string ShortOutcome(const interp::Decision& d);
std::string RuleIds(const interp::Decision& d);

}  // namespace edict::io
