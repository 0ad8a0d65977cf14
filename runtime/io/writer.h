// Decision output: JSON Lines (the fixed contract), CSV, and an aligned table for people.
#pragma once

#include <string>
#include <vector>

#include "runtime/interp/decide.h"
#include "runtime/io/json_text.h"

namespace edict::io {

enum class Format { kJsonl, kCsv, kTable };

// A CSV cell: quoted (quotes doubled) when it holds a comma, a quote or a line break.
std::string CsvCell(std::string_view s);
void AppendCsvCell(std::string& out, std::string_view s);

// {"id":..., "decision":..., "exception":..., "review_policy":..., "notify":..., "rules":[...],
// "citations":[...]} plus "quotas" with `explain`, and "policy" when a timeline chose the policy.
std::string DecisionJson(const interp::Decision& d, std::string_view id, bool explain, bool timeline);
void AppendDecisionJson(std::string& out, const interp::DecisionView& d, std::string_view id, bool explain,
                        bool timeline);
std::string ErrorJson(std::string_view id, int line, std::string_view message);

// The decision columns, then the provenance columns (Provenance::Csv, then ledger_position and recorded).
// `rules` holds the rule ids separated by spaces; `citations` their citations in the same order, separated by
// kCitationSeparator (a citation holds semicolons and commas, and the checker refuses a `|` in one, so the
// cell splits into exactly one citation per rule); `policy`, under a timeline, the policy in force that
// decided.
std::string CsvHeader();
inline constexpr std::string_view kCitationSeparator = " | ";
std::string DecisionCsv(const interp::Decision& d, std::string_view id, bool timeline);
void AppendDecisionCsv(std::string& out, const interp::DecisionView& d, std::string_view id, bool timeline);
std::string ErrorCsv(std::string_view id, int line, std::string_view message);

// Where a decision came from (docs/ledger.md, "Provenance"): the policy given on the command line (its file
// stem, its version, and the SHA-256 of every source it was compiled from: policy, imports, stdlib, a
// timeline's policies) and the edict that decided. Written after a decision's own members or cells.
struct Provenance {
  std::string policy_id, policy_version, policy_hash, edict_version;
  static Provenance Of(const ir::Program& program, std::string edict_version);
  // ,"policy_id":"...","policy_version":"...","policy_hash":"...","edict_version":"..."
  std::string Json() const;
  // The four CSV cells, without a leading comma.
  std::string Csv() const;
  // "ai_diffusion_2025 2025-01-15 (policy hash 3f2a...), edict 0.1.0": a table's footer.
  std::string Text() const;
};
// Adds `members` (each starting with a comma) as the last members of the JSON object `out` ends with.
void AppendJsonMembers(std::string& out, std::string_view members);
// After a decision (its JSON object, or its CSV row ending in the error cell): `provenance` (Json() or
// Csv()), then with a ledger (`position` >= 0) its ledger position (0: not recorded, a dry run) and whether
// it was recorded by an earlier run.
void AppendProvenanceJson(std::string& out, std::string_view provenance, int64_t position, bool recorded);
void AppendProvenanceCsv(std::string& out, std::string_view provenance, int64_t position, bool recorded);

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
